import { getEventListeners } from 'node:events'
import { createServer, type Server } from 'node:http'
import { type AddressInfo, connect, type Socket } from 'node:net'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { until } from '../../test/client.js'
import { type Channel, createChannel } from '../channel.js'
import { activeHeartbeatTimers } from '../heartbeat.js'
import { createSseHandler, type NodeSseHandler } from './index.js'

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

const TOTAL = 10_000
const BATCH = 250

let server: Server
let handler: NodeSseHandler
let channel: Channel
let port: number

beforeAll(async () => {
  channel = createChannel({ history: { maxEvents: 100 } })
  handler = createSseHandler({
    heartbeatMs: 30_000,
    authorize: (req) => ({ user: req.header('x-user') ?? 'guest' }),
    onStream: (stream) => {
      channel.subscribe(stream, { filter: () => true })
      // An app timer tied to the stream's signal, as the docs tell apps to do.
      const timer = setInterval(() => stream.comment('tick'), 60_000)
      stream.signal.addEventListener('abort', () => clearInterval(timer), { once: true })
    },
  })
  server = createServer((req, res) => void handler(req, res))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  port = (server.address() as AddressInfo).port
})

afterAll(async () => {
  await handler.close({ timeoutMs: 1000 })
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
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
    server.getConnections((error, n) => (error ? reject(error) : resolve(n))),
  )

const heapUsed = () => {
  gc()
  gc()
  return process.memoryUsage().heapUsed
}

async function churn(count: number, firstIndex: number): Promise<void> {
  for (let start = 0; start < count; start += BATCH) {
    const sockets = await Promise.all(
      Array.from({ length: Math.min(BATCH, count - start) }, (_, k) =>
        openRaw(firstIndex + start + k),
      ),
    )
    await until(() => channel.size === sockets.length, `${sockets.length} subscribers`)
    channel.publish({ data: 'hello' })
    const streams = [...handler.endpoint.streams]
    sockets.forEach((socket, k) => {
      const mode = (start + k) % 3
      if (mode === 0)
        socket.resetAndDestroy() // abrupt: RST
      else if (mode === 1)
        socket.end() // polite: FIN from the client
      else streams[k]?.close({ event: 'bye', data: 'see you' }) // polite: the server ends it
    })
    await until(() => handler.endpoint.streams.size === 0, 'every stream to be forgotten', 120_000)
    for (const socket of sockets) socket.destroy()
  }
}

it(`opens and drops ${TOTAL} connections and keeps nothing of them`, async () => {
  await churn(500, 0) // warm-up: JIT, pools, lazily created internals
  const baseline = heapUsed()
  await churn(TOTAL, 500)
  for (let turn = 0; (await openConnections()) > 0; turn++) {
    if (turn > 10_000) throw new Error('server-side sockets stayed open')
    await new Promise((resolve) => setImmediate(resolve))
  }
  // Structural emptiness: nothing of any connection is left anywhere.
  expect(handler.endpoint.streams.size).toBe(0)
  expect(handler.endpoint.stats.active).toBe(0)
  expect(handler.endpoint.stats.opened).toBe(TOTAL + 500)
  expect(channel.size).toBe(0)
  expect(activeHeartbeatTimers()).toBe(0)
  expect(getEventListeners(channel, 'subscribe')).toHaveLength(0)
  expect(getEventListeners(handler.endpoint, 'close')).toHaveLength(0)
  expect(server.listenerCount('request')).toBe(1)
  const growth = heapUsed() - baseline
  console.info(
    `leak test: heap after GC ${(growth / 1024).toFixed(0)} KiB vs baseline after ${TOTAL} connections`,
  )
  // A margin for allocator noise; a leak of even 1 KiB per connection would be 10 MB.
  expect(growth).toBeLessThan(4 * 1024 * 1024)
}, 300_000)
