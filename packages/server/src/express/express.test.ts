import { createServer } from 'node:http'
import compression from 'compression'
import express, { type Express } from 'express'
import { describe, expect, it } from 'vitest'
import {
  behaviourSuite,
  compressionSuite,
  frameworkRequestSuite,
  type StartAdapter,
} from '../../test/behaviour.js'
import { openEventStream } from '../../test/client.js'
import { adapterServer, listen } from '../../test/servers.js'
import { sse } from './index.js'

/** An Express 5 app with the event stream at /events (every method, so 405 is ours). */
function startExpress(setup?: (app: Express) => void): StartAdapter {
  return async (options) => {
    const events = sse(options)
    const app = express()
    setup?.(app)
    app.all('/events', events)
    return adapterServer(await listen(createServer(app), 1), events.endpoint)
  }
}

behaviourSuite('express', startExpress())
compressionSuite(
  'express',
  startExpress((app) => app.use(compression())),
)
frameworkRequestSuite(
  'express',
  startExpress((app) =>
    app.use((req, _res, next) => {
      Object.assign(req, { user: req.get('x-user') })
      next()
    }),
  ),
  (raw) => (raw as { user?: string }).user,
)

describe('express', () => {
  it('sees the whole URL when mounted below a path with app.use', async () => {
    const events = sse({ heartbeatMs: 0 })
    const app = express()
    app.use('/api/events', events)
    const server = adapterServer(await listen(createServer(app), 1), events.endpoint)
    try {
      const client = await openEventStream(
        `${server.url.replace('/events', '/api/events')}?topic=scores`,
      )
      expect(client.response.status).toBe(200)
      const [stream] = events.endpoint.streams
      expect(stream?.request.url.pathname).toBe('/api/events')
      expect(stream?.request.url.searchParams.get('topic')).toBe('scores')
      client.close()
    } finally {
      await server.close()
    }
  })
})
