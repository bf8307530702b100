import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openEventStream, type TestEventStream, until } from '../../server/test/client.js'
import {
  type HubProcess,
  mint,
  publish,
  publishOk,
  SECRET,
  startHub,
  subscribeUrl,
  unsignedToken,
} from '../test/harness.js'
import { describeTransports } from '../test/transports.js'

// Black-box: a real `sprinkler hub` process on a free port, spoken to over HTTP only, once on
// each transport.
const EX = 'https://example.com'
let hub: HubProcess
let publisher: string
const streams: TestEventStream[] = []

async function subscribe(
  topics: string[],
  options: {
    token?: string
    headers?: Record<string, string>
    query?: Record<string, string>
  } = {},
) {
  const stream = await openEventStream(subscribeUrl(hub.hub, topics, options.query), {
    headers: {
      ...(options.token && { authorization: `Bearer ${options.token}` }),
      ...options.headers,
    },
  })
  streams.push(stream)
  return stream
}

/** Events up to (not including) the one whose data is `end`. */
async function until_end(stream: TestEventStream): Promise<string[]> {
  await until(() => stream.events.some((e) => e.data === 'end'), 'the end marker', 20_000)
  const all = stream.events.map((e) => e.data)
  return all.slice(0, all.indexOf('end'))
}

describeTransports('sprinkler hub', (transport) => {
  beforeAll(async () => {
    hub = await startHub([
      '--jwt-key',
      SECRET,
      '--anonymous',
      '--history-size',
      '500',
      ...transport.flags(),
    ])
    publisher = await mint({ publish: ['*'] })
  })

  afterAll(async () => {
    for (const s of streams.splice(0)) s.close()
    await hub.stop()
  })

  describe('topic selectors', () => {
    it('delivers by exact topic, `*` and URI template, and never a non-matching update', async () => {
      const t = `${EX}/sel/${Date.now()}`
      const exact = await subscribe([`${t}/books/1`])
      const all = await subscribe(['*'])
      const template = await subscribe([`${t}/books/{id}`])
      const other = await subscribe([`${t}/authors/{id}`])
      await publishOk(hub.hub, publisher, { topic: `${t}/books/1`, data: 'book 1' })
      await publishOk(hub.hub, publisher, { topic: `${t}/books/2`, data: 'book 2' })
      await publishOk(hub.hub, publisher, { topic: `${t}/books/2/reviews`, data: 'review' })
      // One end marker that every subscriber matches.
      await publishOk(hub.hub, publisher, {
        topic: [`${t}/authors/x`, `${t}/books/1`, `${t}/books/9`, '*'],
        data: 'end',
      })
      expect(await until_end(exact)).toEqual(['book 1'])
      expect((await until_end(all)).filter((d) => d.startsWith('book') || d === 'review')).toEqual([
        'book 1',
        'book 2',
        'review',
      ])
      expect(await until_end(template)).toEqual(['book 1', 'book 2'])
      expect(await until_end(other)).toEqual([])
    })

    it('matches an update by any of its topics, canonical or alternate', async () => {
      const t = `${EX}/alt/${Date.now()}`
      const s = await subscribe([`${t}/b`])
      await publishOk(hub.hub, publisher, { topic: [`${t}/a`, `${t}/b`], data: 'via alternate' })
      await publishOk(hub.hub, publisher, { topic: `${t}/b`, data: 'end' })
      expect(await until_end(s)).toEqual(['via alternate'])
    })
  })

  describe('update fields', () => {
    it('round-trips multi-line data, type, retry and the given id', async () => {
      const t = `${EX}/fields/${Date.now()}`
      const res = await fetch(subscribeUrl(hub.hub, [t]))
      const reader = res.body?.getReader() as ReadableStreamDefaultReader<Uint8Array>
      const id = await publishOk(hub.hub, publisher, {
        topic: t,
        data: 'line 1\nline 2\r\nline 3',
        type: 'book-updated',
        retry: 1234,
        id: 'urn:example:42',
      })
      expect(id).toBe('urn:example:42')
      let text = ''
      const decoder = new TextDecoder()
      while (!text.includes('\n\n')) text += decoder.decode((await reader.read()).value)
      await reader.cancel()
      expect(text.slice(text.indexOf('event:'))).toBe(
        'event: book-updated\nid: urn:example:42\nretry: 1234\ndata: line 1\ndata: line 2\ndata: line 3\n\n',
      )
    })

    it('generates urn:uuid ids and answers 200 text/plain with the id', async () => {
      const res = await publish(hub.hub, publisher, { topic: `${EX}/gen`, data: 'x' })
      expect(res.status).toBe(200)
      expect(res.headers.get('content-type')).toMatch(/^text\/plain/)
      expect(await res.text()).toMatch(/^urn:uuid:[0-9a-f-]{36}$/)
    })
  })

  describe('private updates', () => {
    it('reach only subscribers whose mercure.subscribe matches a topic, live and replayed', async () => {
      const t = `${EX}/priv/${Date.now()}`
      const alt = (n: number) => `${EX}/users/alice/?topic=${encodeURIComponent(`${t}/books/${n}`)}`
      const tokens = {
        anonymous: undefined,
        noClaim: await mint({}),
        emptyClaim: await mint({ subscribe: [] }),
        book1: await mint({ subscribe: [`${t}/books/1`] }),
        alice: await mint({ subscribe: [`${EX}/users/alice/{?topic}`] }),
        everything: await mint({ subscribe: ['*'] }),
        wrongKey: undefined,
      }
      const expected: Record<string, string[]> = {
        anonymous: ['public 1'],
        noClaim: ['public 1'],
        emptyClaim: ['public 1'],
        book1: ['public 1', 'private 1'],
        alice: ['public 1', 'private 2 for alice'],
        everything: ['public 1', 'private 1', 'private 2 for alice', 'private 3'],
      }
      const start = await publishOk(hub.hub, publisher, { topic: `${t}/start`, data: 'start' })
      const live = Object.fromEntries(
        await Promise.all(
          Object.entries(expected).map(async ([name]) => [
            name,
            await subscribe([`${t}/books/{id}`], {
              token: tokens[name as keyof typeof tokens] as string,
            }),
          ]),
        ),
      ) as Record<string, TestEventStream>
      await publishOk(hub.hub, publisher, { topic: `${t}/books/1`, data: 'public 1' })
      await publishOk(hub.hub, publisher, {
        topic: `${t}/books/1`,
        data: 'private 1',
        private: true,
      })
      await publishOk(hub.hub, publisher, {
        topic: [`${t}/books/2`, alt(2)],
        data: 'private 2 for alice',
        private: true,
      })
      await publishOk(hub.hub, publisher, {
        topic: `${t}/books/3`,
        data: 'private 3',
        private: true,
      })
      await publishOk(hub.hub, publisher, { topic: `${t}/books/999`, data: 'end' })
      for (const [name, stream] of Object.entries(live)) {
        expect([name, await until_end(stream)]).toEqual([name, expected[name]])
      }
      // The same subscribers resuming from before it all get exactly the same, from history.
      for (const [name, want] of Object.entries(expected)) {
        const replayed = await subscribe([`${t}/books/{id}`], {
          token: tokens[name as keyof typeof tokens] as string,
          headers: { 'last-event-id': start },
        })
        expect(replayed.response.headers.get('last-event-id')).toBe(start)
        expect([name, await until_end(replayed)]).toEqual([name, want])
      }
    })
  })

  describe('replay', () => {
    it('resumes by Last-Event-ID header or lastEventID query parameter without gap or duplicate while publishing', async () => {
      const t = `${EX}/replay/${Date.now()}`
      for (const how of ['header', 'query'] as const) {
        const first = await subscribe([t])
        let n = 0
        const next = () => publishOk(hub.hub, publisher, { topic: t, data: String(++n) })
        for (let i = 0; i < 10; i++) await next()
        await first.waitForEvents(10)
        first.close()
        for (let i = 0; i < 10; i++) await next() // missed while away
        const lastId = (first.events[9] as { lastEventId: string }).lastEventId
        const resumed = subscribe(
          [t],
          how === 'header'
            ? { headers: { 'last-event-id': lastId } }
            : { query: { lastEventID: lastId } },
        )
        // Published one after another (so their order is known) while the replay runs.
        const during = (async () => {
          for (let i = 0; i < 10; i++) await next()
        })()
        const second = await resumed
        await during
        await publishOk(hub.hub, publisher, { topic: t, data: 'end' })
        const got = [...first.events.map((e) => e.data), ...(await until_end(second))]
        expect([how, got.map(Number)]).toEqual([how, Array.from({ length: 30 }, (_, i) => i + 1)])
      }
    })

    it('answers Last-Event-ID: earliest and replays what it has for an unknown id', async () => {
      const t = `${EX}/unknown/${Date.now()}`
      await publishOk(hub.hub, publisher, { topic: t, data: 'retained' })
      const s = await subscribe([t], { headers: { 'last-event-id': 'urn:uuid:never-issued' } })
      expect(s.response.headers.get('last-event-id')).toBe('earliest')
      await publishOk(hub.hub, publisher, { topic: t, data: 'end' })
      expect(await until_end(s)).toEqual(['retained'])
    })
  })

  describe('authorization', () => {
    it('refuses missing, malformed, unsigned, wrongly signed and expired publisher tokens with 401', async () => {
      const t = `${EX}/auth`
      const cases = {
        missing: undefined,
        malformed: 'not.a.jwt',
        unsigned: unsignedToken({ publish: ['*'] }),
        wrongKey: await mint({ publish: ['*'] }, { key: 'another-secret-that-is-long-enough!!' }),
        expired: await mint({ publish: ['*'] }, { expiresInS: -60 }),
      }
      for (const [name, token] of Object.entries(cases)) {
        const res = await publish(hub.hub, token, { topic: t, data: 'x' })
        const body = await res.json()
        expect([name, res.status, body.error.code]).toEqual([
          name,
          401,
          name === 'missing' ? 'ERR_HUB_UNAUTHORIZED' : 'ERR_HUB_INVALID_TOKEN',
        ])
      }
    })

    it('answers 403 for a topic outside mercure.publish, even when other topics are allowed', async () => {
      const token = await mint({ publish: [`${EX}/mine/{id}`] })
      expect((await publish(hub.hub, token, { topic: `${EX}/mine/1`, data: 'ok' })).status).toBe(
        200,
      )
      const res = await publish(hub.hub, token, {
        topic: [`${EX}/mine/1`, `${EX}/theirs/1`],
        data: 'x',
      })
      expect(res.status).toBe(403)
      expect((await res.json()).error.code).toBe('ERR_HUB_FORBIDDEN_TOPIC')
      const none = await publish(hub.hub, await mint({ subscribe: ['*'] }), {
        topic: `${EX}/mine/1`,
      })
      expect(none.status).toBe(403)
    })

    it('takes the token from the header first, then the query parameter, then the cookie', async () => {
      const t = `${EX}/sources/${Date.now()}`
      const good = await mint({ subscribe: ['*'] })
      const bad = 'bad.token.here'
      const viaQuery = await subscribe([t], { query: { authorization: good } })
      expect(viaQuery.response.status).toBe(200)
      expect(viaQuery.response.headers.get('cache-control')).toContain('private')
      const viaCookie = await subscribe([t], {
        headers: { cookie: `other=1; mercureAuthorization=${good}` },
      })
      expect(viaCookie.response.status).toBe(200)
      const headerWins = await subscribe([t], { token: bad, query: { authorization: good } })
      expect(headerWins.response.status).toBe(401)
      const queryWins = await subscribe([t], {
        query: { authorization: bad },
        headers: { cookie: `mercureAuthorization=${good}` },
      })
      expect(queryWins.response.status).toBe(401)
      await publishOk(hub.hub, publisher, { topic: t, data: 'secret', private: true })
      await publishOk(hub.hub, publisher, { topic: t, data: 'end' })
      expect(await until_end(viaQuery)).toEqual(['secret'])
      expect(await until_end(viaCookie)).toEqual(['secret'])
    })

    it('closes a subscriber stream when its token expires', async () => {
      const token = await mint({ subscribe: ['*'] }, { expiresInS: 2 })
      const s = await subscribe([`${EX}/expiry`], { token })
      expect(s.response.status).toBe(200)
      await s.ended // the hub ends it at `exp`; the test timeout is the safety net
    })
  })

  describe('bad input', () => {
    it('answers 400 without a topic, 400 for a malformed template, 413 for an oversized body, 415 for another content type', async () => {
      const noTopic = await publish(hub.hub, publisher, { topic: [], data: 'x' })
      expect([noTopic.status, (await noTopic.json()).error.code]).toEqual([
        400,
        'ERR_HUB_MISSING_TOPIC',
      ])
      const sub = await fetch(hub.hub)
      expect([sub.status, (await sub.json()).error.code]).toEqual([400, 'ERR_HUB_MISSING_TOPIC'])
      const template = await fetch(subscribeUrl(hub.hub, [`${EX}/books/{id`]))
      expect([template.status, (await template.json()).error.code]).toEqual([
        400,
        'ERR_HUB_INVALID_TOPIC_SELECTOR',
      ])
      const big = await publish(hub.hub, publisher, {
        topic: `${EX}/big`,
        data: 'x'.repeat(2 * 1024 * 1024),
      })
      expect([big.status, (await big.json()).error.code]).toEqual([413, 'ERR_HUB_BODY_TOO_LARGE'])
      const json = await fetch(hub.hub, {
        method: 'POST',
        headers: { authorization: `Bearer ${publisher}`, 'content-type': 'application/json' },
        body: JSON.stringify({ topic: 'x' }),
      })
      expect(json.status).toBe(415)
      const badId = await publish(hub.hub, publisher, { topic: `${EX}/x`, id: '#fragment' })
      expect(badId.status).toBe(400)
    })

    it('keeps serving other subscribers through all of it', async () => {
      const t = `${EX}/steady/${Date.now()}`
      const s = await subscribe([t])
      await publish(hub.hub, 'garbage', { topic: t, data: 'nope' })
      await publish(hub.hub, publisher, { topic: t, data: 'y'.repeat(3 * 1024 * 1024) })
      await fetch(subscribeUrl(hub.hub, [`${t}/{broken`]))
      await publishOk(hub.hub, publisher, { topic: t, data: 'still here' })
      await publishOk(hub.hub, publisher, { topic: t, data: 'end' })
      expect(await until_end(s)).toEqual(['still here'])
      const health = await fetch(`${hub.origin}/healthz`)
      expect((await health.json()).status).toBe('ok')
    })
  })
})
