/**
 * The hub under test: `@sprinkler/hub` as `sprinkler hub` runs it (node:http, subscriber
 * streams on the server's fast path), with anonymous subscribers to the topic `bench`. Its
 * updates arrive as HTTP POSTs from a publisher process of its own. With `redis`, it is one
 * node of a cluster sharing updates through Redis.
 */
import { fork } from 'node:child_process'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { SignJWT } from 'jose'
import type { ServerUnderTest, StartOptions } from './impls.js'

const KEY = 'bench-hub-key-that-is-long-enough-for-hs256!'
const BACKLOG = 4096

export async function hubStarter(options: StartOptions): Promise<ServerUnderTest> {
  const { createHub, createHubRoutes, HUB_PATH } = await import('@sprinkler/hub')
  const { createFastPath } = await import('@sprinkler/server/node')
  const errors: Record<string, number> = {}
  const transport = options.redis
    ? await (await import('@sprinkler/hub/redis')).createRedisTransport(options.redis)
    : undefined
  const hub = await createHub({
    ...(transport && { transport }),
    jwtKey: KEY,
    anonymous: true,
    heartbeatMs: 0,
    maxBufferBytes: options.maxBufferBytes ?? 1024 * 1024,
  })
  const routes = createHubRoutes(hub, { extras: false })
  const app = http.createServer((req, res) => {
    routes(req, res).then((handled) => {
      if (!handled) res.writeHead(404).end()
    })
  })
  app.keepAliveTimeout = 0
  app.requestTimeout = 0
  const server = createFastPath(app, hub.endpoint, { path: HUB_PATH })
  server.on('error', (error) => {
    const code = (error as NodeJS.ErrnoException).code ?? String(error)
    errors[code] = (errors[code] ?? 0) + 1
  })
  const port = await new Promise<number>((resolve) => {
    server.listen({ host: '127.0.0.1', port: 0, backlog: BACKLOG }, () =>
      resolve((server.address() as AddressInfo).port),
    )
  })
  const token = await new SignJWT({ mercure: { publish: ['bench'] } })
    .setProtectedHeader({ alg: 'HS256' })
    .sign(new TextEncoder().encode(KEY))
  const publisher = fork(new URL('../hub/publisher.ts', import.meta.url), [String(port), token], {
    execArgv: ['--conditions=sprinkler-source', '--import', 'tsx'],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  })
  process.once('exit', () => publisher.kill())
  return {
    port,
    publish: (payload) => {
      publisher.send(payload)
    },
    subscribers: () => hub.connections,
    errors,
  }
}
