/**
 * A load generator process: holds many raw TCP connections to one server under test, speaks
 * just enough HTTP/1.1 (or the WebSocket handshake) to open a stream, and counts frames.
 * Commanded by the parent over IPC (see protocol.ts). Every connection binds one of the
 * 127.x source addresses it was given, so ephemeral ports never run out.
 *
 * Reads go into one shared buffer (`onread`), so an idle or busy connection allocates nothing
 * per read.
 */
import { readdirSync } from 'node:fs'
import net from 'node:net'
import { FrameCounter } from './counter.js'
import { type GroupStats, type Handlers, nowUs, type Protocol, serveRequests } from './protocol.js'

const sources = (process.argv[2] ?? '127.0.0.2').split(',')
let nextSource = 0

interface Conn {
  socket: net.Socket
  counter: FrameCounter
  group: string
  stall: boolean
  /** 0 connecting, 1 open (head received), 2 closed. */
  state: 0 | 1 | 2
}

const groups = new Map<string, Set<Conn>>()
const groupStats = new Map<string, { closedByPeer: number; failed: Record<string, number> }>()
const shared = Buffer.allocUnsafe(256 * 1024)

// Delivery accounting.
let totalFrames = 0
let target = Number.POSITIVE_INFINITY
// Latency recording.
let recording = false
let samples = new Float64Array(1 << 16)
let sampleCount = 0
const MAX_SAMPLES = 1 << 23

function onStamp(latencyUs: number): void {
  if (sampleCount === samples.length) {
    if (samples.length >= MAX_SAMPLES) return
    const bigger = new Float64Array(samples.length * 2)
    bigger.set(samples)
    samples = bigger
  }
  samples[sampleCount++] = latencyUs
}

function send(message: unknown): void {
  process.send?.(message)
}

function statsOf(name: string): { closedByPeer: number; failed: Record<string, number> } {
  let stats = groupStats.get(name)
  if (!stats) {
    stats = { closedByPeer: 0, failed: {} }
    groupStats.set(name, stats)
  }
  return stats
}

function requestBytes(protocol: Protocol, port: number, path: string): Buffer {
  const host = `Host: 127.0.0.1:${port}\r\n`
  if (protocol === 'ws') {
    return Buffer.from(
      `GET ${path} HTTP/1.1\r\n${host}Upgrade: websocket\r\nConnection: Upgrade\r\n` +
        'Sec-WebSocket-Key: c3ByaW5rbGVyLWJlbmNoIQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
    )
  }
  return Buffer.from(
    `GET ${path} HTTP/1.1\r\n${host}Accept: text/event-stream\r\nCache-Control: no-cache\r\n\r\n`,
  )
}

/** Opens one connection; resolves true once the response head arrived, false on failure. */
function open(
  protocol: Protocol,
  port: number,
  request: Buffer,
  group: string,
  stall: boolean,
  timeoutMs: number,
): Promise<boolean> {
  return new Promise((resolve) => {
    const localAddress = sources[nextSource++ % sources.length] as string
    const counter = new FrameCounter(protocol === 'ws')
    let settled = false
    const settle = (ok: boolean, reason?: string) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      if (!ok) {
        const failed = statsOf(group).failed
        failed[reason ?? 'unknown'] = (failed[reason ?? 'unknown'] ?? 0) + 1
      }
      resolve(ok)
    }
    const socket = net.connect({
      host: '127.0.0.1',
      port,
      localAddress,
      noDelay: true,
      onread: {
        buffer: shared,
        callback(nread: number, buf: Uint8Array): boolean {
          const received = nowUs()
          const added = counter.feed(
            buf.subarray(0, nread),
            received,
            recording ? onStamp : undefined,
          )
          if (conn.state === 0 && counter.status !== 0) {
            if (counter.status === 200 || counter.status === 101) {
              conn.state = 1
              let set = groups.get(group)
              if (!set) {
                set = new Set()
                groups.set(group, set)
              }
              set.add(conn)
              if (stall) socket.pause()
              settle(true)
            } else {
              settle(false, `HTTP ${counter.status}`)
              socket.destroy()
            }
          }
          if (added > 0) {
            totalFrames += added
            if (totalFrames >= target) {
              target = Number.POSITIVE_INFINITY
              send({
                kind: 'event',
                event: 'reached',
                data: { atUs: received, frames: totalFrames },
              })
            }
          }
          return true
        },
      },
    })
    const conn: Conn = { socket, counter, group, stall, state: 0 }
    const timer = setTimeout(() => {
      settle(false, 'timeout')
      socket.destroy()
    }, timeoutMs)
    socket.on('connect', () => socket.write(request))
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (conn.state === 0) settle(false, error.code ?? error.message)
    })
    socket.on('close', () => {
      if (conn.state === 0) settle(false, 'closed before head')
      if (conn.state === 1) {
        statsOf(group).closedByPeer++
        groups.get(group)?.delete(conn)
      }
      conn.state = 2
    })
  })
}

async function connect(args: Record<string, unknown>): Promise<{ opened: number; failed: number }> {
  const protocol = args.protocol as Protocol
  const port = args.port as number
  const count = args.count as number
  const group = (args.group as string | undefined) ?? 'main'
  const stall = args.stall === true
  const concurrency = (args.concurrency as number | undefined) ?? 128
  const timeoutMs = (args.timeoutMs as number | undefined) ?? 15_000
  // Stop early when the server is plainly not answering: `maxFailures` (default 20) failed
  // attempts, or the first one with `stopOnFailure`.
  const maxFailures =
    args.stopOnFailure === true ? 1 : ((args.maxFailures as number | undefined) ?? 20)
  const request = requestBytes(protocol, port, (args.path as string | undefined) ?? '/events')
  let started = 0
  let opened = 0
  let failed = 0
  const worker = async () => {
    while (started < count && failed < maxFailures) {
      started++
      if (await open(protocol, port, request, group, stall, timeoutMs)) opened++
      else failed++
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker))
  return { opened, failed }
}

function stats(group: string): GroupStats {
  const set = groups.get(group) ?? new Set<Conn>()
  let frames = 0
  let min = Number.POSITIVE_INFINITY
  let max = 0
  for (const conn of set) {
    const f = conn.counter.frames
    frames += f
    if (f < min) min = f
    if (f > max) max = f
  }
  const extra = statsOf(group)
  return {
    open: set.size,
    closedByPeer: extra.closedByPeer,
    failed: { ...extra.failed },
    frames,
    minFrames: set.size === 0 ? 0 : min,
    maxFrames: max,
  }
}

/** Resets (RST) connections so neither side keeps TIME_WAIT state; all of a group, or `count`. */
function close(group: string | undefined, count: number | undefined): number {
  let closed = 0
  const names = group ? [group] : [...groups.keys()]
  for (const name of names) {
    const set = groups.get(name)
    if (!set) continue
    for (const conn of set) {
      if (count !== undefined && closed >= count) break
      set.delete(conn)
      conn.state = 2
      const { socket } = conn
      // RST leaves no TIME_WAIT behind; but a socket that already saw the peer's FIN is
      // shutting down, and resetting it fails (EINVAL) and leaks its fd: destroy that one.
      if (socket.readableEnded || socket.writableEnded || socket.destroyed) socket.destroy()
      else socket.resetAndDestroy()
      closed++
    }
    if (set.size === 0) {
      groups.delete(name)
      groupStats.delete(name)
    }
  }
  return closed
}

const handlers: Handlers = {
  connect,
  stats: (args) => stats((args.group as string | undefined) ?? 'main'),
  close: (args) => close(args.group as string | undefined, args.count as number | undefined),
  /** Fires a `reached` event once `frames` more frames (over all connections) have arrived. */
  expect: (args) => {
    target = totalFrames + (args.frames as number)
    return { frames: totalFrames }
  },
  cancelExpect: () => {
    target = Number.POSITIVE_INFINITY
    return { frames: totalFrames }
  },
  frames: () => totalFrames,
  record: (args) => {
    recording = args.on === true
    if (recording) sampleCount = 0
    return sampleCount
  },
  /** The latency samples (µs) recorded since `record({ on: true })`. */
  samples: () => samples.slice(0, sampleCount),
  resume: (args) => {
    for (const conn of groups.get(args.group as string) ?? []) conn.socket.resume()
    return true
  },
  memory: () => process.memoryUsage().rss,
  /** File descriptors this process holds (a leak check between phases). */
  fds: () => readdirSync('/proc/self/fd').length,
}

serveRequests(handlers)
send({ kind: 'event', event: 'ready', data: { pid: process.pid } })
