// [NON-SPEC] `for await (const event of source)`.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { sse, startServer, type TestServer } from '../test/server.js'
import { settle, trackSources } from '../test/sources.js'
import { EventSource, type FetchLike } from './index.js'

let server: TestServer
const sources = trackSources((path) => server.url(path))
const { connect } = sources

beforeEach(async () => {
  server = await startServer({
    '/five': (_req, res) => {
      sse(res)
      res.write('data: 1\n\nevent: other\ndata: x\n\ndata: 2\n\ndata: 3\n\ndata: 4\n\ndata: 5\n\n')
    },
    '/two-then-fail': (_req, res, { n }) => {
      if (n > 1) {
        res.writeHead(401).end()
        return
      }
      sse(res)
      res.end('retry: 0\ndata: 1\n\ndata: 2\n\n')
    },
  })
})

afterEach(async () => {
  sources.closeAll()
  await server.close()
})

describe('async iteration', () => {
  it('yields the message events in order, queueing those that arrive while the body is busy', async () => {
    const source = connect('/five')
    const seen: string[] = []
    for await (const event of source) {
      expect(event).toBeInstanceOf(MessageEvent)
      seen.push(event.data)
      await settle()
      await settle()
      if (seen.length === 5) break
    }
    expect(seen).toEqual(['1', '2', '3', '4', '5'])
  })

  it('leaving the loop early closes the source and its connection', async () => {
    const source = connect('/five')
    for await (const event of source) {
      if (event.data === '2') break
    }
    expect(source.readyState).toBe(EventSource.CLOSED)
    await vi.waitFor(() => expect(server.open('/five')).toBe(0))
  })

  it('ends after close(), once the queue is drained', async () => {
    const source = connect('/five')
    const seen: string[] = []
    for await (const event of source) {
      seen.push(event.data)
      if (event.data === '1') {
        // The other four arrived with the first, before close(): they are still delivered.
        await settle()
        source.close()
      }
    }
    expect(seen).toEqual(['1', '2', '3', '4', '5'])
  })

  it('ends when the signal is aborted', async () => {
    const controller = new AbortController()
    const source = connect('/five', { signal: controller.signal })
    const seen: string[] = []
    const loop = (async () => {
      for await (const event of source) seen.push(event.data)
    })()
    await vi.waitFor(() => expect(seen.length).toBeGreaterThan(0))
    controller.abort()
    await loop
    expect(seen).toEqual(['1', '2', '3', '4', '5'])
  })

  it('throws the SprinklerError when the source fails for good, after the events before it', async () => {
    const source = connect('/two-then-fail')
    const seen: string[] = []
    const failure = await (async () => {
      try {
        for await (const event of source) seen.push(event.data)
      } catch (error) {
        return error
      }
    })()
    expect(seen).toEqual(['1', '2'])
    expect(failure).toMatchObject({ name: 'SprinklerError', code: 'ERR_SSE_STATUS' })
  })

  it('two loops over one source each get every message', async () => {
    const source = connect('/five')
    const take = async (count: number) => {
      const seen: string[] = []
      for await (const event of source[Symbol.asyncIterator]()) {
        seen.push(event.data)
        if (seen.length === count) return seen
      }
      return seen
    }
    const [a, b] = await Promise.all([take(5), take(5)])
    expect(a).toEqual(['1', '2', '3', '4', '5'])
    expect(b).toEqual(a)
  })

  it('a slow loop pauses reading: at most 1024 events (plus one read’s worth) wait in its queue', async () => {
    const total = 5000
    server.route('/many', (_req, res) => {
      sse(res)
      res.end(Array.from({ length: total }, (_, i) => `data: ${i}\n\n`).join(''))
    })
    // The whole body is in memory and handed over 100 bytes per read, only when the client
    // reads: without backpressure the client would take all of it at once.
    const onDemand: FetchLike = async (url, init) => {
      const response = await fetch(url, init)
      const bytes = new Uint8Array(await response.arrayBuffer())
      let offset = 0
      const body = new ReadableStream<Uint8Array>(
        {
          pull(controller) {
            if (offset >= bytes.length) controller.close()
            else controller.enqueue(bytes.subarray(offset, offset + 100))
            offset += 100
          },
        },
        { highWaterMark: 0 },
      )
      return { status: response.status, url: response.url, headers: response.headers, body }
    }
    const source = connect('/many', { fetch: onDemand })
    let dispatched = 0
    source.addEventListener('message', () => dispatched++)
    const iterator = source[Symbol.asyncIterator]()
    expect((await iterator.next()).value?.data).toBe('0')
    await vi.waitFor(() => expect(dispatched).toBeGreaterThanOrEqual(1024))
    for (let i = 0; i < 20; i++) await settle()
    expect(dispatched).toBeLessThanOrEqual(1 + 1024 + 10)
    const rest: string[] = []
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
      rest.push(next.value.data)
      if (rest.length === total - 1) break
    }
    expect(rest).toEqual(Array.from({ length: total - 1 }, (_, i) => String(i + 1)))
    expect(dispatched).toBe(total)
    await iterator.return()
  })

  it('a loop over a closed source ends at once', async () => {
    const source = connect('/five', { signal: AbortSignal.abort() })
    for await (const _ of source) throw new Error('unreachable')
    expect(source.readyState).toBe(EventSource.CLOSED)
  })
})
