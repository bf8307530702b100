import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { createSecureServer, type Http2ServerRequest, type Http2ServerResponse } from 'node:http2'
import type { AddressInfo } from 'node:net'
import { behaviourSuite } from '../../test/behaviour.js'
import { http2Fetch, tlsFixture } from '../../test/http2.js'
import { createSseHandler } from './index.js'

type Handler = ReturnType<typeof createSseHandler>
const route =
  (handler: Handler) =>
  (req: IncomingMessage | Http2ServerRequest, res: ServerResponse | Http2ServerResponse) => {
    if (req.url?.startsWith('/events')) void handler(req, res)
    else res.writeHead(404).end()
  }

behaviourSuite('node:http', async (options) => {
  const handler = createSseHandler(options)
  const server = createServer(route(handler))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/events`,
    endpoint: handler.endpoint,
    httpVersion: 1,
    close: async () => {
      await handler.close({ timeoutMs: 1000 })
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    },
  }
})

behaviourSuite('node:http2', async (options) => {
  const handler = createSseHandler(options)
  const server = createSecureServer({ ...tlsFixture, allowHTTP1: false }, route(handler))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  const client = http2Fetch()
  return {
    url: `https://127.0.0.1:${port}/events`,
    endpoint: handler.endpoint,
    httpVersion: 2,
    fetch: client.fetch,
    close: async () => {
      await handler.close({ timeoutMs: 1000 })
      await client.close()
      await new Promise((resolve) => server.close(resolve))
    },
  }
})
