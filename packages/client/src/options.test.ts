// Every `init` option of the client contract, against a real node:http server. Everything here
// goes beyond the spec: [NON-SPEC]. Delays are checked with fake timers (setTimeout and Date
// only; I/O stays real) and jitter with a mocked Math.random.

import { MAX_TIMER_MS } from '@sprinkler/core'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { observedFetch, recordingFetch } from '../test/fetchers.js'
import { record } from '../test/record.js'
import { sse, startServer, type TestServer } from '../test/server.js'
import { settle, trackSources } from '../test/sources.js'
import {
  EventSource,
  type EventSourceInit,
  MAX_RECONNECT_DELAY_MS,
  type RetryOptions,
} from './index.js'

let server: TestServer
const sources = trackSources((path) => server.url(path))
const { connect } = sources
const fakeTime = () => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })

beforeEach(async () => {
  server = await startServer()
})

afterEach(async () => {
  sources.closeAll()
  vi.useRealTimers()
  await server.close()
})

/** Each stream sends one event with id n and ends at once (`retry: 0`): a reconnect per event. */
function endEveryStream(path: string) {
  server.route(path, (_req, res, { n }) => {
    sse(res)
    res.end(`retry: 0\nid: ${n}\ndata: ${n}\n\n`)
  })
}

/** Fake timers and a source on `/events` with `retry`: its events, and the fetches it makes. */
function retryingSource(retry: RetryOptions) {
  fakeTime()
  const calls = recordingFetch()
  return { events: record(connect('/events', { fetch: calls.fetch, retry })), calls }
}

/**
 * Lets `count` reconnections happen under fake timers and returns the gaps, in ms, between
 * each error event and the fetch that followed it.
 */
async function reconnectionGaps(
  source: ReturnType<typeof record>,
  calls: { at: number }[],
  count: number,
): Promise<number[]> {
  const gaps: number[] = []
  for (let n = 1; n <= count; n++) {
    await source.wait('error', n)
    const failedAt = Date.now()
    vi.advanceTimersByTime(3_600_000)
    // The timer's callback calls fetch synchronously (no headers function here).
    expect(calls.length).toBeGreaterThan(n)
    gaps.push((calls[n]?.at ?? 0) - failedAt)
  }
  return gaps
}

describe('headers', () => {
  it('[NON-SPEC] an object is sent on every connection, with Accept and Last-Event-ID', async () => {
    endEveryStream('/events')
    const events = record(
      connect('/events', { headers: { Authorization: 'Bearer fixed', Accept: 'text/html' } }),
    )
    await events.wait('message', 2)
    const [first, second] = server.requests('/events')
    expect(first?.headers).toMatchObject({
      authorization: 'Bearer fixed',
      accept: 'text/event-stream',
    })
    expect(second?.headers).toMatchObject({
      authorization: 'Bearer fixed',
      accept: 'text/event-stream',
      'last-event-id': '1',
    })
  })

  it('[NON-SPEC] a function is called before every connection: a rotating Bearer token', async () => {
    endEveryStream('/events')
    let token = 0
    const events = record(
      connect('/events', { headers: () => ({ Authorization: `Bearer t${++token}` }) }),
    )
    await events.wait('message', 3)
    expect(server.requests('/events').map((r) => r.headers.authorization)).toEqual([
      'Bearer t1',
      'Bearer t2',
      'Bearer t3',
    ])
  })

  it('[NON-SPEC] an async function is awaited', async () => {
    endEveryStream('/events')
    const events = record(
      connect('/events', {
        headers: async () => {
          await settle()
          return new Headers({ 'X-Token': 'async' })
        },
      }),
    )
    await events.wait('message', 1)
    expect(server.requests('/events')[0]?.headers['x-token']).toBe('async')
  })

  it('[NON-SPEC] a caller’s Last-Event-ID resumes a stream until the source has its own', async () => {
    endEveryStream('/events')
    const events = record(connect('/events', { headers: { 'Last-Event-ID': 'resume-here' } }))
    await events.wait('message', 2)
    expect(server.requests('/events').map((r) => r.headers['last-event-id'])).toEqual([
      'resume-here',
      '1',
    ])
  })

  it('[NON-SPEC] a function that throws is a network error: the source reconnects', async () => {
    endEveryStream('/events')
    let calls = 0
    const events = record(
      connect('/events', {
        headers: () => {
          if (++calls === 1) throw new Error('token service down')
          return { Authorization: 'Bearer ok' }
        },
        retry: { initialDelayMs: 0, jitter: 0 },
      }),
    )
    const error = await events.wait('error', 1)
    expect(error).toMatchObject({ code: 'ERR_SSE_NETWORK', readyState: EventSource.CONNECTING })
    expect((error.cause as Error).message).toBe('token service down')
    await events.wait('message', 1)
    expect(server.requests('/events')[0]?.headers.authorization).toBe('Bearer ok')
  })
})

describe('refresh on 401/403', () => {
  /** 401 (or 403) unless the token is `fresh-…`; a good stream ends after one event. */
  function guarded(path: string, refusal: 401 | 403) {
    server.route(path, (req, res) => {
      if (!req.headers.authorization?.startsWith('Bearer fresh')) {
        res.writeHead(refusal, { 'content-type': 'application/json' }).end('{"reason":"expired"}')
        return
      }
      sse(res)
      res.end('retry: 0\ndata: ok\n\n')
    })
  }

  it.each([401, 403] as const)(
    '[NON-SPEC] on %i the headers function is called once more and the request retried',
    async (status) => {
      guarded('/events', status)
      const tokens = ['stale-1', 'fresh-1', 'stale-2', 'fresh-2']
      const events = record(
        connect('/events', { headers: () => ({ Authorization: `Bearer ${tokens.shift()}` }) }),
      )
      await events.wait('open', 2)
      expect(server.requests('/events').map((r) => r.headers.authorization)).toEqual([
        'Bearer stale-1',
        'Bearer fresh-1',
        'Bearer stale-2',
        'Bearer fresh-2',
      ])
      // The refresh is silent: the only error is the reconnection after the first stream ended.
      expect(events.log.map((e) => e.type)).toEqual(['open', 'message', 'error', 'open'])
    },
  )

  it('[NON-SPEC] a second refusal fails the connection with the status', async () => {
    guarded('/events', 401)
    const events = record(connect('/events', { headers: () => ({ Authorization: 'Bearer old' }) }))
    const error = await events.wait('error', 1)
    expect(error).toMatchObject({
      code: 'ERR_SSE_STATUS',
      status: 401,
      readyState: EventSource.CLOSED,
    })
    expect(server.requests('/events')).toHaveLength(2)
  })

  it('spec: with headers as an object a 401 fails at once', async () => {
    guarded('/events', 401)
    const events = record(connect('/events', { headers: { Authorization: 'Bearer old' } }))
    expect(await events.wait('error', 1)).toMatchObject({ status: 401, readyState: 2 })
    expect(server.requests('/events')).toHaveLength(1)
  })
})

describe('method and body', () => {
  it('[NON-SPEC] a POST with a JSON body is sent again on every reconnection', async () => {
    endEveryStream('/events')
    const body = JSON.stringify({ topics: ['scores', 'news'], since: 0 })
    const events = record(
      connect('/events', {
        method: 'POST',
        body,
        headers: { 'Content-Type': 'application/json' },
      }),
    )
    await events.wait('message', 3)
    const requests = server.requests('/events')
    expect(requests.map((r) => [r.method, r.body, r.headers['content-type']])).toEqual([
      ['POST', body, 'application/json'],
      ['POST', body, 'application/json'],
      ['POST', body, 'application/json'],
    ])
    expect(requests[2]?.headers['last-event-id']).toBe('2')
  })
})

describe('credentials and fetch', () => {
  it('[NON-SPEC] credentials is passed as given', async () => {
    endEveryStream('/events')
    const calls = recordingFetch()
    await record(connect('/events', { credentials: 'omit', fetch: calls.fetch })).wait('open', 1)
    expect(calls.calls[0]?.init.credentials).toBe('omit')
  })

  it('[NON-SPEC] every request, reconnections included, goes through the fetch option', async () => {
    endEveryStream('/events')
    const calls = recordingFetch()
    const events = record(connect('/events', { fetch: calls.fetch }))
    await events.wait('message', 3)
    expect(calls.calls).toHaveLength(server.requests('/events').length)
    expect(calls.calls[1]?.init).toMatchObject({
      method: 'GET',
      headers: { Accept: 'text/event-stream', 'Last-Event-ID': '1' },
      signal: expect.any(AbortSignal),
    })
  })

  it('[NON-SPEC] a fetch returning a bare response-like object is enough', async () => {
    const bytes = new TextEncoder().encode('data: from a stub\n\n')
    const source = new EventSource('https://example.invalid/stream', {
      fetch: async () => ({
        status: 200,
        url: '',
        headers: { get: (name) => (name === 'content-type' ? 'text/event-stream' : null) },
        body: new Blob([bytes]).stream(),
      }),
    })
    sources.adopt(source)
    const message = await record(source).wait('message', 1)
    expect(message).toMatchObject({ data: 'from a stub', origin: 'https://example.invalid' })
  })
})

describe('signal', () => {
  it('[NON-SPEC] aborting the signal closes the source and the connection', async () => {
    server.route('/events', (_req, res) => {
      sse(res)
      res.write('data: a\n\n')
    })
    const controller = new AbortController()
    const source = connect('/events', { signal: controller.signal })
    const events = record(source)
    await events.wait('message', 1)
    controller.abort()
    expect(source.readyState).toBe(EventSource.CLOSED)
    await vi.waitFor(() => expect(server.open('/events')).toBe(0))
    expect(events.log.map((e) => e.type)).toEqual(['open', 'message'])
  })

  it('[NON-SPEC] an already aborted signal gives a source that is CLOSED at once, without a request', async () => {
    const calls = recordingFetch()
    const source = connect('/events', { signal: AbortSignal.abort(), fetch: calls.fetch })
    expect(source.readyState).toBe(EventSource.CLOSED)
    await settle()
    expect(calls.calls).toHaveLength(0)
  })

  it('[NON-SPEC] aborting while waiting to reconnect cancels the reconnection', async () => {
    endEveryStream('/events')
    fakeTime()
    const controller = new AbortController()
    const source = connect('/events', { signal: controller.signal, retry: { jitter: 0 } })
    const events = record(source)
    await events.wait('error', 1)
    controller.abort()
    vi.advanceTimersByTime(3_600_000)
    await settle()
    expect(server.requests('/events')).toHaveLength(1)
  })
})

describe('retry', () => {
  /** Always 503, with an optional Retry-After per request number. */
  function unavailable(path: string, retryAfter: Record<number, string> = {}) {
    server.route(path, (_req, res, { n }) => {
      const after = retryAfter[n]
      res.writeHead(503, after ? { 'retry-after': after } : {}).end()
    })
  }

  it('[NON-SPEC] the spec’s behaviour when unset: a 503 fails for good', async () => {
    unavailable('/events')
    const events = record(connect('/events'))
    expect(await events.wait('error', 1)).toMatchObject({ status: 503, readyState: 2 })
  })

  it('[NON-SPEC] backoff gaps grow by factor and are capped at maxDelayMs', async () => {
    unavailable('/events')
    const { events, calls } = retryingSource({
      initialDelayMs: 100,
      factor: 2,
      maxDelayMs: 500,
      jitter: 0,
    })
    expect(await reconnectionGaps(events, calls.calls, 5)).toEqual([100, 200, 400, 500, 500])
    expect(events.log.slice(0, 5).map((e) => [e.code, e.status, e.readyState])).toEqual(
      Array(5).fill(['ERR_SSE_STATUS', 503, EventSource.CONNECTING]),
    )
  })

  it('[NON-SPEC] jitter varies each delay by ±jitter, drawn from Math.random', async () => {
    unavailable('/events')
    fakeTime()
    const random = vi.spyOn(Math, 'random')
    for (const r of [0, 0.999_999, 0.5, 0.25]) random.mockReturnValueOnce(r)
    const calls = recordingFetch()
    const events = record(
      connect('/events', {
        fetch: calls.fetch,
        retry: { initialDelayMs: 1000, factor: 2, maxDelayMs: 10_000, jitter: 0.5 },
      }),
    )
    // 1000 · (1 ± 0.5), 2000 · (1 ± 0.5), 4000 · 1, 8000 · (1 − 0.25)
    expect(await reconnectionGaps(events, calls.calls, 4)).toEqual([500, 3000, 4000, 6000])
  })

  it('[NON-SPEC] network errors are retried with backoff too', async () => {
    server.route('/events', (_req, res, { n }) => {
      if (n < 4) {
        res.socket?.destroy()
        return
      }
      sse(res)
      res.write('data: finally\n\n')
    })
    fakeTime()
    const calls = recordingFetch()
    const events = record(
      connect('/events', { fetch: calls.fetch, retry: { initialDelayMs: 10, jitter: 0 } }),
    )
    expect(await reconnectionGaps(events, calls.calls, 3)).toEqual([10, 20, 40])
    expect(events.log[0]).toMatchObject({ code: 'ERR_SSE_NETWORK', status: undefined })
    expect((await events.wait('message', 1)).data).toBe('finally')
  })

  it('[NON-SPEC] 429 and 5xx honour Retry-After, in seconds or as an HTTP date', async () => {
    fakeTime()
    let dateGap = 0
    server.route('/events', (_req, res, { n }) => {
      if (n === 1) res.writeHead(429, { 'retry-after': '7' }).end()
      else if (n === 2) res.writeHead(503, { 'retry-after': 'garbage' }).end()
      else if (n === 3) {
        // HTTP dates have whole seconds: the wait is what is left until that second.
        const at = new Date(Math.floor(Date.now() / 1000) * 1000 + 5000)
        dateGap = at.getTime() - Date.now()
        res.writeHead(502, { 'retry-after': at.toUTCString() }).end()
      } else sse(res)
    })
    const calls = recordingFetch()
    const events = record(
      connect('/events', { fetch: calls.fetch, retry: { initialDelayMs: 100, jitter: 0 } }),
    )
    expect(await reconnectionGaps(events, calls.calls, 3)).toEqual([7000, 200, dateGap])
    expect(dateGap).toBeGreaterThan(4000)
    expect(events.log[0]).toMatchObject({ code: 'ERR_SSE_STATUS', status: 429 })
    await events.wait('open', 1)
  })

  it('[NON-SPEC] a server retry: field replaces initialDelayMs; a successful open resets the count', async () => {
    server.route('/events', (_req, res, { n }) => {
      if (n === 1) {
        sse(res)
        res.end('retry: 250\ndata: a\n\n')
      } else if (n === 4) {
        sse(res)
        res.end('data: b\n\n')
      } else res.writeHead(500).end()
    })
    const { events, calls } = retryingSource({ initialDelayMs: 100, factor: 2, jitter: 0 })
    // end of stream (k=1), 500 (k=2), 500 (k=3), open + end (k=1), 500 (k=2)
    expect(await reconnectionGaps(events, calls.calls, 5)).toEqual([250, 500, 1000, 250, 500])
  })

  it('[NON-SPEC] after maxRetries failed reconnections in a row: CLOSED and a final error', async () => {
    unavailable('/events')
    fakeTime()
    const calls = recordingFetch()
    const source = connect('/events', {
      fetch: calls.fetch,
      retry: { initialDelayMs: 100, jitter: 0, maxRetries: 2 },
    })
    const events = record(source)
    await reconnectionGaps(events, calls.calls, 2)
    const final = await events.wait('error', 3)
    expect(final).toMatchObject({
      code: 'ERR_SSE_RETRIES_EXHAUSTED',
      status: 503,
      readyState: EventSource.CLOSED,
    })
    expect(final.cause).toMatchObject({ code: 'ERR_SSE_STATUS' })
    expect(source.readyState).toBe(EventSource.CLOSED)
    vi.advanceTimersByTime(3_600_000)
    await settle()
    expect(server.requests('/events')).toHaveLength(3)
    expect(events.log.map((e) => e.readyState)).toEqual([0, 0, 2])
  })

  it('[NON-SPEC] maxRetries: 0 never reconnects after a failure', async () => {
    unavailable('/events')
    const events = record(connect('/events', { retry: { maxRetries: 0 } }))
    expect(await events.wait('error', 1)).toMatchObject({
      code: 'ERR_SSE_RETRIES_EXHAUSTED',
      readyState: 2,
    })
    expect(server.requests('/events')).toHaveLength(1)
  })

  it.each([204, 404, 400])(
    'spec: with retry set, HTTP %i still fails the connection at once',
    async (status) => {
      server.route('/events', (_req, res) => {
        res.writeHead(status).end()
      })
      const events = record(connect('/events', { retry: {} }))
      expect(await events.wait('error', 1)).toMatchObject({
        code: 'ERR_SSE_STATUS',
        status,
        readyState: EventSource.CLOSED,
      })
    },
  )

  it.each([
    [{ factor: 0 }, 'factor must be a finite number >= 1, not 0'],
    [{ initialDelayMs: -1 }, 'initialDelayMs must be a finite number >= 0, not -1'],
    [{ maxDelayMs: Number.NaN }, 'maxDelayMs must be a finite number >= 0, not NaN'],
    [{ maxDelayMs: Infinity }, 'maxDelayMs must be a finite number >= 0, not Infinity'],
    [{ jitter: 1.5 }, 'jitter must be a finite number >= 0 and <= 1, not 1.5'],
    [{ maxRetries: 2.5 }, 'maxRetries must be an integer >= 0 or Infinity, not 2.5'],
    [{ maxRetries: '3' }, 'maxRetries must be an integer >= 0 or Infinity, not "3"'],
  ])('[NON-SPEC] invalid retry options throw ERR_SSE_INVALID_OPTION: %o', (retry, message) => {
    expect(() => new EventSource(server.url('/events'), { retry } as EventSourceInit)).toThrow(
      expect.objectContaining({
        code: 'ERR_SSE_INVALID_OPTION',
        message: `EventSource retry: ${message}`,
      }),
    )
    expect(server.requests('/events')).toHaveLength(0)
  })

  it('[NON-SPEC] an option given as undefined takes its default', async () => {
    unavailable('/events')
    const { events, calls } = retryingSource({
      initialDelayMs: undefined,
      maxDelayMs: undefined,
      jitter: 0,
    })
    expect(await reconnectionGaps(events, calls.calls, 2)).toEqual([1000, 2000])
  })
})

describe('reconnection delays are clamped to MAX_RECONNECT_DELAY_MS (24 h)', () => {
  /**
   * After the `n`-th error: no request for MAX_RECONNECT_DELAY_MS − 1 ms, then one. (A timer
   * over 2³¹−1 ms would have fired after 1 ms: a tight reconnection loop.)
   */
  async function reconnectsAfterClamp(
    events: ReturnType<typeof record>,
    calls: { at: number }[],
    n: number,
  ) {
    await events.wait('error', n)
    vi.advanceTimersByTime(MAX_RECONNECT_DELAY_MS - 1)
    await settle()
    expect(calls).toHaveLength(n)
    vi.advanceTimersByTime(1)
    expect(calls).toHaveLength(n + 1)
  }

  it('[NON-SPEC] a server retry: of 9999999999 ms (and of 400 digits) waits 24 h, not 1 ms', async () => {
    server.route('/events', (_req, res, { n }) => {
      sse(res)
      res.end(`retry: ${n === 1 ? '9999999999' : '9'.repeat(400)}\ndata: ${n}\n\n`)
    })
    fakeTime()
    const calls = recordingFetch()
    const events = record(connect('/events', { fetch: calls.fetch }))
    await reconnectsAfterClamp(events, calls.calls, 1)
    await reconnectsAfterClamp(events, calls.calls, 2)
    expect(MAX_RECONNECT_DELAY_MS).toBeLessThan(MAX_TIMER_MS)
  })

  it('[NON-SPEC] with backoff: a server retry:, Retry-After seconds and an HTTP date weeks away', async () => {
    server.route('/events', (_req, res, { n }) => {
      if (n === 1) {
        sse(res)
        res.end('retry: 9999999999\ndata: a\n\n')
      } else if (n === 2) res.writeHead(503, { 'retry-after': '31536000' }).end()
      else if (n === 3) {
        const weeks = new Date(Date.now() + 6 * 7 * 24 * 3600 * 1000)
        res.writeHead(429, { 'retry-after': weeks.toUTCString() }).end()
      } else res.writeHead(500).end()
    })
    // Backoff that would grow past every limit: 10^12 ms at once, then more.
    const { events, calls } = retryingSource({
      initialDelayMs: 1e12,
      maxDelayMs: 1e15,
      factor: 10,
      jitter: 0.5,
    })
    vi.spyOn(Math, 'random').mockReturnValue(0.999_999)
    for (let n = 1; n <= 4; n++) await reconnectsAfterClamp(events, calls.calls, n)
  })
})

describe('readTimeoutMs', () => {
  it('[NON-SPEC] no bytes for readTimeoutMs: ERR_SSE_READ_TIMEOUT and a reconnection with Last-Event-ID', async () => {
    server.route('/events', (_req, res, { n }) => {
      sse(res)
      if (n === 1) res.write('retry: 0\nid: 3\ndata: then silence\n\n')
      else res.write('data: back\n\n')
    })
    fakeTime()
    const events = record(connect('/events', { readTimeoutMs: 5000 }))
    await events.wait('message', 1)
    vi.advanceTimersByTime(4999)
    await settle()
    expect(events.log.map((e) => e.type)).toEqual(['open', 'message'])
    vi.advanceTimersByTime(1)
    expect(await events.wait('error', 1)).toMatchObject({
      code: 'ERR_SSE_READ_TIMEOUT',
      readyState: EventSource.CONNECTING,
    })
    vi.advanceTimersByTime(0)
    expect((await events.wait('message', 2)).data).toBe('back')
    // The silent connection was aborted, not left behind.
    await vi.waitFor(() => expect(server.open('/events')).toBe(1))
    expect(server.requests('/events')[1]?.headers['last-event-id']).toBe('3')
  })

  it('[NON-SPEC] heartbeat comments keep the connection alive', async () => {
    const chunks: string[] = []
    let read: (() => void) | undefined
    const hearts: import('node:http').ServerResponse[] = []
    server.route('/events', (_req, res) => {
      sse(res)
      hearts.push(res)
    })
    fakeTime()
    const fetch = observedFetch((text) => {
      chunks.push(text)
      read?.()
    })
    const events = record(connect('/events', { readTimeoutMs: 1000, fetch }))
    await events.wait('open', 1)
    for (let beat = 1; beat <= 3; beat++) {
      vi.advanceTimersByTime(900)
      const seen = new Promise<void>((resolve) => {
        read = resolve
      })
      hearts[0]?.write(': heartbeat\n')
      await seen
      await settle()
    }
    vi.advanceTimersByTime(999)
    await settle()
    expect(events.log.map((e) => e.type)).toEqual(['open'])
    expect(chunks).toEqual([': heartbeat\n', ': heartbeat\n', ': heartbeat\n'])
    vi.advanceTimersByTime(1)
    expect(await events.wait('error', 1)).toMatchObject({ code: 'ERR_SSE_READ_TIMEOUT' })
  })

  it('[NON-SPEC] a server that never answers times out too', async () => {
    server.route('/events', () => {})
    fakeTime()
    const events = record(connect('/events', { readTimeoutMs: 2000 }))
    await server.request('/events', 1)
    vi.advanceTimersByTime(2000)
    expect(await events.wait('error', 1)).toMatchObject({ code: 'ERR_SSE_READ_TIMEOUT' })
    vi.advanceTimersByTime(3000)
    await server.request('/events', 2)
  })
})

describe('init is checked before anything happens', () => {
  it.each([
    [
      { readTimeoutMs: Number.NaN },
      'readTimeoutMs must be an integer >= 0 and <= 2147483647, not NaN',
    ],
    [{ readTimeoutMs: -1 }, 'readTimeoutMs must be an integer >= 0 and <= 2147483647, not -1'],
    // A longer timer would fire after 1 ms: a read timeout on every attempt.
    [
      { readTimeoutMs: 2 ** 31 },
      'readTimeoutMs must be an integer >= 0 and <= 2147483647, not 2147483648',
    ],
    [{ readTimeoutMs: 1.5 }, 'readTimeoutMs must be an integer >= 0 and <= 2147483647, not 1.5'],
    [{ headers: 'Bearer x' }, 'headers must be of type object or function, not "Bearer x"'],
    [{ headers: null }, 'headers must be of type object or function, not null'],
    [{ method: 1 }, 'method must be of type string, not 1'],
    [
      { credentials: 'always' },
      'credentials must be one of ["omit","same-origin","include"], not "always"',
    ],
    [{ fetch: {} }, 'fetch must be of type function, not object'],
    [{ signal: true }, 'signal must be of type object, not true'],
    [{ retry: 3 }, 'retry must be of type object, not 3'],
    [{ withCredentials: 'yes' }, 'withCredentials must be of type boolean, not "yes"'],
    [{ shared: 1 }, 'shared must be of type boolean, not 1'],
  ])('[NON-SPEC] %o throws ERR_SSE_INVALID_OPTION and sends no request', (init, message) => {
    expect(() => new EventSource(server.url('/events'), init as EventSourceInit)).toThrow(
      expect.objectContaining({
        name: 'SprinklerError',
        code: 'ERR_SSE_INVALID_OPTION',
        message: `EventSource: ${message}`,
      }),
    )
    expect(server.requests('/events')).toHaveLength(0)
  })
})
