import type { Server } from 'node:http'
import { createSecureServer, type Http2SecureServer } from 'node:http2'
import type { AddressInfo } from 'node:net'
import { createAdaptorServer } from '@hono/node-server'
import type { SseEndpoint } from '../src/endpoint.js'
import type { AdapterServer } from './behaviour.js'
import { http2Fetch, tlsFixture } from './http2.js'

/** TLS options for an HTTP/2-only test server. */
export const http2ServerOptions = { ...tlsFixture, allowHTTP1: false }

/** A test server listening on 127.0.0.1, with the fetch that reaches it. */
export interface Listening {
  /** `http://127.0.0.1:PORT` or `https://…` for HTTP/2. */
  origin: string
  httpVersion: 1 | 2
  /** An HTTP/2 fetch for HTTP/2 servers; undefined means the global fetch. */
  fetch?: typeof fetch
  /** Drops every connection and closes the server. */
  close(): Promise<void>
}

/** Listens on a free port of 127.0.0.1 (HTTP/1.1 for a node:http server, HTTP/2 over TLS otherwise). */
export async function listen(
  server: Server | Http2SecureServer,
  httpVersion: 1 | 2,
): Promise<Listening> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  const closed = () => new Promise((resolve) => server.close(resolve))
  if (httpVersion === 1) {
    return {
      origin: `http://127.0.0.1:${port}`,
      httpVersion,
      close: async () => {
        ;(server as Server).closeAllConnections()
        await closed()
      },
    }
  }
  const client = http2Fetch()
  return {
    origin: `https://127.0.0.1:${port}`,
    httpVersion,
    fetch: client.fetch,
    close: async () => {
      await client.close()
      await closed()
    },
  }
}

/** Serves a web `fetch` handler the way Hono apps run on Node: @hono/node-server, HTTP/1.1 or HTTP/2. */
export function serveFetch(
  fetchHandler: (request: Request) => Response | Promise<Response>,
  httpVersion: 1 | 2,
): Promise<Listening> {
  const server = createAdaptorServer({
    fetch: fetchHandler,
    ...(httpVersion === 2 && {
      createServer: createSecureServer,
      serverOptions: http2ServerOptions,
    }),
  })
  return listen(server as Server | Http2SecureServer, httpVersion)
}

/** What the behaviour suite gets: the route's URL, its endpoint, and a close that ends the streams first. */
export function adapterServer(
  listening: Listening,
  endpoint: SseEndpoint,
  path = '/events',
): AdapterServer {
  return {
    url: `${listening.origin}${path}`,
    endpoint,
    httpVersion: listening.httpVersion,
    ...(listening.fetch && { fetch: listening.fetch }),
    close: async () => {
      await endpoint.close({ timeoutMs: 1000 })
      await listening.close()
    },
  }
}
