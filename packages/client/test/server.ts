import { once } from 'node:events'
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http'
import type { AddressInfo } from 'node:net'

/** A request as the server saw it. */
export interface SeenRequest {
  method: string
  path: string
  headers: IncomingHttpHeaders
  body: string
}

/** Context handed to a route: which request this is on the path (1-based) and its body. */
export interface RouteContext {
  n: number
  request: SeenRequest
}

export type Route = (
  req: IncomingMessage,
  res: ServerResponse,
  context: RouteContext,
) => void | Promise<void>

/** A real `node:http` server on 127.0.0.1, port 0, with one route per behaviour under test. */
export interface TestServer {
  readonly origin: string
  url(path: string): string
  route(path: string, handler: Route): void
  /** Requests seen on a path (query string excluded), oldest first. */
  requests(path: string): SeenRequest[]
  /** Resolves with the `n`-th request on the path (1-based), now or when it arrives. */
  request(path: string, n: number): Promise<SeenRequest>
  /** Responses on a path that are still open. */
  open(path: string): number
  /** Ends every open response and stops listening. */
  close(): Promise<void>
}

/** Starts a server; routes can be given here or added later with `route()`. */
export async function startServer(routes: Record<string, Route> = {}): Promise<TestServer> {
  const table = new Map(Object.entries(routes))
  const seen = new Map<string, SeenRequest[]>()
  const waiters = new Set<() => void>()
  const live = new Map<string, Set<ServerResponse>>()

  const server = createServer(async (req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/'
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const request: SeenRequest = {
      method: req.method ?? 'GET',
      path,
      headers: req.headers,
      body: Buffer.concat(chunks).toString('utf8'),
    }
    const list = seen.get(path) ?? []
    list.push(request)
    seen.set(path, list)
    const open = live.get(path) ?? new Set()
    live.set(path, open)
    open.add(res)
    res.on('close', () => open.delete(res))
    for (const wake of waiters) wake()
    const handler = table.get(path)
    if (!handler) {
      res.writeHead(404).end()
      return
    }
    try {
      await handler(req, res, { n: list.length, request })
    } catch (error) {
      res.destroy(error as Error)
    }
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  const origin = `http://127.0.0.1:${port}`

  return {
    origin,
    url: (path) => `${origin}${path}`,
    route: (path, handler) => {
      table.set(path, handler)
    },
    requests: (path) => seen.get(path) ?? [],
    request: (path, n) =>
      new Promise((resolve) => {
        const check = () => {
          const found = seen.get(path)?.[n - 1]
          if (!found) return
          waiters.delete(check)
          resolve(found)
        }
        waiters.add(check)
        check()
      }),
    open: (path) => live.get(path)?.size ?? 0,
    close: async () => {
      server.closeAllConnections()
      server.close()
      await once(server, 'close')
    },
  }
}

/** Starts an event stream response: 200 and `text/event-stream`, headers flushed. */
export function sse(res: ServerResponse, headers: Record<string, string> = {}): void {
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    ...headers,
  })
  res.flushHeaders()
}
