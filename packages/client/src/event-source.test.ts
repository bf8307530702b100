// The HTML spec's EventSource processing model, rule by rule, against a real node:http server.
// @see https://html.spec.whatwg.org/multipage/server-sent-events.html
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { byteByByte, recordingFetch } from '../test/fetchers.js'
import { record } from '../test/record.js'
import { sse, startServer, type TestServer } from '../test/server.js'
import { settle, trackSources } from '../test/sources.js'
import { EventSource, SseErrorEvent } from './index.js'

let server: TestServer
const sources = trackSources((path) => server.url(path))
const { connect } = sources

beforeEach(async () => {
  server = await startServer()
})

afterEach(async () => {
  sources.closeAll()
  vi.useRealTimers()
  await server.close()
})

/** Serves `body` as one event stream response and ends it; later requests stay open, silent. */
function once(path: string, body: string | Uint8Array, headers?: Record<string, string>) {
  server.route(path, (_req, res, { n }) => {
    sse(res, headers)
    if (n === 1) res.end(body)
  })
}

describe('the EventSource interface', () => {
  it('has the readyState constants on the interface object and on instances', () => {
    expect([EventSource.CONNECTING, EventSource.OPEN, EventSource.CLOSED]).toEqual([0, 1, 2])
    const source = new EventSource('http://127.0.0.1:9/', { signal: AbortSignal.abort() })
    expect([source.CONNECTING, source.OPEN, source.CLOSED]).toEqual([0, 1, 2])
    expect(Object.hasOwn(source, 'OPEN')).toBe(false)
  })

  it('spec: the url is parsed, and a URL that cannot be parsed throws a SyntaxError DOMException', () => {
    const source = new EventSource(new URL('http://127.0.0.1:9/a/../events?x=1'), {
      signal: AbortSignal.abort(),
    })
    expect(source.url).toBe('http://127.0.0.1:9/events?x=1')
    expect(() => new EventSource('not a url')).toThrow(
      expect.objectContaining({ name: 'SyntaxError' }),
    )
  })

  it('spec: readyState is CONNECTING, then OPEN when the connection is announced', async () => {
    server.route('/events', (_req, res) => sse(res))
    const source = connect('/events')
    expect(source.readyState).toBe(EventSource.CONNECTING)
    const events = record(source)
    expect((await events.wait('open', 1)).readyState).toBe(EventSource.OPEN)
  })

  it('is assignable to the DOM EventSource type', () => {
    const source: globalThis.EventSource = new EventSource('http://127.0.0.1:9/', {
      signal: AbortSignal.abort(),
    })
    expect(source.readyState).toBe(2)
  })

  it('spec: withCredentials sets the credentials mode to include, otherwise same-origin', async () => {
    server.route('/events', (_req, res) => sse(res))
    const plain = recordingFetch()
    const withCredentials = recordingFetch()
    await record(connect('/events', { fetch: plain.fetch })).wait('open', 1)
    const source = connect('/events', { withCredentials: true, fetch: withCredentials.fetch })
    await record(source).wait('open', 1)
    expect(source.withCredentials).toBe(true)
    expect(plain.calls[0]?.init.credentials).toBe('same-origin')
    expect(withCredentials.calls[0]?.init).toMatchObject({
      credentials: 'include',
      mode: 'cors',
      cache: 'no-store',
      redirect: 'follow',
    })
  })

  it('spec: the request carries Accept: text/event-stream and, at first, no Last-Event-ID', async () => {
    server.route('/events', (_req, res) => sse(res))
    connect('/events')
    const request = await server.request('/events', 1)
    expect(request.headers.accept).toBe('text/event-stream')
    expect(request.headers['last-event-id']).toBeUndefined()
  })

  it('spec: an event handler attribute is one listener, in the order it was first set', async () => {
    once('/events', 'data: x\n\n')
    const source = connect('/events')
    const calls: string[] = []
    source.addEventListener('message', () => calls.push('first listener'))
    source.onmessage = () => calls.push('replaced handler')
    source.addEventListener('message', () => calls.push('last listener'))
    source.onmessage = function (event) {
      calls.push(`handler (this is source: ${this === source}) ${event.data}`)
    }
    await record(source).wait('message', 1)
    expect(calls).toEqual(['first listener', 'handler (this is source: true) x', 'last listener'])
    expect(typeof source.onmessage).toBe('function')
    source.onmessage = null
    expect(source.onmessage).toBeNull()
  })

  it('spec: listeners of any event type can be added and removed; once is honoured', async () => {
    once('/events', 'event: a\ndata: 1\n\nevent: a\ndata: 2\n\nevent: b\ndata: 3\n\n')
    const source = connect('/events')
    const calls: string[] = []
    const removed = () => calls.push('removed')
    source.addEventListener('a', removed)
    source.addEventListener('a', (event) => calls.push(`a ${event.data}`))
    source.addEventListener('a', (event) => calls.push(`once ${event.data}`), { once: true })
    source.addEventListener('b', { handleEvent: (event) => calls.push(`b ${event.type}`) })
    source.removeEventListener('a', removed)
    await record(source, ['b']).wait('b', 1)
    expect(calls).toEqual(['a 1', 'once 1', 'a 2', 'b b'])
  })

  it('spec: onopen, onmessage and onerror fire for their events', async () => {
    server.route('/events', (_req, res, { n }) => {
      sse(res)
      if (n === 1) res.end('retry: 0\ndata: hello\n\n')
    })
    const source = connect('/events')
    const calls: string[] = []
    source.onopen = (event) => calls.push(`open ${event.type}`)
    source.onmessage = (event) => calls.push(`message ${event.data}`)
    source.onerror = (event) => calls.push(`error ${event.code}`)
    await record(source).wait('open', 2)
    expect(calls).toEqual(['open open', 'message hello', 'error ERR_SSE_NETWORK', 'open open'])
  })
})

describe('interpreting the event stream', () => {
  it('spec: "Streams must be decoded using the UTF-8 decode algorithm", characters split across chunks', async () => {
    once('/events', 'data: héllo wörld 😀 ✓\n\n')
    const events = record(connect('/events', { fetch: byteByByte }))
    expect((await events.wait('message', 1)).data).toBe('héllo wörld 😀 ✓')
  })

  it('spec: invalid UTF-8 bytes become U+FFFD', async () => {
    once(
      '/events',
      Uint8Array.from([...Buffer.from('data: a'), 0xff, 0xc3, ...Buffer.from('\n\n')]),
    )
    const events = record(connect('/events'))
    expect((await events.wait('message', 1)).data).toBe('a\uFFFD\uFFFD')
  })

  it('spec: one leading BOM is stripped; a second one is part of the first field name', async () => {
    once('/events', '\uFEFFdata: first\n\n\uFEFFdata: ignored\n\ndata: second\n\n')
    const events = record(connect('/events', { fetch: byteByByte }))
    await events.wait('message', 2)
    expect(events.data()).toEqual(['first', 'second'])
  })

  it('spec: a BOM starts every stream, so it is stripped after a reconnection too', async () => {
    server.route('/events', (_req, res, { n }) => {
      sse(res)
      if (n === 1) res.end('\uFEFFretry: 0\ndata: one\n\n')
      if (n === 2) res.write('\uFEFFdata: two\n\n')
    })
    const events = record(connect('/events'))
    await events.wait('message', 2)
    expect(events.data()).toEqual(['one', 'two'])
  })

  it('spec: lines end with CRLF, LF or CR, mixed freely, even split between chunks', async () => {
    once('/events', 'data: a\r\ndata: b\rdata: c\n\rdata: d\r\n\r\nevent: e\rdata: f\r\r')
    const events = record(connect('/events', { fetch: byteByByte }), ['e'])
    const last = await events.wait('e', 1)
    expect(events.data()).toEqual(['a\nb\nc', 'd'])
    // "data: c\n\r": the \r is a blank line ending the event with a, b, c; "data: d" follows.
    expect(last.data).toBe('f')
  })

  it('spec: "If the line starts with a U+003A COLON character (:): Ignore the line."', async () => {
    once('/events', ': comment\n:\ndata: a\n: between\ndata: b\n\n')
    const events = record(connect('/events'))
    expect((await events.wait('message', 1)).data).toBe('a\nb')
  })

  it('spec: the value loses one leading space only; a line without colon is a field with an empty value', async () => {
    once('/events', 'data:  two spaces\ndata:none\ndata\ndata:\n\n')
    const events = record(connect('/events'))
    expect((await events.wait('message', 1)).data).toBe(' two spaces\nnone\n\n')
  })

  it('spec: unknown fields are ignored, and so is a field name with a trailing space', async () => {
    once('/events', 'foo: bar\ndata : x\nDATA: y\ndata: z\n\n')
    const events = record(connect('/events'))
    expect((await events.wait('message', 1)).data).toBe('z')
  })

  it('spec: "If the data buffer is an empty string" nothing is dispatched, and the type is reset', async () => {
    once('/events', 'event: ping\n\nid: 1\n\ndata: a\n\n')
    const events = record(connect('/events'), ['ping'])
    const message = await events.wait('message', 1)
    expect(events.log.map((e) => e.type)).toEqual(['open', 'message'])
    expect(message.lastEventId).toBe('1')
  })

  it('spec: the event type buffer sets the type; an empty one means "message"', async () => {
    once('/events', 'event: update\ndata: 1\n\nevent:\ndata: 2\n\nevent: message\ndata: 3\n\n')
    const source = connect('/events')
    const onmessage: string[] = []
    source.onmessage = (event) => onmessage.push(event.data)
    const events = record(source, ['update'])
    await events.wait('message', 2)
    expect(events.log.map((e) => `${e.type} ${e.data}`).slice(1)).toEqual([
      'update 1',
      'message 2',
      'message 3',
    ])
    expect(onmessage).toEqual(['2', '3'])
  })

  it('spec: a MessageEvent carries data, lastEventId and the origin of the stream', async () => {
    once('/events', 'id: 7\ndata: a\n\ndata: b\n\nid\ndata: c\n\n')
    const source = connect('/events')
    const events: MessageEvent[] = []
    source.addEventListener('message', (event) => events.push(event))
    await record(source).wait('message', 3)
    expect(events[0]).toBeInstanceOf(MessageEvent)
    expect(events.map((e) => [e.data, e.lastEventId, e.origin])).toEqual([
      ['a', '7', server.origin],
      ['b', '7', server.origin],
      ['c', '', server.origin],
    ])
  })

  it('spec: an id containing U+0000 NULL is ignored', async () => {
    once('/events', 'id: 1\n\nid: 2\0\ndata: a\n\n')
    const events = record(connect('/events'))
    expect((await events.wait('message', 1)).lastEventId).toBe('1')
  })

  it('spec: "Once the end of the file is reached, any pending data must be discarded."', async () => {
    server.route('/events', (_req, res, { n }) => {
      sse(res)
      if (n === 1) res.end('retry: 0\ndata: complete\n\ndata: cut off\nid: 9')
      if (n === 2) res.write('data: next\n\n')
    })
    const events = record(connect('/events'))
    const next = await events.wait('message', 2)
    expect(events.data()).toEqual(['complete', 'next'])
    expect(next.lastEventId).toBe('')
    expect(server.requests('/events')[1]?.headers['last-event-id']).toBeUndefined()
  })
})

describe('reconnection', () => {
  it('spec: when the stream ends the connection is reestablished: error (CONNECTING), then open', async () => {
    server.route('/events', (_req, res, { n }) => {
      sse(res)
      if (n === 1) res.end('retry: 0\nid: 41\ndata: a\n\nid: 42\ndata: b\n\n')
      else res.write('data: c\n\n')
    })
    const events = record(connect('/events'))
    await events.wait('message', 3)
    expect(events.log.map((e) => [e.type, e.readyState, e.data ?? e.code])).toEqual([
      ['open', 1, undefined],
      ['message', 1, 'a'],
      ['message', 1, 'b'],
      ['error', 0, 'ERR_SSE_NETWORK'],
      ['open', 1, undefined],
      ['message', 1, 'c'],
    ])
    // spec: the "last event ID string" is sent as Last-Event-ID and carried by later events.
    expect(server.requests('/events')[1]?.headers['last-event-id']).toBe('42')
    expect(events.log[5]?.lastEventId).toBe('42')
  })

  it('spec: a network error reestablishes the connection', async () => {
    server.route('/events', (_req, res, { n }) => {
      if (n === 1) {
        res.socket?.destroy()
        return
      }
      sse(res)
      res.write('data: after\n\n')
    })
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
    const events = record(connect('/events'))
    const error = await events.wait('error', 1)
    expect(error).toMatchObject({ code: 'ERR_SSE_NETWORK', readyState: EventSource.CONNECTING })
    expect(error.cause).toBeInstanceOf(TypeError)
    expect(error.status).toBeUndefined()
    vi.advanceTimersByTime(3000)
    expect((await events.wait('message', 1)).data).toBe('after')
  })

  it('spec: the reconnection time starts at 3 s and a retry field sets it; a bad one is ignored', async () => {
    server.route('/events', (_req, res, { n }) => {
      sse(res)
      if (n === 1) res.end('data: a\n\n')
      if (n === 2) res.end('retry: 1234\ndata: b\n\n')
      if (n === 3) res.end('retry: 12x\nretry: -5\nretry:  7\nretry:\ndata: c\n\n')
    })
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
    const calls = recordingFetch()
    const events = record(connect('/events', { fetch: calls.fetch }))
    const gaps: number[] = []
    for (let n = 1; n <= 3; n++) {
      await events.wait('error', n)
      const failedAt = Date.now()
      vi.advanceTimersByTime(5000)
      await server.request('/events', n + 1)
      gaps.push((calls.calls[n]?.at ?? 0) - failedAt)
    }
    expect(gaps).toEqual([3000, 1234, 1234])
  })

  it('spec: "Last-Event-ID" is sent UTF-8 encoded', async () => {
    server.route('/events', (_req, res, { n }) => {
      sse(res)
      if (n === 1) res.end('retry: 0\nid: ünï😀\ndata: a\n\n')
    })
    const events = record(connect('/events'))
    await events.wait('open', 2)
    const header = String(server.requests('/events')[1]?.headers['last-event-id'])
    expect(Buffer.from(header, 'latin1').toString('utf8')).toBe('ünï😀')
  })

  it('spec: an empty id resets the last event ID, so no Last-Event-ID is sent', async () => {
    server.route('/events', (_req, res, { n }) => {
      sse(res)
      if (n === 1) res.end('retry: 0\nid: 5\ndata: a\n\nid\ndata: b\n\n')
    })
    const events = record(connect('/events'))
    await events.wait('open', 2)
    expect(server.requests('/events')[1]?.headers['last-event-id']).toBeUndefined()
  })

  it('spec: the id of an event cut off by the end of the stream is not used', async () => {
    server.route('/events', (_req, res, { n }) => {
      sse(res)
      if (n === 1) res.end('retry: 0\nid: 1\ndata: a\n\nid: 2\ndata: b')
    })
    const events = record(connect('/events'))
    await events.wait('open', 2)
    expect(server.requests('/events')[1]?.headers['last-event-id']).toBe('1')
  })

  it('spec: redirects are followed; events carry the final origin; reconnection uses the original URL', async () => {
    const other = await startServer({
      '/moved': (_req, res, { n }) => {
        sse(res)
        if (n === 1) res.end('retry: 0\ndata: there\n\n')
      },
    })
    try {
      let status = 300
      server.route('/events', (_req, res) => {
        status = status === 301 ? 307 : 301
        res.writeHead(status, { location: other.url('/moved') }).end()
      })
      const events = record(connect('/events'))
      const message = await events.wait('message', 1)
      expect(message).toMatchObject({ data: 'there', origin: other.origin })
      await other.request('/moved', 2)
      expect(server.requests('/events')).toHaveLength(2)
    } finally {
      await other.close()
    }
  })
})

describe('failing the connection', () => {
  const failures: [string, number, string, string][] = [
    ['HTTP 204 No Content (the way to stop a client)', 204, 'text/event-stream', 'ERR_SSE_STATUS'],
    ['HTTP 404', 404, 'text/event-stream', 'ERR_SSE_STATUS'],
    ['HTTP 500', 500, 'text/event-stream', 'ERR_SSE_STATUS'],
    ['HTTP 503 (no retry option)', 503, 'text/event-stream', 'ERR_SSE_STATUS'],
    ['a 200 of type text/plain', 200, 'text/plain', 'ERR_SSE_CONTENT_TYPE'],
    ['a 200 of type text/event-streams', 200, 'text/event-streams', 'ERR_SSE_CONTENT_TYPE'],
  ]
  it.each(failures)(
    'spec: %s fails the connection: CLOSED, one error, no reconnection',
    async (_name, status, type, code) => {
      server.route('/events', (_req, res) => {
        res
          .writeHead(status, { 'content-type': type })
          .end(status === 204 ? undefined : 'data: x\n\n')
      })
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
      const source = connect('/events')
      const events = record(source)
      const error = await events.wait('error', 1)
      expect(error).toMatchObject({ code, status, readyState: EventSource.CLOSED })
      expect(source.readyState).toBe(EventSource.CLOSED)
      vi.advanceTimersByTime(3_600_000)
      await settle()
      expect(events.log.map((e) => e.type)).toEqual(['error'])
      expect(server.requests('/events')).toHaveLength(1)
    },
  )

  it('spec: the Content-Type essence decides, whatever its case and parameters', async () => {
    once('/events', 'data: ok\n\n', { 'content-type': 'Text/Event-Stream ; charset=UTF-8' })
    const events = record(connect('/events'))
    expect((await events.wait('message', 1)).data).toBe('ok')
  })

  it('the error event is an SseErrorEvent with a message', async () => {
    server.route('/events', (_req, res) => {
      res.writeHead(418).end()
    })
    const source = connect('/events')
    const error = await new Promise<SseErrorEvent>((resolve) => {
      source.onerror = resolve
    })
    expect(error).toBeInstanceOf(SseErrorEvent)
    expect(error.message).toContain('418')
  })
})

describe('close()', () => {
  it('spec: close() aborts the fetch and sets CLOSED; no error event, nothing more dispatched', async () => {
    server.route('/events', (_req, res) => {
      sse(res)
      res.write('data: a\n\n')
    })
    const source = connect('/events')
    const events = record(source)
    await events.wait('message', 1)
    expect(server.open('/events')).toBe(1)
    source.close()
    expect(source.readyState).toBe(EventSource.CLOSED)
    await vi.waitFor(() => expect(server.open('/events')).toBe(0))
    expect(events.log.map((e) => e.type)).toEqual(['open', 'message'])
  })

  it('spec: events are dispatched only "if the readyState attribute is set to a value other than CLOSED"', async () => {
    once('/events', 'data: 1\n\ndata: 2\n\ndata: 3\n\n')
    const source = connect('/events')
    const seen: string[] = []
    source.onmessage = (event) => {
      seen.push(event.data)
      if (event.data === '2') source.close()
    }
    await record(source).wait('message', 2)
    await settle()
    expect(seen).toEqual(['1', '2'])
  })

  it('spec: close() while connecting: nothing is ever dispatched', async () => {
    server.route('/events', (_req, res) => {
      sse(res)
      res.write('data: a\n\n')
    })
    const source = connect('/events')
    const events = record(source)
    await server.request('/events', 1)
    source.close()
    await vi.waitFor(() => expect(server.open('/events')).toBe(0))
    expect(events.log).toEqual([])
  })

  it('spec: close() from an error listener stops the reconnection', async () => {
    server.route('/events', (_req, res) => {
      sse(res)
      res.end('retry: 0\ndata: a\n\n')
    })
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
    const source = connect('/events')
    source.onerror = () => source.close()
    await record(source).wait('error', 1)
    vi.advanceTimersByTime(10_000)
    await settle()
    expect(server.requests('/events')).toHaveLength(1)
  })
})
