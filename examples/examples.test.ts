import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { serve } from '@hono/node-server'
import { EventSource } from '@sprinkler/client'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createApp as createExpressApp } from './express.js'
import { createApp as createFastifyApp } from './fastify.js'
import { createApp as createHonoApp } from './hono.js'
import { createStreams, type Streams } from './streams.js'

/** Starts one framework's example app on a free port of 127.0.0.1. */
type Start = (streams: Streams) => Promise<{ origin: string; close(): Promise<void> }>

function listening(server: Server): Promise<{ origin: string; close(): Promise<void> }> {
  return new Promise((resolve) => {
    const ready = () => {
      const { port } = server.address() as AddressInfo
      resolve({
        origin: `http://127.0.0.1:${port}`,
        close: () => new Promise((done) => server.close(() => done())),
      })
    }
    if (server.listening) ready()
    else server.once('listening', ready)
  })
}

const frameworks: Record<string, Start> = {
  express: async (streams) => listening(createExpressApp(streams).listen(0, '127.0.0.1')),
  hono: async (streams) =>
    listening(
      serve({ fetch: createHonoApp(streams).fetch, port: 0, hostname: '127.0.0.1' }) as Server,
    ),
  fastify: async (streams) => {
    const app = await createFastifyApp(streams)
    const origin = await app.listen({ port: 0, host: '127.0.0.1' })
    return { origin, close: () => app.close() }
  },
}

/** An EventSource (@sprinkler/client) that collects its messages, to await them in order. */
function listen(url: string, headers?: Record<string, string>) {
  const source = new EventSource(url, headers ? { headers } : {})
  const messages: MessageEvent<string>[] = []
  let waiting: { count: number; resolve(): void } | undefined
  source.addEventListener('message', (event) => {
    messages.push(event as MessageEvent<string>)
    if (waiting && messages.length >= waiting.count) waiting.resolve()
  })
  return {
    source,
    /** Resolves with the data of the first `count` messages. */
    async data(count: number): Promise<string[]> {
      if (messages.length < count) {
        await new Promise<void>((resolve) => {
          waiting = { count, resolve }
        })
      }
      return messages.slice(0, count).map((m) => m.data)
    },
    lastEventId: () => messages.at(-1)?.lastEventId ?? '',
  }
}

for (const [framework, start] of Object.entries(frameworks)) {
  describe(`examples on ${framework}`, () => {
    let streams: Streams
    let server: { origin: string; close(): Promise<void> }
    const sources: EventSource[] = []
    const open = (path: string, headers?: Record<string, string>) => {
      const client = listen(`${server.origin}${path}`, headers)
      sources.push(client.source)
      return client
    }
    const post = (path: string, method = 'POST', body?: unknown) =>
      fetch(`${server.origin}${path}`, {
        method,
        ...(body !== undefined && {
          body: JSON.stringify(body),
          headers: { 'content-type': 'application/json' },
        }),
      })
    /** Resolves once `n` clients are connected to the stream at `name`. */
    const connected = async (name: keyof Streams['endpoints'], n: number) => {
      const endpoint = streams.endpoints[name]
      while (endpoint.streams.size < n) {
        await new Promise((resolve) => endpoint.addEventListener('open', resolve, { once: true }))
      }
    }

    beforeEach(async () => {
      streams = createStreams({
        sessions: new Map([
          ['alice-token', 'alice'],
          ['bob-token', 'bob'],
        ]),
        counterIntervalMs: 5,
      })
      server = await start(streams)
    })
    afterEach(async () => {
      for (const source of sources.splice(0)) source.close()
      await streams.close()
      await server.close()
    })

    it("counter: the seed's stream, one counter per connection", async () => {
      const client = open('/counter')
      expect(await client.data(3)).toEqual([
        'Hello from server! Counter: 0',
        'Hello from server! Counter: 1',
        'Hello from server! Counter: 2',
      ])
    })

    it('badge: each user gets their own unread count; no session, no stream', async () => {
      const anonymous = await fetch(`${server.origin}/badge`)
      expect(anonymous.status).toBe(401)
      expect((await anonymous.json()).error.code).toBe('ERR_SSE_UNAUTHORIZED')

      const alice = open('/badge', { authorization: 'Bearer alice-token' })
      const bob = open('/badge', { cookie: 'theme=dark; session=bob-token' })
      expect(await alice.data(1)).toEqual(['0'])
      expect(await bob.data(1)).toEqual(['0'])
      expect(await (await post('/notifications/alice')).json()).toEqual({ unread: 1 })
      await post('/notifications/alice')
      await post('/notifications/bob')
      expect(await alice.data(3)).toEqual(['0', '1', '2'])
      expect(await bob.data(2)).toEqual(['0', '1'])
    })

    it('scores: JSON for every scoreboard, and a returning client gets what it missed', async () => {
      const board = open('/scores')
      expect(JSON.parse((await board.data(1))[0] as string)).toEqual({ teamA: 0, teamB: 0 })
      expect((await post('/score', 'PUT', { teamA: 24, teamB: 21 })).status).toBe(204)
      expect((await post('/score', 'PUT', { teamA: 'x' })).status).toBe(400)
      const [, update] = await board.data(2)
      expect(JSON.parse(update as string)).toEqual({ teamA: 24, teamB: 21 })

      const seen = board.lastEventId()
      board.source.close()
      await post('/score', 'PUT', { teamA: 27, teamB: 21 })
      const back = open('/scores', { 'last-event-id': seen })
      expect((await back.data(1)).map((d) => JSON.parse(d))).toEqual([{ teamA: 27, teamB: 21 }])
    })

    it('carousel: every open page gets the refresh signal', async () => {
      const pages = [open('/carousel'), open('/carousel')]
      await connected('carousel', 2)
      await post('/carousel/refresh')
      for (const page of pages) expect(await page.data(1)).toEqual(['refresh-carousel'])
    })
  })
}
