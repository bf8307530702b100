// Every attempt owns one AbortController; its timers and listeners go with it. Many sources
// opened, dropped by the server, failed and closed leave nothing behind: no timer, no listener
// on the caller's signal, no open connection.
import { getEventListeners } from 'node:events'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { nodeHttpFetch } from '../test/fetchers.js'
import { record } from '../test/record.js'
import { sse, startServer, type TestServer } from '../test/server.js'
import { EventSource } from './index.js'

let server: TestServer

beforeEach(async () => {
  server = await startServer({
    '/live': (_req, res) => {
      sse(res)
      res.write('data: hi\n\n')
    },
    '/ends': (_req, res) => {
      sse(res)
      res.end('data: bye\n\n')
    },
    '/gone': (_req, res) => {
      res.writeHead(404).end()
    },
  })
})

afterEach(async () => {
  vi.useRealTimers()
  await server.close()
})

describe('resources', () => {
  it('[NON-SPEC] 300 sources opened, dropped, failed and closed leave no timer, listener or connection', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    const controller = new AbortController()
    // Through node:http rather than undici, whose own timers would be counted too.
    const init = {
      signal: controller.signal,
      readTimeoutMs: 60_000,
      retry: { jitter: 0 },
      fetch: nodeHttpFetch,
    }
    const sources = ['/live', '/ends', '/gone'].flatMap((path) =>
      Array.from({ length: 100 }, () => new EventSource(server.url(path), init)),
    )
    const recordings = sources.map((source) => record(source))
    // Live ones are open, those the server ended wait to reconnect, the 404s failed for good.
    await Promise.all(recordings.slice(0, 200).map((events) => events.wait('message', 1)))
    await Promise.all(recordings.slice(100).map((events) => events.wait('error', 1)))
    expect(sources.map((s) => s.readyState)).toEqual([
      ...Array(100).fill(EventSource.OPEN),
      ...Array(100).fill(EventSource.CONNECTING),
      ...Array(100).fill(EventSource.CLOSED),
    ])
    expect(server.open('/live')).toBe(100)
    // One abort listener for the signal, however many sources share it (no
    // MaxListenersExceededWarning); it goes when the last source closes.
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1)
    // A read timer for each of the 100 open ones, a reconnection timer for each of 100 waiting.
    expect(vi.getTimerCount()).toBe(200)

    for (const source of sources) source.close()
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0)
    expect(vi.getTimerCount()).toBe(0)
    await vi.waitFor(() => expect(server.open('/live')).toBe(0))
    expect(server.requests('/ends')).toHaveLength(100)
  })

  it('[NON-SPEC] aborting the shared signal closes every source at once', async () => {
    const controller = new AbortController()
    const sources = Array.from(
      { length: 50 },
      () => new EventSource(server.url('/live'), { signal: controller.signal }),
    )
    await Promise.all(sources.map((source) => record(source).wait('open', 1)))
    controller.abort()
    expect(sources.every((s) => s.readyState === EventSource.CLOSED)).toBe(true)
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0)
    await vi.waitFor(() => expect(server.open('/live')).toBe(0))
  })

  it('[NON-SPEC] shared: true without Web Locks (Node) is an ordinary connection', async () => {
    const source = new EventSource(server.url('/live'), { shared: true })
    const events = record(source)
    expect((await events.wait('message', 1)).data).toBe('hi')
    expect(server.open('/live')).toBe(1)
    source.close()
    await vi.waitFor(() => expect(server.open('/live')).toBe(0))
  })
})
