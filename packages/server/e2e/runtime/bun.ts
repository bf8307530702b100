// The app on Bun: `bun bun.js` prints the ports it got: one server with Bun's defaults, and one
// whose idle limit is as short as Bun allows (1 s, which Bun checks every few seconds), serving
// the app and, under /hono, a Hono app with a silent stream.
import { sse } from '@sprinkler/server/hono'
import { Hono } from 'hono'
import { createApp } from './app.js'

declare const Bun: {
  serve(options: {
    hostname: string
    port: number
    idleTimeout?: number
    fetch(request: Request, server: unknown): Promise<Response> | Response
  }): { port: number }
}

const fetch = createApp()
const hono = new Hono().get('/hono/quiet', sse({ heartbeatMs: 0, retryMs: 1000 }))
const server = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch })
const shortIdle = Bun.serve({
  hostname: '127.0.0.1',
  port: 0,
  idleTimeout: 1,
  fetch: (request, bun) =>
    new URL(request.url).pathname.startsWith('/hono/')
      ? hono.fetch(request, bun)
      : fetch(request, bun),
})
console.log(`listening on ${server.port}, short idle on ${shortIdle.port}`)
