import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify'
import { describe, expect, it } from 'vitest'
import { behaviourSuite, frameworkRequestSuite, type StartAdapter } from '../../test/behaviour.js'
import { openEventStream, until } from '../../test/client.js'
import { http2Fetch, tlsFixture } from '../../test/http2.js'
import { adapterServer, type Listening } from '../../test/servers.js'
import { createChannel } from '../channel.js'
import { SseEndpoint } from '../endpoint.js'
import { refuse } from '../types.js'
import { type FastifySseOptions, sprinklerSse } from './index.js'

/** A listening Fastify app (HTTP/1.1, or HTTP/2 over TLS) with the plugin registered. */
async function startFastify(
  httpVersion: 1 | 2,
  routes: (app: FastifyInstance) => void,
  options: FastifySseOptions = {},
): Promise<Listening & { app: FastifyInstance }> {
  const app =
    // HTTP/2 sessions outlive their streams: forceCloseConnections lets app.close() end them.
    (
      httpVersion === 2
        ? Fastify({ http2: true, https: tlsFixture, forceCloseConnections: true })
        : Fastify()
    ) as FastifyInstance
  await app.register(sprinklerSse, options)
  routes(app)
  const origin = await app.listen({ port: 0, host: '127.0.0.1' })
  const client = httpVersion === 2 ? http2Fetch() : undefined
  return {
    app,
    origin,
    httpVersion,
    ...(client && { fetch: client.fetch }),
    close: async () => {
      await client?.close()
      await app.close()
    },
  }
}

/** The behaviour suite's server: an endpoint at /events, with `setup` run first. */
function startAdapter(httpVersion: 1 | 2, setup?: (app: FastifyInstance) => void): StartAdapter {
  return async (options) => {
    const endpoint = new SseEndpoint(options)
    const server = await startFastify(httpVersion, (app) => {
      setup?.(app)
      // Every method, so that 405 is the endpoint's answer rather than Fastify's 404.
      app.route({ method: ['GET', 'POST'], url: '/events', eventStream: endpoint, handler() {} })
    })
    return adapterServer(server, endpoint)
  }
}

for (const httpVersion of [1, 2] as const) {
  const name = `fastify, HTTP/${httpVersion}`
  behaviourSuite(name, startAdapter(httpVersion))
  frameworkRequestSuite(
    name,
    startAdapter(httpVersion, (app) => {
      app.decorateRequest('user', undefined)
      app.addHook('onRequest', async (request) => {
        Object.assign(request, { user: request.headers['x-user'] })
      })
    }),
    (raw) => (raw as { user?: string }).user,
  )
}

describe('fastify plugin', () => {
  it('runs the route handler with the open stream as reply.eventStream, with plugin defaults', async () => {
    const channel = createChannel()
    const server = await startFastify(
      1,
      (app) => {
        app.get('/events', { eventStream: true }, (request, reply) => {
          reply.eventStream.send({ event: 'hello', data: request.query })
          channel.subscribe(reply.eventStream)
        })
        // A route's own options override the plugin's, one by one.
        app.get('/open', { eventStream: { authorize: () => ({}) } }, (_request, reply) => {
          reply.eventStream.send({ data: 'open to all' })
        })
      },
      {
        heartbeatMs: 0,
        authorize: (request) => {
          const token = (request.raw as FastifyRequest).headers.authorization
          return token === 'Bearer ok' ? { user: 'u1' } : refuse(401, 'A token is required.')
        },
      },
    )
    try {
      const refused = await openEventStream(`${server.origin}/events`)
      expect(refused.response.status).toBe(401)
      const client = await openEventStream(`${server.origin}/events?room=7`, {
        headers: { authorization: 'Bearer ok' },
      })
      await until(() => channel.size === 1, 'a subscriber')
      channel.publish({ data: 'live' })
      const [hello, live] = await client.waitForEvents(2)
      expect(hello).toMatchObject({ type: 'hello', data: '{"room":"7"}' })
      expect(live?.data).toBe('live')
      const open = await openEventStream(`${server.origin}/open`)
      expect((await open.waitForEvents(1))[0]?.data).toBe('open to all')
      client.close()
      open.close()
    } finally {
      await server.close()
    }
  })

  it("lets Fastify's own hooks refuse before any stream opens", async () => {
    const endpoint = new SseEndpoint({ heartbeatMs: 0 })
    const server = await startFastify(1, (app) => {
      app.get(
        '/events',
        {
          eventStream: endpoint,
          onRequest: async (request, reply) => {
            if (!request.headers.cookie) await reply.code(401).send({ error: 'no session' })
          },
        },
        () => {},
      )
    })
    try {
      const res = await fetch(`${server.origin}/events`)
      expect(res.status).toBe(401)
      expect(await res.json()).toEqual({ error: 'no session' })
      expect(endpoint.stats.opened).toBe(0)
    } finally {
      await server.close()
    }
  })

  it('closes the stream and reports ERR_SSE_HANDLER_FAILED when the handler throws', async () => {
    const endpoint = new SseEndpoint({ heartbeatMs: 0 })
    const errors: { code: string; cause: unknown }[] = []
    endpoint.addEventListener('error', (e) => errors.push((e as CustomEvent).detail))
    const server = await startFastify(1, (app) => {
      app.get('/events', { eventStream: endpoint }, async (_request, reply) => {
        reply.eventStream.send({ data: 'before' })
        throw new Error('boom')
      })
    })
    try {
      const client = await openEventStream(`${server.origin}/events`)
      await client.ended
      expect(client.events.map((e) => e.data)).toEqual(['before'])
      expect(errors).toMatchObject([{ code: 'ERR_SSE_HANDLER_FAILED', cause: { message: 'boom' } }])
    } finally {
      await server.close()
    }
  })

  it('reports errors of endpoints the plugin made (from `true` and options) on app.eventStreams', async () => {
    const errors: { code: string; cause: unknown }[] = []
    const server = await startFastify(
      1,
      (app) => {
        app.eventStreams.addEventListener('error', (e) => errors.push((e as CustomEvent).detail))
        app.get('/throws', { eventStream: true }, async () => {
          throw new Error('handler broke')
        })
        app.get(
          '/denied',
          {
            eventStream: {
              authorize: () => {
                throw new Error('session store down')
              },
            },
          },
          () => {},
        )
      },
      { heartbeatMs: 0 },
    )
    try {
      const thrown = await openEventStream(`${server.origin}/throws`)
      await thrown.ended
      const denied = await fetch(`${server.origin}/denied`)
      expect(denied.status).toBe(500)
      expect(await denied.text()).not.toContain('session store down')
      expect(errors).toMatchObject([
        { code: 'ERR_SSE_HANDLER_FAILED', cause: { message: 'handler broke' } },
        { code: 'ERR_SSE_AUTHORIZE_FAILED', cause: { message: 'session store down' } },
      ])
      // One endpoint per route (GET and its automatic HEAD share it), with its stats at hand.
      const stats = [...server.app.eventStreams.endpoints].map((e) => e.stats)
      expect(stats).toMatchObject([{ opened: 1 }, { refused: 1 }])
    } finally {
      await server.close()
    }
  })

  it('checks the plugin options at registration: ERR_SSE_INVALID_OPTION', async () => {
    for (const [options, message] of [
      [
        { maxBufferBytes: Number.NaN },
        'sprinklerSse: maxBufferBytes must be an integer >= 1, not NaN',
      ],
      [{ shutdown: { timeoutMs: -1 } }, 'sprinklerSse shutdown: timeoutMs must be an integer >= 0'],
    ] as const) {
      const app = Fastify()
      await expect(app.register(sprinklerSse, options as FastifySseOptions)).rejects.toMatchObject({
        code: 'ERR_SSE_INVALID_OPTION',
        message: expect.stringContaining(message),
      })
      await app.close()
    }
  })

  for (const httpVersion of [1, 2] as const) {
    it(`app.close() ends every stream with the shutdown event, HTTP/${httpVersion}`, async () => {
      const endpoint = new SseEndpoint({ heartbeatMs: 0 })
      const server = await startFastify(
        httpVersion,
        (app) => app.get('/events', { eventStream: endpoint }, () => {}),
        { shutdown: { event: { event: 'bye', data: 'restarting' }, timeoutMs: 5000 } },
      )
      const clients = await Promise.all(
        [1, 2].map(() =>
          openEventStream(`${server.origin}/events`, server.fetch ? { fetch: server.fetch } : {}),
        ),
      )
      await until(() => endpoint.streams.size === 2, 'two streams')
      await server.app.close()
      await Promise.all(clients.map((c) => c.ended))
      for (const c of clients) expect(c.events.at(-1)).toMatchObject({ type: 'bye' })
      expect(endpoint.streams.size).toBe(0)
      await server.close()
    })
  }
})
