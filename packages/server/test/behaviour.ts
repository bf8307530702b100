import { connect as connectHttp2 } from 'node:http2'
import { connect } from 'node:net'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { activeHeartbeatTimers } from '../src/heartbeat.js'
import {
  type Channel,
  createChannel,
  refuse,
  type SseEndpoint,
  type SseEndpointOptions,
  type SseStream,
} from '../src/index.js'
import { openEventStream, type TestEventStream, until } from './client.js'
import { tlsFixture } from './http2.js'

/** A running server with one event-stream route, as an adapter test builds it. */
export interface AdapterServer {
  /** Full URL of the event-stream route. */
  url: string
  endpoint: SseEndpoint
  /** HTTP major version clients speak to it. */
  httpVersion: 1 | 2
  /** How to reach it (an HTTP/2-capable fetch for HTTP/2 servers); default: global fetch. */
  fetch?: typeof fetch
  close(): Promise<void>
}

export type StartAdapter = (options: SseEndpointOptions) => Promise<AdapterServer>

/**
 * The behaviour every adapter must show, against a real server on 127.0.0.1. Each adapter's
 * test file calls this with a function that starts its server.
 */
export function behaviourSuite(name: string, start: StartAdapter): void {
  describe(`${name}: behaviour`, () => {
    let server: AdapterServer | undefined
    const clients: TestEventStream[] = []
    let channel: Channel

    async function serve(options: SseEndpointOptions = {}): Promise<AdapterServer> {
      server = await start({
        heartbeatMs: 0,
        onStream: (stream) => {
          channel.subscribe(stream)
        },
        ...options,
      })
      return server
    }
    async function open(headers?: Record<string, string>): Promise<TestEventStream> {
      const s = server as AdapterServer
      const client = await openEventStream(s.url, {
        ...(headers && { headers }),
        ...(s.fetch && { fetch: s.fetch }),
      })
      clients.push(client)
      return client
    }
    const subscribed = (n: number) => until(() => channel.size === n, `${n} subscribers`)

    beforeEach(() => {
      channel = createChannel({ history: { maxEvents: 100 } })
    })
    afterEach(async () => {
      for (const c of clients.splice(0)) c.close()
      await server?.close()
      server = undefined
      vi.useRealTimers()
    })

    it('responds with the event-stream headers (Connection only on HTTP/1.x)', async () => {
      const s = await serve()
      const client = await open()
      const h = client.response.headers
      expect(client.response.status).toBe(200)
      expect(h.get('content-type')).toBe('text/event-stream; charset=utf-8')
      expect(h.get('cache-control')).toBe('no-cache, no-transform')
      expect(h.get('x-accel-buffering')).toBe('no')
      expect(h.get('content-encoding')).toBeNull()
      if (s.httpVersion === 1) expect(h.get('connection')).toBe('keep-alive')
      else expect(h.get('connection')).toBeNull()
    })

    it('answers HEAD with the event-stream headers and no stream', async () => {
      const s = await serve()
      const head = await (s.fetch ?? fetch)(s.url, { method: 'HEAD' })
      expect(head.status).toBe(200)
      expect(head.headers.get('content-type')).toBe('text/event-stream; charset=utf-8')
      expect(await head.text()).toBe('')
      expect(s.endpoint.streams.size).toBe(0)
      expect(channel.size).toBe(0)
    })

    it('sends the retry hint first when retryMs is set', async () => {
      await serve({ retryMs: 2500 })
      const client = await open()
      await subscribed(1)
      channel.publish({ data: 'x' })
      const [event] = await client.waitForEvents(1)
      expect(event?.data).toBe('x')
      expect(client.retries).toEqual([2500])
    })

    it('delivers events in order with ids, types and JSON data', async () => {
      await serve()
      const client = await open()
      await subscribed(1)
      channel.publish({ event: 'score', data: { home: 1, away: 0 } })
      channel.publish({ data: 'line 1\nline 2' })
      const events = await client.waitForEvents(2)
      expect(events.map((e) => [e.type, e.data])).toEqual([
        ['score', '{"home":1,"away":0}'],
        ['message', 'line 1\nline 2'],
      ])
      expect(events[1]?.lastEventId).toMatch(/-2$/)
    })

    it('writes a comment heartbeat only when the stream was idle', async () => {
      vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] })
      await serve({ heartbeatMs: 1000 })
      const client = await open()
      await subscribed(1)
      vi.advanceTimersByTime(1000) // first beat: the stream has written nothing yet
      await until(() => client.comments.length === 1, 'a heartbeat')
      channel.publish({ data: 'busy' })
      await client.waitForEvents(1)
      vi.advanceTimersByTime(1000) // wrote since the last beat: no comment
      vi.advanceTimersByTime(1000) // idle again: a comment
      await until(() => client.comments.length === 2, 'a second heartbeat')
    })

    it('frees the stream, its subscriptions and its heartbeat when the client goes away', async () => {
      const s = await serve({ heartbeatMs: 60_000 })
      let stream: SseStream | undefined
      s.endpoint.addEventListener('open', (e) => {
        stream = (e as CustomEvent<SseStream>).detail
      })
      const client = await open()
      await subscribed(1)
      expect(activeHeartbeatTimers()).toBe(1)
      client.close()
      await until(() => s.endpoint.streams.size === 0, 'the stream to be forgotten')
      expect(stream?.signal.reason.code).toBe('ERR_SSE_CLIENT_CLOSED')
      expect(channel.size).toBe(0)
      expect(activeHeartbeatTimers()).toBe(0)
    })

    it('replays exactly the missed events under concurrent publishing: no gap, no duplicate', async () => {
      await serve()
      const total = 60
      let published = 0
      const publishSome = () => {
        for (let i = 0; i < 3 && published < total; i++) channel.publish({ data: `${++published}` })
      }
      const first = await open()
      await subscribed(1)
      while (published < 15) publishSome()
      await first.waitForEvents(15)
      first.close()
      await subscribed(0)
      // Missed while away, then more published while the client reconnects and is replayed.
      while (published < 30) publishSome()
      const ticker = setInterval(publishSome, 1)
      const lastId = (first.events.at(-1) as { lastEventId: string }).lastEventId
      const second = await open({ 'last-event-id': lastId })
      await until(() => published === total, 'all publishes')
      clearInterval(ticker)
      const received = first.events.length
      await second.waitForEvents(total - received)
      const all = [...first.events, ...second.events].map((e) => Number(e.data))
      expect(all).toEqual(Array.from({ length: total }, (_, i) => i + 1))
    })

    it('sends one gap event for an id no longer in history, then live events', async () => {
      channel = createChannel({ history: { maxEvents: 2 } })
      await serve()
      const first = await open()
      await subscribed(1)
      for (let i = 1; i <= 5; i++) channel.publish({ data: `${i}` })
      const [e1] = await first.waitForEvents(5)
      first.close()
      await subscribed(0)
      const second = await open({ 'last-event-id': (e1 as { lastEventId: string }).lastEventId })
      await subscribed(1)
      channel.publish({ data: 'live' })
      const [gap, live] = await second.waitForEvents(2)
      expect(gap?.type).toBe('gap')
      expect(JSON.parse(gap?.data ?? '')).toEqual({
        lastEventId: e1?.lastEventId,
        reason: 'expired',
        missed: 4,
      })
      expect(live?.data).toBe('live')
    })

    it('resumes from the Last-Event-ID query parameter when lastEventIdParam names it', async () => {
      const s = await serve({ lastEventIdParam: 'lastEventId' })
      const { id } = channel.publish({ data: 'seen' })
      channel.publish({ data: 'missed' })
      const client = await openEventStream(`${s.url}?lastEventId=${encodeURIComponent(`${id}`)}`, {
        ...(s.fetch && { fetch: s.fetch }),
      })
      clients.push(client)
      const [missed] = await client.waitForEvents(1)
      expect(missed?.data).toBe('missed')
    })

    it('sends a gap with missed: null for an id it never issued', async () => {
      await serve()
      const client = await open({ 'last-event-id': 'not-one-of-ours' })
      const [gap] = await client.waitForEvents(1)
      expect(gap?.type).toBe('gap')
      expect(JSON.parse(gap?.data ?? '')).toMatchObject({ reason: 'unknown', missed: null })
    })

    it('never replays an event targeted at another user', async () => {
      await serve({
        authorize: (req) => ({ user: req.header('x-user') ?? 'anonymous' }),
      })
      const bob = await open({ 'x-user': 'bob' })
      await subscribed(1)
      channel.publish({ data: 'start' })
      const [start] = await bob.waitForEvents(1)
      bob.close()
      await subscribed(0)
      channel.publish({ data: 'for alice', to: { user: 'alice' } })
      channel.publish({ data: 'for bob', to: { user: 'bob' } })
      channel.publish({ data: 'for both', to: { user: ['alice', 'bob'] } })
      channel.publish({ data: 'public' })
      const again = await open({
        'x-user': 'bob',
        'last-event-id': (start as { lastEventId: string }).lastEventId,
      })
      await subscribed(1)
      channel.publish({ data: 'for alice, live', to: { user: 'alice' } })
      channel.publish({ data: 'end' })
      const events = await again.waitForEvents(4)
      expect(events.map((e) => e.data)).toEqual(['for bob', 'for both', 'public', 'end'])
    })

    it('refuses with 401/403 and a JSON reason, and never leaks what authorize threw', async () => {
      const errors: unknown[] = []
      const s = await serve({
        authorize: async (req) => {
          const who = req.header('authorization')
          if (who === 'Bearer boom') throw new Error('database password is hunter2')
          if (!who) return refuse(401, 'A Bearer token is required.')
          if (who !== 'Bearer good') return refuse(403, 'This token may not read this stream.')
          return { user: 'u1' }
        },
      })
      s.endpoint.addEventListener('error', (e) => errors.push((e as CustomEvent).detail))
      const anonymous = await open()
      expect(anonymous.response.status).toBe(401)
      expect(anonymous.response.headers.get('www-authenticate')).toBe('Bearer')
      expect(await anonymous.response.json()).toEqual({
        error: { code: 'ERR_SSE_UNAUTHORIZED', message: 'A Bearer token is required.' },
      })
      const wrong = await open({ authorization: 'Bearer bad' })
      expect(wrong.response.status).toBe(403)
      expect((await wrong.response.json()).error.code).toBe('ERR_SSE_FORBIDDEN')
      const boom = await open({ authorization: 'Bearer boom' })
      expect(boom.response.status).toBe(500)
      const body = await boom.response.text()
      expect(body).not.toContain('hunter2')
      expect(JSON.parse(body).error.code).toBe('ERR_SSE_AUTHORIZE_FAILED')
      expect(errors).toHaveLength(1)
      const good = await open({ authorization: 'Bearer good' })
      expect(good.response.status).toBe(200)
    })

    it('refuses with any status and code the app chooses, with its responseHeaders on every response', async () => {
      await serve({
        authorize: (req) =>
          req.header('x-flood')
            ? refuse(429, 'Too many streams from this address.', {
                code: 'ERR_APP_TOO_MANY',
                headers: { 'retry-after': '5' },
              })
            : { user: 'u' },
        responseHeaders: (_req, principal) => ({
          'access-control-allow-origin': 'https://app.example',
          ...(principal && { 'x-user': String(principal.user) }),
        }),
      })
      const flood = await open({ 'x-flood': '1' })
      expect(flood.response.status).toBe(429)
      expect(flood.response.headers.get('retry-after')).toBe('5')
      expect(flood.response.headers.get('access-control-allow-origin')).toBe('https://app.example')
      expect(await flood.response.json()).toEqual({
        error: { code: 'ERR_APP_TOO_MANY', message: 'Too many streams from this address.' },
      })
      const ok = await open()
      expect(ok.response.status).toBe(200)
      expect(ok.response.headers.get('access-control-allow-origin')).toBe('https://app.example')
      expect(ok.response.headers.get('x-user')).toBe('u')
      expect(ok.response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8')
    })

    it('refuse(204) answers 204 with the headers and no body: the spec’s “stop reconnecting”', async () => {
      const errors: unknown[] = []
      const s = await serve({
        authorize: () => refuse(204, 'This stream is over.', { headers: { 'x-why': 'over' } }),
        responseHeaders: () => ({ 'access-control-allow-origin': 'https://app.example' }),
      })
      s.endpoint.addEventListener('error', (e) => errors.push((e as CustomEvent).detail))
      const over = await open()
      expect(over.response.status).toBe(204)
      expect(over.response.headers.get('x-why')).toBe('over')
      expect(over.response.headers.get('access-control-allow-origin')).toBe('https://app.example')
      expect(await over.response.text()).toBe('')
      // RFC 9110 §8.6: a server MUST NOT send Content-Length in a 204.
      expect(over.response.headers.get('content-length')).toBeNull()
      expect(errors).toEqual([])
      expect(s.endpoint.stats).toMatchObject({ refused: 1, opened: 0 })
    })

    it('answers a bare 500 when responseHeaders returns a header that would split the response', async () => {
      const errors: unknown[] = []
      const s = await serve({ responseHeaders: () => ({ 'x-bad': 'a\r\nset-cookie: evil=1' }) })
      s.endpoint.addEventListener('error', (e) => errors.push((e as CustomEvent).detail))
      const bad = await open()
      expect(bad.response.status).toBe(500)
      expect(bad.response.headers.get('set-cookie')).toBeNull()
      expect((await bad.response.json()).error.code).toBe('ERR_SSE_HANDLER_FAILED')
      expect(errors).toHaveLength(1)
      expect(s.endpoint.stats.opened).toBe(0)
    })

    it('answers a bare 500 when refuse() carries a header that would split the response', async () => {
      await serve({
        authorize: () => refuse(429, 'Slow down.', { headers: { 'retry-after': '1\r\nx: y' } }),
      })
      const bad = await open()
      expect(bad.response.status).toBe(500)
      expect(bad.response.headers.get('x')).toBeNull()
      expect((await bad.response.json()).error.code).toBe('ERR_SSE_HANDLER_FAILED')
    })

    it('answers 400 to an overlong Last-Event-ID and 405 to POST', async () => {
      const s = await serve()
      const long = await open({ 'last-event-id': 'x'.repeat(2000) })
      expect(long.response.status).toBe(400)
      expect((await long.response.json()).error.code).toBe('ERR_SSE_INVALID_LAST_EVENT_ID')
      const post = await (s.fetch ?? fetch)(s.url, { method: 'POST' })
      expect(post.status).toBe(405)
      expect(post.headers.get('allow')).toBe('GET')
      await post.body?.cancel()
    })

    it('refuses a huge request header without a stream, and keeps serving others', async () => {
      const s = await serve()
      const client = await open()
      await subscribed(1)
      const huge = await (s.fetch ?? fetch)(s.url, {
        headers: { 'x-huge': 'a'.repeat(64 * 1024) },
      }).then(
        (res) => res.status,
        () => 'refused', // HTTP/2 may reset the stream instead of answering 431
      )
      expect([431, 'refused']).toContain(huge)
      expect(s.endpoint.stats.opened).toBe(1)
      channel.publish({ data: 'still here' })
      expect((await client.waitForEvents(1))[0]?.data).toBe('still here')
    })

    it('rejects an event name with a newline from app code without corrupting the stream', async () => {
      await serve()
      const client = await open()
      await subscribed(1)
      expect(() => channel.publish({ event: 'x\ndata: injected', data: 'bad' })).toThrow(
        expect.objectContaining({ code: 'ERR_SSE_INVALID_FIELD' }),
      )
      channel.publish({ data: 'after' })
      const [event] = await client.waitForEvents(1)
      expect(event).toMatchObject({ type: 'message', data: 'after' })
    })

    it('drops a client that stops reading, while the others get every event in order', async () => {
      const maxBufferBytes = 256 * 1024
      const s = await serve({ maxBufferBytes })
      const fast = [await open(), await open()]
      const stalled = await openStalledClient(s)
      await subscribed(3)
      const payload = 'y'.repeat(8 * 1024)
      const count = 2000
      let sent = 0
      // Publish in slices, each once the fast clients have read the previous one (they read
      // as fast as they can; the stalled one reads nothing).
      while (sent < count) {
        for (let i = 0; i < 20; i++) channel.publish({ data: `${++sent} ${payload}` })
        await Promise.all(fast.map((client) => client.waitForEvents(sent)))
      }
      // (A paused socket never reads the server's FIN, so watch the server side.)
      await until(
        () => s.endpoint.stats.slowClientDisconnects === 1,
        'the slow client to be dropped',
      )
      expect(s.endpoint.streams.size).toBe(2)
      for (const client of fast) {
        const events = await client.waitForEvents(count)
        expect(events.map((e) => Number.parseInt(e.data, 10))).toEqual(
          Array.from({ length: count }, (_, i) => i + 1),
        )
      }
      stalled.close()
    })

    it('shuts down: every stream gets the final event and ends, new requests get 503', async () => {
      const s = await serve()
      const a = await open()
      const b = await open()
      await subscribed(2)
      await s.endpoint.close({ event: { event: 'bye', data: 'restarting' }, timeoutMs: 5000 })
      await Promise.all([a.ended, b.ended])
      expect(a.events.at(-1)).toMatchObject({ type: 'bye', data: 'restarting' })
      expect(b.events.at(-1)).toMatchObject({ type: 'bye', data: 'restarting' })
      const late = await open()
      expect(late.response.status).toBe(503)
      await late.response.body?.cancel()
    })
  })
}

/**
 * For frameworks with a compression middleware: `start` mounts the adapter behind it. Our
 * `Cache-Control: no-transform` must make it step aside, or events would wait in a
 * compressor until enough bytes (or a later write) push them out.
 */
export function compressionSuite(name: string, start: StartAdapter): void {
  describe(`${name}: behind a compression middleware`, () => {
    let server: AdapterServer | undefined
    let client: TestEventStream | undefined
    afterEach(async () => {
      client?.close()
      await server?.close()
    })

    it('neither compresses nor delays events, even when the client accepts gzip', async () => {
      const channel = createChannel()
      server = await start({ heartbeatMs: 0, onStream: (stream) => void channel.subscribe(stream) })
      client = await openEventStream(server.url, {
        headers: { 'accept-encoding': 'gzip, deflate, br' },
        ...(server.fetch && { fetch: server.fetch }),
      })
      expect(client.response.status).toBe(200)
      expect(client.response.headers.get('content-encoding')).toBeNull()
      await until(() => channel.size === 1, 'a subscriber')
      const padding = 'x'.repeat(4096) // above every compression threshold
      for (let i = 1; i <= 3; i++) {
        channel.publish({ data: `${i} ${padding}` })
        // Each event arrives on its own: no later publish is needed to push it out.
        const events = await client.waitForEvents(i)
        expect(events.at(-1)?.data).toBe(`${i} ${padding}`)
      }
    })
  })
}

/**
 * `request.raw` is the framework's own request, with what its middleware set: `start` mounts
 * a middleware that puts the `x-user` header on the framework's request, and `userOf(raw)`
 * reads it back, as an app's `authorize` would read a session set by an auth middleware.
 */
export function frameworkRequestSuite(
  name: string,
  start: StartAdapter,
  userOf: (raw: unknown) => string | undefined,
): void {
  describe(`${name}: request.raw`, () => {
    let server: AdapterServer | undefined
    const clients: TestEventStream[] = []
    afterEach(async () => {
      for (const c of clients.splice(0)) c.close()
      await server?.close()
    })

    it("is the framework's request, with what earlier middleware set", async () => {
      const s = await start({
        heartbeatMs: 0,
        authorize: (request) => {
          const user = userOf(request.raw)
          return user ? { user } : refuse(401, 'Who are you?')
        },
      })
      server = s
      const open = async (headers: Record<string, string>) => {
        const client = await openEventStream(s.url, { headers, ...(s.fetch && { fetch: s.fetch }) })
        clients.push(client)
        return client
      }
      expect((await open({})).response.status).toBe(401)
      expect((await open({ 'x-user': 'alice' })).response.status).toBe(200)
      expect([...s.endpoint.streams].map((stream) => stream.principal.user)).toEqual(['alice'])
      const [stream] = s.endpoint.streams
      expect(userOf(stream?.request.raw)).toBe('alice')
    })
  })
}

/** A client that requests the stream and then never reads a byte. */
async function openStalledClient(server: AdapterServer): Promise<{ close(): void }> {
  const url = new URL(server.url)
  if (server.httpVersion === 1) {
    const socket = connect({ host: url.hostname, port: Number(url.port) })
    socket.write(`GET ${url.pathname} HTTP/1.1\r\nHost: x\r\n\r\n`)
    socket.pause()
    return { close: () => socket.destroy() }
  }
  // HTTP/2: a paused stream stops granting flow-control window, so the server must buffer.
  const session = connectHttp2(url.origin, { ca: tlsFixture.cert })
  const request = session.request({ ':path': url.pathname })
  // The server may reset the stream with any code when it drops the client.
  request.on('error', () => {})
  request.pause()
  await new Promise((resolve) => request.once('response', resolve))
  return { close: () => session.destroy() }
}
