// #region docs
import { serve } from '@hono/node-server'
import { createChannel } from '@sprinkler/server'
import { sse } from '@sprinkler/server/hono'
import { Hono } from 'hono'

export const news = createChannel({ history: { maxEvents: 100 } })
const events = sse({ onStream: (stream) => void news.subscribe(stream) })

export const app = new Hono()
app.get('/events', events)
app.post('/headlines', async (c) => {
  news.publish({ event: 'headline', data: await c.req.json() })
  return c.body(null, 204)
})

// On Node; on Bun, Deno or Workers, export `app` (its `fetch`) as usual.
export function start(port = 3000) {
  return serve({ fetch: app.fetch, port, hostname: '127.0.0.1' })
}
// #endregion docs

export const close = () => events.close()
