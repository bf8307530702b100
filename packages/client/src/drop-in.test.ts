// Code written for the `eventsource` npm package (v3+) runs unchanged on this client.
import {
  EventSource as Reference,
  type FetchLike as ReferenceFetchLike,
  type EventSourceInit as ReferenceInit,
} from 'eventsource'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { sse, startServer, type TestServer } from '../test/server.js'
import { EventSource } from './index.js'

let server: TestServer
const closers: (() => void)[] = []

beforeEach(async () => {
  server = await startServer()
})

afterEach(async () => {
  for (const close of closers.splice(0)) close()
  await server.close()
})

/** What a program written against `eventsource` does: its constructor, its options. */
type EventSourceClass = new (
  url: string,
  init?: ReferenceInit,
) => {
  readyState: number
  onmessage: ((event: MessageEvent) => unknown) | null
  addEventListener(type: string, listener: (event: MessageEvent) => void): void
  close(): void
}

/** Collects `count` events of the given types from whichever implementation it is given. */
function collect(Impl: EventSourceClass, url: string, init: ReferenceInit, count: number) {
  const source = new Impl(url, init)
  closers.push(() => source.close())
  const seen: string[] = []
  return new Promise<string[]>((resolve) => {
    const push = (event: MessageEvent) => {
      seen.push(JSON.stringify([event.type, event.data, event.lastEventId, event.origin]))
      if (seen.length === count) {
        source.close()
        resolve(seen)
      }
    }
    for (const type of ['message', 'update', 'ping']) source.addEventListener(type, push)
  })
}

// A `fetch` written for `eventsource`: it spreads `init.headers` to add a token.
const withToken =
  (token: string): ReferenceFetchLike =>
  (url, init) =>
    fetch(url, { ...init, headers: { ...init.headers, Authorization: `Bearer ${token}` } })

describe('drop-in for the eventsource package', () => {
  it('accepts a fetch typed and written for eventsource, and the server sees its headers', async () => {
    for (const path of ['/ours', '/theirs']) {
      server.route(path, (_req, res, { n }) => {
        sse(res)
        res.end(n === 1 ? 'retry: 0\nid: 1\ndata: a\n\n' : 'id: 2\ndata: b\n\n')
      })
    }
    const ours = await collect(EventSource, server.url('/ours'), { fetch: withToken('o') }, 2)
    const theirs = await collect(Reference, server.url('/theirs'), { fetch: withToken('t') }, 2)
    expect(ours).toEqual(theirs.map((e) => e.replace('/theirs', '/ours')))
    const seen = (path: string) =>
      server
        .requests(path)
        .map((r) => [r.headers.authorization, r.headers.accept, r.headers['last-event-id']])
    expect(seen('/ours')).toEqual([
      ['Bearer o', 'text/event-stream', undefined],
      ['Bearer o', 'text/event-stream', '1'],
    ])
    expect(seen('/theirs')).toEqual([
      ['Bearer t', 'text/event-stream', undefined],
      ['Bearer t', 'text/event-stream', '1'],
    ])
  })

  it('dispatches the same events as eventsource from a tricky stream, with spec-exact lastEventId', async () => {
    const tricky = [
      '\uFEFF: a comment\r\n',
      'retry: 0\r\n',
      'id: 1\ndata: first\n\n',
      'event: update\rdata: multi\rdata: line\r\r',
      'data: no space\n',
      'data:\n\n',
      'id\ndata: id reset\n\n',
      'event: ping\nid: 2\ndata: unicode é 😀\n\n',
      'unknown: field\ndata\n\n',
      'data: dropped at the end of the stream',
    ].join('')
    for (const path of ['/ours', '/theirs']) {
      server.route(path, (_req, res, { n }) => {
        sse(res)
        if (n === 1) res.end(tricky)
        else res.write('data: after reconnecting\n\n')
      })
    }
    const parse = (events: string[]) => events.map((e) => JSON.parse(e) as string[])
    const ours = parse(await collect(EventSource, server.url('/ours'), {}, 7))
    const theirs = parse(await collect(Reference, server.url('/theirs'), {}, 7))
    const typeAndData = (events: string[][]) => events.map(([type, data]) => [type, data])
    expect(typeAndData(ours)).toEqual(typeAndData(theirs))
    expect(typeAndData(ours)).toEqual([
      ['message', 'first'],
      ['update', 'multi\nline'],
      ['message', 'no space\n'],
      ['message', 'id reset'],
      ['ping', 'unicode é 😀'],
      ['message', ''],
      ['message', 'after reconnecting'],
    ])
    // spec: an event's lastEventId is the source's last event ID string, which stays set until
    // the server changes it. (eventsource v4 gives '' to events that have no `id:` of their own.)
    expect(ours.map((e) => e[2])).toEqual(['1', '1', '1', '', '2', '2', '2'])
    expect(server.requests('/ours')[1]?.headers['last-event-id']).toBe('2')
    expect(server.requests('/theirs')[1]?.headers['last-event-id']).toBe('2')
  })

  it('advertises fetch support the way eventsource does', () => {
    const key = Symbol.for('eventsource.supports-fetch-override')
    expect((Reference as unknown as Record<symbol, unknown>)[key]).toBe(true)
    expect((EventSource as unknown as Record<symbol, unknown>)[key]).toBe(true)
  })
})
