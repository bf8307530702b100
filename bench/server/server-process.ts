/**
 * A server under test, alone in its process: `server-process.ts <implementation> [json options]`.
 * Started with `--expose-gc`. The parent commands it over IPC: publish (spaced, burst or at an
 * interval), report memory/CPU, collect garbage, profile CPU, write a heap snapshot.
 */
import { writeFileSync } from 'node:fs'
import { Session } from 'node:inspector/promises'
import { writeHeapSnapshot } from 'node:v8'
import { starters } from './impls.js'
import {
  type Handlers,
  type Implementation,
  makePayload,
  nowUs,
  type PublishResult,
  type ServerInfo,
  serveRequests,
} from './protocol.js'

const impl = process.argv[2] as Implementation
const options = JSON.parse(process.argv[3] ?? '{}') as { maxBufferBytes?: number }
const gc = (globalThis as { gc?: () => void }).gc
if (!gc) throw new Error('start the server process with --expose-gc')

const server = await starters[impl](options)
// A stray error on one connection must not end the process (and its measurements).
process.on('uncaughtException', (error) => {
  const code = (error as NodeJS.ErrnoException).code ?? error.name
  server.errors[`uncaught ${code}`] = (server.errors[`uncaught ${code}`] ?? 0) + 1
})

function cpuUs(): number {
  const usage = process.resourceUsage()
  return usage.userCPUTime + usage.systemCPUTime
}

function info(): ServerInfo {
  const memory = process.memoryUsage()
  return {
    pid: process.pid,
    subscribers: server.subscribers(),
    rss: memory.rss,
    heapUsed: memory.heapUsed,
    external: memory.external,
    arrayBuffers: memory.arrayBuffers,
    cpuUs: cpuUs(),
    nowUs: nowUs(),
    errors: { ...server.errors },
  }
}

/** Publishes `count` events of `size` bytes: `spaced` = one per event-loop turn (setImmediate), `burst` = all in one tick, `interval` = one every `intervalMs`. */
function publish(args: Record<string, unknown>): Promise<PublishResult> {
  const count = args.count as number
  const size = args.size as number
  const mode = args.mode as 'spaced' | 'burst' | 'interval'
  const intervalMs = (args.intervalMs as number | undefined) ?? 100
  const cpuStartUs = cpuUs()
  const startUs = nowUs()
  let published = 0
  stopRequested = false
  const one = () => {
    server.publish(makePayload(size, nowUs()))
    published++
  }
  if (mode === 'burst') {
    // One tick: the payload is built once (its stamp is not read in this workload).
    const payload = makePayload(size, startUs)
    for (let i = 0; i < count; i++) server.publish(payload)
    return Promise.resolve({ startUs, endUs: nowUs(), cpuStartUs, published: count })
  }
  return new Promise((resolve) => {
    const next = () => {
      one()
      if (published >= count || stopRequested) {
        resolve({ startUs, endUs: nowUs(), cpuStartUs, published })
      } else if (mode === 'spaced') setImmediate(next)
      else setTimeout(next, intervalMs)
    }
    next()
  })
}

let session: Session | undefined
/** Set by `stopPublishing`: a spaced or interval publisher stops at its next turn. */
let stopRequested = false

const handlers: Handlers = {
  info,
  gc: () => {
    gc()
    gc()
    return info()
  },
  publish,
  stopPublishing: () => {
    stopRequested = true
    return true
  },
  profileStart: async () => {
    session = new Session()
    session.connect()
    await session.post('Profiler.enable')
    await session.post('Profiler.setSamplingInterval', { interval: 100 })
    await session.post('Profiler.start')
    return true
  },
  profileStop: async (args) => {
    if (!session) throw new Error('no profile running')
    const { profile } = await session.post('Profiler.stop')
    session.disconnect()
    session = undefined
    writeFileSync(args.path as string, JSON.stringify(profile))
    return true
  },
  heapSnapshot: (args) => {
    gc()
    gc()
    return writeHeapSnapshot(args.path as string)
  },
}

serveRequests(handlers)
process.send?.({ kind: 'event', event: 'ready', data: { pid: process.pid, port: server.port } })
