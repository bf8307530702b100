import { createServer } from 'node:http'
import compression from 'compression'
import express, { type Express } from 'express'
import { describe, expect, it } from 'vitest'
import { behaviourSuite, compressionSuite, type StartAdapter } from '../../test/behaviour.js'
import { openEventStream } from '../../test/client.js'
import { listen } from '../../test/servers.js'
import type { SseEndpointOptions } from '../endpoint.js'
import { refuse } from '../types.js'
import { sse } from './index.js'

/** An Express 5 app with the event stream at /events (every method, so 405 is ours). */
function startExpress(setup?: (app: Express) => void): StartAdapter {
  return async (options: SseEndpointOptions) => {
    const events = sse(options)
    const app = express()
    setup?.(app)
    app.all('/events', events)
    const listening = await listen(createServer(app), 1)
    return {
      url: `${listening.origin}/events`,
      endpoint: events.endpoint,
      httpVersion: 1,
      close: async () => {
        await events.close({ timeoutMs: 1000 })
        await listening.close()
      },
    }
  }
}

behaviourSuite('express', startExpress())
compressionSuite(
  'express',
  startExpress((app) => app.use(compression())),
)

describe('express', () => {
  it('gives authorize the Express request, with what earlier middleware set', async () => {
    const start = startExpress((app) =>
      app.use((req, _res, next) => {
        ;(req as { user?: string }).user = req.get('x-user')
        next()
      }),
    )
    const server = await start({
      heartbeatMs: 0,
      authorize: (request) => {
        const { user } = request.raw as { user?: string }
        return user ? { user } : refuse(401, 'Who are you?')
      },
    })
    try {
      const anonymous = await openEventStream(server.url)
      expect(anonymous.response.status).toBe(401)
      const alice = await openEventStream(server.url, { headers: { 'x-user': 'alice' } })
      expect(alice.response.status).toBe(200)
      expect([...server.endpoint.streams].map((s) => s.principal.user)).toEqual(['alice'])
      alice.close()
    } finally {
      await server.close()
    }
  })

  it('sees the whole URL when mounted below a path with app.use', async () => {
    const events = sse({ heartbeatMs: 0 })
    const app = express()
    app.use('/api/events', events)
    const listening = await listen(createServer(app), 1)
    try {
      const client = await openEventStream(`${listening.origin}/api/events?topic=scores`)
      expect(client.response.status).toBe(200)
      const [stream] = [...events.endpoint.streams]
      expect(stream?.request.url.pathname).toBe('/api/events')
      expect(stream?.request.url.searchParams.get('topic')).toBe('scores')
      client.close()
    } finally {
      await events.close({ timeoutMs: 1000 })
      await listening.close()
    }
  })
})
