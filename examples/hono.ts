// The seed's streams on Hono (here on Node through @hono/node-server; the app runs as is on Bun,
// Deno and Workers).
import { serve } from '@hono/node-server'
import { sse } from '@sprinkler/server/hono'
import { Hono } from 'hono'
import { runIfMain, type Streams } from './streams.js'

export function createApp(streams: Streams) {
  const app = new Hono()
  for (const [name, endpoint] of Object.entries(streams.endpoints)) {
    app.get(`/${name}`, sse(endpoint))
  }
  // What the rest of your app does when something happens:
  app.post('/notifications/:user', (c) => c.json({ unread: streams.notify(c.req.param('user')) }))
  app.put('/score', async (c) => {
    const body = await c.req.json().catch(() => undefined)
    return c.body(null, streams.setScore(body) ? 204 : 400)
  })
  app.post('/carousel/refresh', (c) => {
    streams.refreshCarousel()
    return c.body(null, 204)
  })
  return app
}

await runIfMain(import.meta.url, async (streams, port) =>
  serve({ fetch: createApp(streams).fetch, port }),
)
