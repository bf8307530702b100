import { getEventListeners } from 'node:events'
import type { Server } from 'node:http'
import { type AddressInfo, connect, type Socket } from 'node:net'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { type Channel, createChannel } from '../src/channel.js'
import type { SseEndpoint, SseEndpointOptions } from '../src/endpoint.js'
import { activeHeartbeatTimers } from '../src/heartbeat.js'
import type { FastPathServer } from '../src/node/fast-path.js'
import { until } from './client.js'

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

/** An adapter serving `GET /events` on a node:http server that is not listening yet. */
export interface LeakTarget {
  server: Server | FastPathServer
  endpoint: SseEndpoint
}

const BATCH = 250

/**
 * Opens and drops `total` connections (a third reset by the client, a third ended by the
 * client, a third closed by the server) and checks that nothing of them is left: streams,
 * subscriptions, timers, listeners, sockets, and heap after GC within a small margin.
 */
export function leakSuite(
  name: string,
  total: number,
  start: (options: SseEndpointOptions) => LeakTarget,
): void {
  let target: LeakTarget
  let channel: Channel
  let port: number

  beforeAll(async () => {
    channel = createChannel({ history: { maxEvents: 100 } })
    target = start({
      heartbeatMs: 30_000,
      authorize: (req) => ({ user: req.header('x-user') ?? 'guest' }),
      onStream: (stream) => {
        channel.subscribe(stream, { filter: () => true })
        // An app timer tied to the stream's signal, as the docs tell apps to do.
        const timer = setInterval(() => stream.comment('tick'), 60_000)
        stream.signal.addEventListener('abort', () => clearInterval(timer), { once: true })
      },
    })
    await new Promise<void>((resolve) => target.server.listen(0, '127.0.0.1', resolve))
    port = (target.server.address() as AddressInfo).port
  })

  afterAll(async () => {
    await target.endpoint.close({ timeoutMs: 1000 })
    target.server.closeAllConnections()
    await new Promise((resolve) => target.server.close(resolve))
  })

  /** Opens a stream on a raw socket and resolves once the response headers have arrived. */
  function openRaw(i: number): Promise<Socket> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port })
      let head = ''
      socket.setEncoding('latin1')
      socket.on('error', reject)
      socket.on('data', function onData(chunk: string) {
        head += chunk
        if (!head.includes('\r\n\r\n')) return
        socket.off('data', onData)
        socket.off('error', reject)
        socket.on('error', () => {}) // resets are expected below
        socket.resume()
        resolve(socket)
      })
      socket.write(`GET /events HTTP/1.1\r\nHost: x\r\nX-User: u${i % 50}\r\n\r\n`)
    })
  }

  const openConnections = () =>
    new Promise<number>((resolve, reject) =>
      target.server.getConnections((error, n) => (error ? reject(error) : resolve(n))),
    )

  const heapUsed = () => {
    gc()
    gc()
    return process.memoryUsage().heapUsed
  }

  async function churn(count: number, firstIndex: number): Promise<void> {
    const { endpoint } = target
    for (let first = 0; first < count; first += BATCH) {
      const sockets = await Promise.all(
        Array.from({ length: Math.min(BATCH, count - first) }, (_, k) =>
          openRaw(firstIndex + first + k),
        ),
      )
      await until(() => channel.size === sockets.length, `${sockets.length} subscribers`)
      channel.publish({ data: 'hello' })
      const streams = [...endpoint.streams]
      sockets.forEach((socket, k) => {
        const mode = (first + k) % 3
        if (mode === 0)
          socket.resetAndDestroy() // abrupt: RST
        else if (mode === 1)
          socket.end() // polite: FIN from the client
        else streams[k]?.close({ event: 'bye', data: 'see you' }) // polite: the server ends it
      })
      await until(() => endpoint.streams.size === 0, 'every stream to be forgotten', 120_000)
      for (const socket of sockets) socket.destroy()
    }
  }

  it(`${name}: opens and drops ${total} connections and keeps nothing of them`, async () => {
    const { endpoint, server } = target
    await churn(500, 0) // warm-up: JIT, pools, lazily created internals
    const baseline = heapUsed()
    await churn(total, 500)
    for (let turn = 0; (await openConnections()) > 0; turn++) {
      if (turn > 10_000) throw new Error('server-side sockets stayed open')
      await new Promise((resolve) => setImmediate(resolve))
    }
    // Structural emptiness: nothing of any connection is left anywhere.
    expect(endpoint.streams.size).toBe(0)
    expect(endpoint.stats.active).toBe(0)
    expect(endpoint.stats.opened).toBe(total + 500)
    expect(channel.size).toBe(0)
    expect(activeHeartbeatTimers()).toBe(0)
    expect(getEventListeners(channel, 'subscribe')).toHaveLength(0)
    expect(getEventListeners(endpoint, 'close')).toHaveLength(0)
    expect(server.listenerCount('connection')).toBe(1)
    const growth = heapUsed() - baseline
    console.info(
      `leak test (${name}): heap after GC ${(growth / 1024).toFixed(0)} KiB vs baseline after ${total} connections`,
    )
    // A margin for allocator noise; a leak of even 1 KiB per connection would be 10 MB.
    expect(growth).toBeLessThan(4 * 1024 * 1024)
  }, 300_000)
}
