import { createServer, type Server } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { EventSource } from '@sprinkler/client'
import type { SseEndpointOptions } from '@sprinkler/server'
import { createSseHandler, type NodeSseHandler } from '@sprinkler/server/node'
import { afterEach, describe, expect, it } from 'vitest'
import { seededRandom } from '../../../test-support/random.js'
import { LogFeed } from './feed.js'
import { Holdings, openStream, type StreamEvent } from './test-stream.js'

interface Served {
  url: string
  events: NodeSseHandler
  sockets: Set<Socket>
}

const cleanups: (() => Promise<void> | void)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

async function serve(feed: LogFeed, options: SseEndpointOptions = {}): Promise<Served> {
  const events = createSseHandler({ onStream: (stream) => feed.serve(stream), ...options })
  const sockets = new Set<Socket>()
  const server: Server = createServer((req, res) => void events(req, res))
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  cleanups.push(async () => {
    feed.close()
    await events.close({ timeoutMs: 1000 })
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  })
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, events, sockets }
}

/**
 * Opens a raw stream whose events all go to `holdings` (and to `seen`); `ready` resolves with
 * the first event (the source list: the client is served from then on).
 */
function follow(url: string, holdings: Holdings, headers: Record<string, string> = {}) {
  const seen: StreamEvent[] = []
  let first: () => void = () => {}
  const ready = new Promise<void>((resolve) => {
    first = resolve
  })
  const stream = openStream(
    url,
    (event) => {
      seen.push(event)
      holdings.apply(event)
      first()
    },
    headers,
  )
  cleanups.push(() => stream.close())
  return { stream, seen, ready }
}

describe('LogFeed stream', () => {
  it('sends the source list first, then every retained line once, in order, then live lines', async () => {
    const feed = new LogFeed()
    const a = feed.addSource({ name: 'a.log', kind: 'file' })
    const b = feed.addSource({ name: 'b.log', kind: 'file' })
    for (let i = 1; i <= 5; i++) a.line(`a${i}`, 2)
    b.line('b1', 2)
    const { url } = await serve(feed)
    const holdings = new Holdings()
    const { seen } = follow(url, holdings)
    await holdings.until('0', 5)
    for (let i = 6; i <= 1000; i++) a.line(`a${i}`, 4)
    b.line('b2', 2)
    await holdings.until('0', 1000)
    await holdings.until('1', 2)
    expect(seen[0]?.type).toBe('sources')
    expect(JSON.parse(seen[0]?.data ?? '')).toMatchObject([
      { id: '0', name: 'a.log', kind: 'file' },
      { id: '1', name: 'b.log', kind: 'file' },
    ])
    expect(holdings.errors).toEqual([])
    expect(holdings.lines.get('0')).toEqual(Array.from({ length: 1000 }, (_, i) => `a${i + 1}`))
    expect(holdings.lines.get('1')).toEqual(['b1', 'b2'])
  })

  it('resumes every source exactly from the cursor in Last-Event-ID', async () => {
    const feed = new LogFeed()
    const a = feed.addSource({ name: 'a', kind: 'file' })
    const b = feed.addSource({ name: 'b', kind: 'file' })
    const { url } = await serve(feed)
    const holdings = new Holdings()
    const first = follow(url, holdings)
    for (let i = 1; i <= 300; i++) a.line(`a${i}`, 4)
    for (let i = 1; i <= 200; i++) b.line(`b${i}`, 4)
    await holdings.until('0', 300)
    await holdings.until('1', 200)
    first.stream.close()
    await first.stream.ended
    // While it is away, both sources go on.
    for (let i = 301; i <= 400; i++) a.line(`a${i}`, 4)
    for (let i = 201; i <= 250; i++) b.line(`b${i}`, 4)
    follow(url, holdings, { 'last-event-id': holdings.lastEventId as string })
    await holdings.until('0', 400)
    await holdings.until('1', 250)
    expect(holdings.errors).toEqual([])
    expect(holdings.gaps).toEqual([])
    expect(holdings.lines.get('0')?.at(-1)).toBe('a400')
    expect(holdings.lines.get('1')?.at(-1)).toBe('b250')
  })

  it('sends a gap for lines that left the ring while the client was away, never skipping silently', async () => {
    const feed = new LogFeed({ lines: 100 })
    const a = feed.addSource({ name: 'a', kind: 'file' })
    const { url } = await serve(feed)
    const holdings = new Holdings()
    const first = follow(url, holdings)
    for (let i = 1; i <= 50; i++) a.line(`a${i}`, 4)
    await holdings.until('0', 50)
    first.stream.close()
    await first.stream.ended
    for (let i = 51; i <= 500; i++) a.line(`a${i}`, 4)
    follow(url, holdings, { 'last-event-id': holdings.lastEventId as string })
    await holdings.until('0', 500)
    expect(holdings.errors).toEqual([])
    expect(holdings.gaps).toEqual([{ source: '0', from: 51, to: 400 }])
    expect(holdings.lines.get('0')?.slice(400)).toEqual(
      Array.from({ length: 100 }, (_, i) => `a${i + 401}`),
    )
  })

  it('a lines event holds at most maxEventBytes of lines', async () => {
    const feed = new LogFeed({ maxEventBytes: 1000 })
    const a = feed.addSource({ name: 'a', kind: 'file' })
    for (let i = 0; i < 100; i++) a.line('x'.repeat(92), 92)
    const { url } = await serve(feed)
    const holdings = new Holdings()
    const { seen } = follow(url, holdings)
    await holdings.until('0', 100)
    const sizes = seen.filter((e) => e.type === 'lines').map((e) => e.data.length)
    expect(sizes.length).toBeGreaterThanOrEqual(10)
    expect(Math.max(...sizes)).toBeLessThan(1100)
  })

  it('writes the same pre-encoded bytes to every live client', async () => {
    const feed = new LogFeed()
    const a = feed.addSource({ name: 'a', kind: 'file' })
    const { url } = await serve(feed)
    const one = new Holdings()
    const two = new Holdings()
    const x = follow(url, one)
    const y = follow(url, two)
    await Promise.all([x.ready, y.ready])
    a.line('first', 5)
    await Promise.all([one.until('0', 1), two.until('0', 1)])
    for (let i = 0; i < 500; i++) a.line(`line ${i}`, 8)
    await Promise.all([one.until('0', 501), two.until('0', 501)])
    const frames = (seen: StreamEvent[]) =>
      seen.filter((e) => e.type === 'lines').map((e) => `${e.lastEventId}\n${e.data}`)
    expect(frames(x.seen)).toEqual(frames(y.seen))
  })

  it('sends status events in order with the lines around them', async () => {
    const feed = new LogFeed()
    const a = feed.addSource({ name: 'a', kind: 'file' })
    const { url } = await serve(feed)
    const holdings = new Holdings()
    const { seen, ready } = follow(url, holdings)
    await ready
    a.line('before', 6)
    a.status({ state: 'rotated' })
    a.line('after', 5)
    await holdings.until('0', 2)
    const order = seen
      .filter((e) => e.type !== 'sources')
      .map((e) => (e.type === 'status' ? JSON.parse(e.data).state : JSON.parse(e.data).lines[0]))
    expect(order).toEqual(['before', 'rotated', 'after'])
  })

  it('100 seeded-random connection drops during a stream of identical lines: the client holds exactly lines 1..N', async () => {
    const N = 20_000
    const feed = new LogFeed({ lines: N, batchMs: 5 })
    const a = feed.addSource({ name: 'same', kind: 'command', stream: 'stdout' })
    const served = await serve(feed, { retryMs: 1 })
    const opened: number[] = []
    served.events.endpoint.addEventListener('open', () => opened.push(opened.length))
    const holdings = new Holdings()
    const client = new EventSource(served.url)
    cleanups.push(() => client.close())
    for (const type of ['lines', 'gap']) {
      client.addEventListener(type, (event) => {
        const message = event as MessageEvent
        holdings.apply({ type, data: message.data, lastEventId: message.lastEventId })
      })
    }
    const random = seededRandom(13)
    let written = 0
    const waitOpen = async (count: number) => {
      while (opened.length < count) await new Promise((resolve) => setTimeout(resolve, 2))
    }
    for (let drop = 1; drop <= 100; drop++) {
      await waitOpen(drop)
      const burst = Math.floor(random() * 300)
      for (let i = 0; i < burst && written < N; i++, written++) a.line('the same line', 13)
      // Drop at a random moment: before, during or after the burst reaches the client.
      await new Promise((resolve) => setTimeout(resolve, random() * 8))
      for (const socket of served.sockets) socket.destroy()
    }
    await waitOpen(101)
    for (; written < N; written++) a.line('the same line', 13)
    await holdings.until('0', N)
    expect(opened.length).toBeGreaterThanOrEqual(101)
    expect(holdings.errors).toEqual([])
    expect(holdings.gaps).toEqual([])
    expect(holdings.lines.get('0')).toEqual(new Array(N).fill('the same line'))
  }, 60_000)

  it('a throttled client is dropped and gets a gap on resume, while a normal one gets everything', async () => {
    const feed = new LogFeed({ lines: 2000 })
    const a = feed.addSource({ name: 'fast', kind: 'file' })
    const served = await serve(feed, { maxBufferBytes: 64 * 1024 })
    const normal = new Holdings()
    const throttled = new Holdings()
    const fast = follow(served.url, normal)
    const slow = follow(served.url, throttled)
    const response = await slow.stream.response
    await Promise.all([fast.ready, slow.ready])
    a.line('warm-up', 7)
    await Promise.all([normal.until('0', 1), throttled.until('0', 1)])
    // The throttled client stops reading; lines keep coming, a burst per turn of the loop,
    // until the kernel's socket buffers and then its 64 KiB bound are full.
    response.pause()
    const line = 'x'.repeat(1000)
    let written = 1
    const burst = async () => {
      for (let i = 0; i < 200; i++, written++) a.line(line, 1000)
      await new Promise((resolve) => setImmediate(resolve))
    }
    const { stats } = served.events.endpoint
    while (stats.slowClientDisconnects === 0 && written < 100_000) await burst()
    expect(stats.slowClientDisconnects).toBe(1)
    // The client reads what reached it before the drop, then sees the connection end.
    response.resume()
    await slow.stream.ended
    for (let i = 0; i < 20; i++) await burst()
    // It comes back with its cursor: what left the ring meanwhile is a gap, the rest is lines.
    follow(served.url, throttled, { 'last-event-id': throttled.lastEventId as string })
    await Promise.all([normal.until('0', written), throttled.until('0', written)])
    expect(normal.errors).toEqual([])
    expect(normal.gaps).toEqual([])
    expect(normal.count('0')).toBe(written)
    expect(throttled.errors).toEqual([])
    expect(throttled.gaps).toHaveLength(1)
    expect(throttled.count('0')).toBe(written)
    // The gap is exactly what left the ring: the last 2000 lines arrived as lines.
    expect(throttled.gaps[0]?.to).toBe(written - 2000)
  }, 60_000)

  it('a catching-up client whose socket takes nothing is dropped after stallTimeoutMs, looked at less and less often meanwhile', async () => {
    const stallTimeoutMs = 3000
    const feed = new LogFeed({ lines: 20_000, ringBytes: 32 * 1024 * 1024, stallTimeoutMs })
    const a = feed.addSource({ name: 'big', kind: 'file' })
    // 20 MB behind: more than the kernel's socket buffers on both sides take.
    const line = 'y'.repeat(1000)
    for (let i = 0; i < 20_000; i++) a.line(line, 1000)
    // Counts the feed's looks at a full socket that took nothing since the last look.
    let idleLooks = 0
    const { url, events } = await serve(feed, {
      onStream: (stream) => {
        let previous = -1
        const read = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(stream), 'bufferedBytes')
          ?.get as () => number
        Object.defineProperty(stream, 'bufferedBytes', {
          get: () => {
            const value = read.call(stream)
            if (value === previous) idleLooks++
            previous = value
            return value
          },
        })
        feed.serve(stream)
      },
    })
    const closed = new Promise<unknown>((resolve) =>
      events.endpoint.addEventListener('close', (e) => resolve((e as CustomEvent).detail)),
    )
    const stuck = follow(url, new Holdings())
    // The client reads nothing from the start: its socket fills and stays full.
    ;(await stuck.stream.response).pause()
    const reason = ((await closed) as { closeReason?: { code: string } }).closeReason
    expect(reason?.code).toBe('ERR_SSE_SERVER_CLOSED')
    expect(events.endpoint.stats.slowClientDisconnects).toBe(0)
    expect(feed.followers).toBe(0)
    // A look every 10 ms would be ~600 reads in 3 s; backing off to one a second, about 20.
    expect(idleLooks).toBeLessThan(60)
    // The feed goes on serving: a client that reads gets everything.
    const reader = new Holdings()
    follow(url, reader)
    await reader.until('0', 20_000)
    expect(reader.errors).toEqual([])
  }, 60_000)
})
