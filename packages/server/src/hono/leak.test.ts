import type { Server } from 'node:http'
import { createAdaptorServer } from '@hono/node-server'
import { Hono } from 'hono'
import { leakSuite } from '../../test/leak.js'
import { sse } from './index.js'

// Hono on @hono/node-server: the web transport (a ReadableStream body per connection).
leakSuite('hono on @hono/node-server', 10_000, (options) => {
  const events = sse(options)
  const app = new Hono().get('/events', events)
  return { server: createAdaptorServer({ fetch: app.fetch }) as Server, endpoint: events.endpoint }
})
