import { createServer, request, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createHub, type Hub } from '../src/hub.js'
import { createHubRoutes } from '../src/node/index.js'
import type { HubOptions } from '../src/options.js'
import type { TransportUnderTest } from './transports.js'

/** A hub mounted with `createHubRoutes` on a node:http server on 127.0.0.1, port 0. */
export interface EmbeddedHub {
  hub: Hub
  /** http://127.0.0.1:PORT */
  origin: string
  /** origin + /.well-known/mercure */
  url: string
  /** Requests the route handler rejected with (a 500 in an app): none, ever. */
  failures: unknown[]
  stop(): Promise<void>
}

/**
 * `maxHeaderSize` is node's (16 KiB by default), larger here for hostile long URLs;
 * `transport`, the one to run on (default: the hub's own, in memory).
 */
export async function startEmbeddedHub(
  options: HubOptions,
  {
    maxHeaderSize = 16 * 1024,
    transport,
  }: { maxHeaderSize?: number; transport?: TransportUnderTest } = {},
): Promise<EmbeddedHub> {
  const withDefaults = { heartbeatMs: 0, ...options }
  const hub = await createHub((await transport?.hubOptions(withDefaults)) ?? withDefaults)
  const routes = createHubRoutes(hub)
  const failures: unknown[] = []
  const server: Server = createServer({ maxHeaderSize }, (req, res) => {
    routes(req, res).then(
      (handled) => {
        if (!handled) res.writeHead(404).end()
      },
      (error: unknown) => {
        failures.push(error)
        if (!res.headersSent) res.writeHead(500).end()
      },
    )
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    hub,
    origin,
    url: `${origin}/.well-known/mercure`,
    failures,
    stop: async () => {
      await hub.close()
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    },
  }
}

export interface RawResponse {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
}

/**
 * One HTTP/1.1 request with the target exactly as given (fetch would normalize `//x` or `\`),
 * read to the end; an event stream is cut after its head (its body is then '').
 */
export function rawRequest(
  origin: string,
  target: string,
  init: { method?: string; headers?: Record<string, string>; body?: string | Uint8Array } = {},
): Promise<RawResponse> {
  const { hostname, port } = new URL(origin)
  return new Promise((resolve, reject) => {
    const req = request(
      { host: hostname, port, method: init.method ?? 'GET', path: target, headers: init.headers },
      (res) => {
        if (String(res.headers['content-type']).startsWith('text/event-stream')) {
          req.destroy()
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: '' })
          return
        }
        let body = ''
        res.setEncoding('utf8')
        res.on('data', (chunk: string) => {
          body += chunk
        })
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
        res.on('error', reject)
      },
    )
    req.on('error', reject)
    req.end(init.body)
  })
}
