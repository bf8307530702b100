import { Hono } from 'hono'
import { compress } from 'hono/compress'
import { describe, expect, it } from 'vitest'
import { behaviourSuite, compressionSuite, type StartAdapter } from '../../test/behaviour.js'
import { openEventStream } from '../../test/client.js'
import { serveFetch } from '../../test/servers.js'
import type { SseEndpointOptions } from '../endpoint.js'
import { refuse } from '../types.js'
import { sse } from './index.js'

/** A Hono app with the event stream at /events (every method, so 405 is ours), on node-server. */
function startHono(httpVersion: 1 | 2, setup?: (app: Hono) => void): StartAdapter {
  return async (options: SseEndpointOptions) => {
    const events = sse(options)
    const app = new Hono()
    setup?.(app)
    app.all('/events', events)
    const listening = await serveFetch(app.fetch, httpVersion)
    return {
      url: `${listening.origin}/events`,
      endpoint: events.endpoint,
      httpVersion,
      ...(listening.fetch && { fetch: listening.fetch }),
      close: async () => {
        await events.close({ timeoutMs: 1000 })
        await listening.close()
      },
    }
  }
}

for (const httpVersion of [1, 2] as const) {
  behaviourSuite(`hono, HTTP/${httpVersion}`, startHono(httpVersion))
  // compress() skips text/event-stream by type; told to compress every type, only our
  // Cache-Control: no-transform keeps it off (without it, events wait in the gzip buffer).
  compressionSuite(
    `hono, HTTP/${httpVersion}`,
    startHono(httpVersion, (app) => app.use(compress({ contentTypeFilter: /./ }))),
  )
}

describe('hono', () => {
  it('gives authorize the Hono context, with what earlier middleware set', async () => {
    const start = startHono(1, (app) =>
      app.use('/events', async (c, next) => {
        c.set('user' as never, c.req.header('x-user') as never)
        await next()
      }),
    )
    const server = await start({
      heartbeatMs: 0,
      authorize: (request) => {
        const user = (request.raw as { get(key: string): string | undefined }).get('user')
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
})
