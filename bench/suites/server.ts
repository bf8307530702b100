/**
 * SSE servers under load, side by side: Sprinkler vs Express, Hono, better-sse, @fastify/sse, raw node:http and ws.
 *
 * Every server runs alone in a child process (its memory and CPU are its own); two load
 * generator processes hold raw TCP connections from several 127.x source addresses and count
 * frames. Workloads (issue 4): (A) idle RSS per connection, (B) fan-out throughput and CPU,
 * (B') a burst in one tick, (C) publish→receive latency, (D) max concurrent streams, (F)
 * clients that stop reading. `--quick` runs the same phases with smaller numbers.
 * `BENCH_SERVER_ONLY=sprinkler,ws` limits the implementations (for development).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { Row, SuiteContext, SuiteResult } from '../lib.js'
import { round } from '../lib.js'
import { Child, killAll } from '../server/children.js'
import type { StartOptions } from '../server/impls.js'
import { heapDiff, heapGroups, summarizeCpuProfile } from '../server/profile.js'
import {
  type GroupStats,
  IMPLEMENTATIONS,
  type Implementation,
  nowUs,
  type Protocol,
  type PublishResult,
  protocolOf,
  REFERENCE,
  type ServerInfo,
} from '../server/protocol.js'

const serverScript = new URL('../server/server-process.ts', import.meta.url)
const loadgenScript = new URL('../server/loadgen.ts', import.meta.url)

export interface Config {
  big: number
  small: number
  publishes: number
  burst: number
  latencyPublishes: number
  maxStreams: number
  stallPublishes: number
  stalled: number
  normal: number
  /** Longest wait for one delivery phase before it is reported as incomplete. */
  phaseDeadlineMs: number
  /** The same for (B'), whose server may be stuck in its synchronous loop (then it is killed). */
  burstDeadlineMs: number
  /** Publishes of (B) under the CPU profiler. */
  profilePublishes: number
  profileConnections: number
}

export const FULL: Config = {
  big: 10_000,
  small: 1_000,
  publishes: 200,
  burst: 1_000,
  latencyPublishes: 50,
  maxStreams: 19_500,
  stallPublishes: 2_000,
  stalled: 10,
  normal: 5,
  phaseDeadlineMs: 15_000,
  burstDeadlineMs: 15_000,
  profileConnections: 2_000,
  profilePublishes: 60,
}

export const QUICK: Config = {
  big: 2_000,
  small: 500,
  publishes: 50,
  burst: 200,
  latencyPublishes: 10,
  maxStreams: 4_000,
  stallPublishes: 500,
  stalled: 10,
  normal: 5,
  phaseDeadlineMs: 10_000,
  burstDeadlineMs: 10_000,
  profileConnections: 500,
  profilePublishes: 20,
}

const LOADGENS = 2
/** Source addresses per load generator: 127.0.0.2–9 and 127.0.0.10–17. */
const SOURCES = Array.from({ length: LOADGENS }, (_, g) =>
  Array.from({ length: 8 }, (_, i) => `127.0.0.${2 + g * 8 + i}`).join(','),
)
const PAYLOAD = 100
const STALL_PAYLOAD = 8 * 1024
const MAX_BUFFER_BYTES = 1024 * 1024

const MB = 1024 * 1024
const ms = (us: number) => us / 1000

type Log = (message: string) => void

export class Load {
  constructor(readonly gens: Child[]) {}

  static async start(): Promise<Load> {
    const gens = SOURCES.map((sources, i) => new Child(`loadgen-${i}`, loadgenScript, [sources]))
    for (const gen of gens) {
      if (!(await gen.waitEvent('ready', 30_000))) throw new Error(`${gen.name} did not start`)
    }
    return new Load(gens)
  }

  /** Opens `count` streams, split evenly; resolves with how many opened and failed. */
  async connect(
    protocol: Protocol,
    port: number,
    count: number,
    options: { group?: string; stall?: boolean; stopOnFailure?: boolean; path?: string } = {},
  ): Promise<{ opened: number; failed: number }> {
    const shares = this.gens.map(
      (_, i) => Math.floor(count / this.gens.length) + (i < count % this.gens.length ? 1 : 0),
    )
    const results = await Promise.all(
      this.gens.map((gen, i) =>
        (shares[i] ?? 0) === 0
          ? { opened: 0, failed: 0 }
          : gen.request<{ opened: number; failed: number }>(
              'connect',
              { protocol, port, count: shares[i], ...options },
              120_000,
            ),
      ),
    )
    return {
      opened: results.reduce((a, r) => a + r.opened, 0),
      failed: results.reduce((a, r) => a + r.failed, 0),
    }
  }

  async stats(group = 'main'): Promise<GroupStats> {
    const all = await Promise.all(
      this.gens.map((gen) => gen.request<GroupStats>('stats', { group })),
    )
    const failed: Record<string, number> = {}
    for (const s of all)
      for (const [k, v] of Object.entries(s.failed)) failed[k] = (failed[k] ?? 0) + v
    return {
      open: all.reduce((a, s) => a + s.open, 0),
      closedByPeer: all.reduce((a, s) => a + s.closedByPeer, 0),
      failed,
      frames: all.reduce((a, s) => a + s.frames, 0),
      minFrames: Math.min(
        ...all.filter((s) => s.open > 0).map((s) => s.minFrames),
        Number.POSITIVE_INFINITY,
      ),
      maxFrames: Math.max(0, ...all.map((s) => s.maxFrames)),
    }
  }

  async frames(): Promise<number> {
    const all = await Promise.all(this.gens.map((gen) => gen.request<number>('frames')))
    return all.reduce((a, b) => a + b, 0)
  }

  async closeAll(): Promise<void> {
    await Promise.all(this.gens.map((gen) => gen.request('close', {})))
  }

  all<T>(cmd: string, args: Record<string, unknown> = {}, timeoutMs = 30_000): Promise<T[]> {
    return Promise.all(this.gens.map((gen) => gen.request<T>(cmd, args, timeoutMs)))
  }
}

export class Server {
  private constructor(
    readonly child: Child,
    readonly port: number,
  ) {}

  static async start(impl: Implementation, options: StartOptions = {}): Promise<Server> {
    const child = new Child(impl, serverScript, [impl, JSON.stringify(options)], ['--expose-gc'])
    const ready = await child.waitEvent<{ port: number }>('ready', 60_000)
    if (!ready) {
      await child.kill()
      throw new Error(`${impl} server did not start`)
    }
    return new Server(child, ready.port)
  }

  info(timeoutMs = 30_000): Promise<ServerInfo> {
    return this.child.request<ServerInfo>('info', {}, timeoutMs)
  }

  gc(): Promise<ServerInfo> {
    return this.child.request<ServerInfo>('gc', {}, 60_000)
  }

  /** Waits (bounded) until the server counts `n` subscribers. */
  async waitSubscribers(n: number, timeoutMs = 20_000): Promise<number> {
    const until = Date.now() + timeoutMs
    let seen = 0
    while (Date.now() < until) {
      seen = (await this.info()).subscribers
      if (seen >= n) return seen
      await sleep(50)
    }
    return seen
  }

  /** Peak RSS since the last reset (VmHWM), in bytes; the reset works where /proc allows it. */
  peakRss(): number | null {
    try {
      const status = readFileSync(`/proc/${this.child.pid}/status`, 'utf8')
      const kb = /VmHWM:\s+(\d+) kB/.exec(status)?.[1]
      return kb ? Number(kb) * 1024 : null
    } catch {
      return null
    }
  }

  resetPeakRss(): boolean {
    try {
      writeFileSync(`/proc/${this.child.pid}/clear_refs`, '5')
      return true
    } catch {
      return false
    }
  }

  stop(): Promise<void> {
    return this.child.kill()
  }
}

/** `unref`: a timer that must not keep the process alive (a deadline in a race). */
function sleep(msecs: number, unref = false): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, msecs)
    if (unref) timer.unref()
  })
}

interface Delivery {
  expected: number
  delivered: number
  complete: boolean
  /** From the first publish to the last frame received (or to the deadline), µs. */
  windowUs: number
  perSecond: number
  cpuUs: number | null
  publish: PublishResult | null
  /** Set when the server process died during the phase. */
  serverExit?: string
}

/**
 * Publishes and waits until every load generator has received `publishes` frames on each of
 * its open connections (or the deadline passes). Measures the server's CPU over that window.
 */
export async function deliver(
  server: Server,
  load: Load,
  perGen: number[],
  publish: {
    count: number
    size: number
    mode: 'spaced' | 'burst' | 'interval'
    intervalMs?: number
  },
  deadlineMs: number,
): Promise<Delivery> {
  for (const gen of load.gens) gen.drop('reached')
  const expectedPerGen = perGen.map((open) => open * publish.count)
  const before = await Promise.all(
    load.gens.map((gen, i) =>
      gen.request<{ frames: number }>('expect', { frames: expectedPerGen[i] }),
    ),
  )
  const expected = expectedPerGen.reduce((a, b) => a + b, 0)
  const cpuBefore = procCpuUs(server.child.pid)
  const startedUs = nowUs()
  const publishing = server.child
    .request<PublishResult>('publish', publish, deadlineMs + 60_000)
    .catch(() => null)
  const reached = await Promise.all(
    load.gens.map((gen, i) =>
      (expectedPerGen[i] ?? 0) === 0
        ? Promise.resolve({ atUs: startedUs })
        : gen.waitEvent<{ atUs: number }>('reached', deadlineMs),
    ),
  )
  const complete = reached.every((r) => r !== undefined)
  const endUs = complete ? Math.max(...reached.map((r) => r?.atUs ?? 0)) : nowUs()
  const cpuAfter = procCpuUs(server.child.pid)
  await load.all('cancelExpect')
  const after = await load.all<number>('frames')
  const delivered = after.reduce((a, f, i) => a + f - (before[i]?.frames ?? 0), 0)
  let result: PublishResult | null
  let info: ServerInfo | null = null
  if (complete) {
    result = await Promise.race([publishing, sleep(60_000, true).then(() => null)])
    info = result ? await server.info(5_000).catch(() => null) : null
  } else {
    // Past the deadline: stop publishing (a spaced or interval publisher yields to IPC; a
    // server stuck in a synchronous burst cannot answer, and its caller kills it), then let
    // what is in flight drain so the next phase starts quiet.
    server.child.request('stopPublishing', {}, 2_000).catch(() => undefined)
    result = await Promise.race([publishing, sleep(2_000, true).then(() => null)])
    if (result) await quiesce(load)
  }
  const startUs = result?.startUs ?? startedUs
  const windowUs = Math.max(1, endUs - startUs)
  // CPU: the server's own count when it can answer (µs), else /proc (10 ms ticks).
  const precise = complete && result && info ? info.cpuUs - result.cpuStartUs : null
  const coarse = cpuBefore !== null && cpuAfter !== null ? cpuAfter - cpuBefore : null
  return {
    expected,
    delivered,
    complete,
    windowUs,
    perSecond: delivered / (windowUs / 1e6),
    cpuUs: precise ?? coarse,
    publish: result,
    ...(server.child.exit ? { serverExit: exitText(server.child.exit) } : {}),
  }
}

function exitText(exit: { code: number | null; signal: string | null }): string {
  return exit.signal ? `server killed by ${exit.signal}` : `server exited with code ${exit.code}`
}

/** Jiffies the whole machine spent busy and in total (/proc/stat). */
function machineCpu(): { busy: number; total: number } {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? ''
    const v = line.trim().split(/\s+/).slice(1).map(Number)
    const total = v.reduce((a, b) => a + b, 0)
    const idle = (v[3] ?? 0) + (v[4] ?? 0)
    return { busy: total - idle, total }
  } catch {
    return { busy: 0, total: 0 }
  }
}

/** CPU time (user + system) a process has used, from /proc, in µs; null if unreadable. */
function procCpuUs(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    // Fields 14 and 15 (utime, stime) are the 12th and 13th after the command name.
    const ticks = Number(fields[11]) + Number(fields[12])
    return (ticks * 1e6) / CLOCK_TICKS
  } catch {
    return null
  }
}

const CLOCK_TICKS = 100

/** Waits (bounded) until no more frames arrive: what a stopped phase left in flight is delivered. */
async function quiesce(load: Load, maxMs = 30_000): Promise<void> {
  const until = Date.now() + maxMs
  let last = -1
  let still = 0
  while (Date.now() < until && still < 2) {
    const frames = await load.frames()
    still = frames === last ? still + 1 : 0
    last = frames
    await sleep(250)
  }
}

function quantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return Number.NaN
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number
}

interface Latency {
  p50Ms: number
  p99Ms: number
  maxMs: number
  samples: number
  expected: number
}

export async function latency(
  server: Server,
  load: Load,
  perGen: number[],
  config: Config,
): Promise<Latency> {
  // Warm-up publishes (not recorded): the first ones after a quiet spell pay for JIT and GC.
  await deliver(
    server,
    load,
    perGen,
    { count: 5, size: PAYLOAD, mode: 'interval', intervalMs: 100 },
    500 + config.phaseDeadlineMs,
  )
  await load.all('record', { on: true })
  const d = await deliver(
    server,
    load,
    perGen,
    { count: config.latencyPublishes, size: PAYLOAD, mode: 'interval', intervalMs: 100 },
    config.latencyPublishes * 100 + config.phaseDeadlineMs,
  )
  await load.all('record', { on: false })
  const parts = await load.all<Float64Array>('samples', {}, 60_000)
  const all = new Float64Array(parts.reduce((a, p) => a + p.length, 0))
  let offset = 0
  for (const part of parts) {
    all.set(part, offset)
    offset += part.length
  }
  all.sort()
  return {
    p50Ms: ms(quantile(all, 0.5)),
    p99Ms: ms(quantile(all, 0.99)),
    maxMs: ms(all[all.length - 1] ?? Number.NaN),
    samples: all.length,
    expected: d.expected,
  }
}

async function openPerGen(load: Load): Promise<number[]> {
  return (await load.all<GroupStats>('stats', { group: 'main' })).map((s) => s.open)
}

interface ImplResult {
  impl: Implementation
  idle?: {
    connections: number
    rssBefore: number
    rssAfter: number
    heapBefore: number
    heapAfter: number
  }
  fanout: Record<number, Delivery>
  burst?: Delivery
  latency: Record<number, Latency>
  maxStreams?: { streams: number; outcome: string }
  stall?: {
    peakGrowth: number | null
    retainedGrowth: number
    normalLost: number
    normalReceived: number
    stalledDisconnected: number
    complete: boolean
  }
  errors: string[]
}

function describeFailures(
  stats: GroupStats,
  serverInfo: ServerInfo | null,
  exit: string | null,
): string {
  const parts: string[] = []
  for (const [k, v] of Object.entries(stats.failed)) parts.push(`${v}× client ${k}`)
  if (serverInfo)
    for (const [k, v] of Object.entries(serverInfo.errors)) parts.push(`${v}× server ${k}`)
  if (exit) parts.push(exit)
  return parts.join('; ')
}

async function runImpl(
  impl: Implementation,
  load: Load,
  config: Config,
  log: Log,
): Promise<ImplResult> {
  const protocol = protocolOf(impl)
  const out: ImplResult = { impl, fanout: {}, latency: {}, errors: [] }

  // Phase 1: a fresh server; (A) at `big` connections, then (B), (C) and, last, (B').
  let server = await Server.start(impl)
  try {
    const base = await server.gc()
    const t0 = Date.now()
    const { opened, failed } = await load.connect(protocol, server.port, config.big)
    const subscribed = await server.waitSubscribers(opened)
    log(
      `${impl}: ${opened} streams open (${failed} failed, server counts ${subscribed}) in ${Date.now() - t0} ms`,
    )
    await sleep(500)
    await server.gc()
    await sleep(500)
    const idle = await server.gc()
    out.idle = {
      connections: subscribed,
      rssBefore: base.rss,
      rssAfter: idle.rss,
      heapBefore: base.heapUsed,
      heapAfter: idle.heapUsed,
    }
    const perGen = await openPerGen(load)
    const b = await deliver(
      server,
      load,
      perGen,
      { count: config.publishes, size: PAYLOAD, mode: 'spaced' },
      config.phaseDeadlineMs,
    )
    out.fanout[config.big] = b
    log(
      `${impl}: (B) ${config.big} subs: ${Math.round(b.perSecond)} deliveries/s${b.complete ? '' : ' (incomplete)'}`,
    )
    // A (B) stopped at its deadline was drained before `deliver` returned: go on unless the
    // server died.
    if (!server.child.exit) {
      out.latency[config.big] = await latency(server, load, perGen, config)
      log(
        `${impl}: (C) ${config.big} subs: p99 ${round(out.latency[config.big]?.p99Ms ?? Number.NaN)} ms`,
      )
      const burst = await deliver(
        server,
        load,
        perGen,
        { count: config.burst, size: PAYLOAD, mode: 'burst' },
        config.burstDeadlineMs,
      )
      out.burst = burst
      log(
        `${impl}: (B') ${Math.round(burst.perSecond)} deliveries/s${burst.complete ? '' : ' (incomplete)'}`,
      )
    }
  } catch (error) {
    out.errors.push(`phase 1: ${String(error)}`)
    log(`${impl}: phase 1 failed: ${String(error)}`)
  } finally {
    await load.closeAll()
    await server.stop()
  }

  // Phase 2: a fresh server; (B) and (C) at `small`, then (D): open streams up to the cap.
  server = await Server.start(impl)
  try {
    await load.connect(protocol, server.port, config.small)
    await server.waitSubscribers(config.small)
    const perGen = await openPerGen(load)
    out.fanout[config.small] = await deliver(
      server,
      load,
      perGen,
      { count: config.publishes, size: PAYLOAD, mode: 'spaced' },
      config.phaseDeadlineMs,
    )
    out.latency[config.small] = await latency(server, load, perGen, config)
    log(
      `${impl}: (B)/(C) ${config.small} subs: ${Math.round(out.fanout[config.small]?.perSecond ?? 0)} deliveries/s, p99 ${round(out.latency[config.small]?.p99Ms ?? Number.NaN)} ms`,
    )
    let open = (await load.stats()).open
    const step = 1_000
    let outcome = `reached the cap (${config.maxStreams.toLocaleString('en-US')})`
    while (open < config.maxStreams) {
      const want = Math.min(step, config.maxStreams - open)
      const r = await load.connect(protocol, server.port, want, { stopOnFailure: true })
      const stats = await load.stats()
      open = stats.open
      if (r.failed > 0 || stats.closedByPeer > 0 || server.child.exit) {
        const info = server.child.exit ? null : await server.info(10_000).catch(() => null)
        const exit = server.child.exit
          ? `server exited (${JSON.stringify(server.child.exit)})`
          : null
        outcome = `failed after ${open.toLocaleString('en-US')}: ${describeFailures(stats, info, exit)}`
        break
      }
    }
    const info = server.child.exit ? null : await server.info(10_000).catch(() => null)
    out.maxStreams = { streams: Math.min(open, info?.subscribers ?? open), outcome }
    log(`${impl}: (D) ${out.maxStreams.streams} streams: ${outcome}`)
  } catch (error) {
    out.errors.push(`phase 2: ${String(error)}`)
    log(`${impl}: phase 2 failed: ${String(error)}`)
  } finally {
    await load.closeAll()
    await server.stop()
  }

  // Phase 3: (F) clients that stop reading, next to a few that read.
  server = await Server.start(impl, { maxBufferBytes: MAX_BUFFER_BYTES })
  try {
    await load.connect(protocol, server.port, config.stalled, { group: 'stall', stall: true })
    await load.connect(protocol, server.port, config.normal, { group: 'normal' })
    await server.waitSubscribers(config.stalled + config.normal)
    const perGen = (await load.all<GroupStats>('stats', { group: 'normal' })).map((s) => s.open)
    const before = await server.gc()
    const canReset = server.resetPeakRss()
    const d = await deliver(
      server,
      load,
      perGen,
      { count: config.stallPublishes, size: STALL_PAYLOAD, mode: 'spaced' },
      config.phaseDeadlineMs,
    )
    const peak = canReset ? server.peakRss() : null
    await sleep(200)
    const normal = await load.stats('normal')
    const stalled = await load.stats('stall')
    const after = await server.gc()
    // A paused client never sees its connection end; the server's own count says who is left.
    const left = after.subscribers
    out.stall = {
      peakGrowth: peak === null ? null : peak - before.rss,
      retainedGrowth: after.rss - before.rss,
      normalReceived: normal.frames,
      normalLost: config.normal * config.stallPublishes - normal.frames,
      stalledDisconnected: Math.min(
        config.stalled,
        Math.max(stalled.closedByPeer, config.stalled + normal.open - left),
      ),
      complete: d.complete,
    }
    log(
      `${impl}: (F) peak growth ${round((out.stall.peakGrowth ?? Number.NaN) / MB)} MB, lost ${out.stall.normalLost}`,
    )
  } catch (error) {
    out.errors.push(`phase 3: ${String(error)}`)
    log(`${impl}: phase 3 failed: ${String(error)}`)
  } finally {
    await load.closeAll()
    await server.stop()
  }
  return out
}

// ---------------------------------------------------------------------------------------------
// Profiles of the Sprinkler process (and the raw loop, for contrast).

interface Profiles {
  cpu: Record<string, { totalMs: number; top: { name: string; selfMs: number; totalMs: number }[] }>
  heap: Record<
    string,
    { connections: number; rows: { name: string; bytes: number; count: number }[]; total: number }
  >
  dir: string
}

/** Heap snapshots for these; CPU profiles for some. */
const HEAP_PROFILED: readonly Implementation[] = [
  'sprinkler',
  'sprinkler-fast-path',
  'raw-node-http',
  'ws',
  'floor-net-socket',
]
const CPU_PROFILED: readonly Implementation[] = [
  'sprinkler',
  'sprinkler-fast-path',
  'raw-node-http',
]

export async function profile(
  impls: Implementation[],
  load: Load,
  config: Config,
  log: Log,
): Promise<Profiles> {
  const dir = path.join(os.tmpdir(), `sprinkler-bench-${process.pid}`)
  mkdirSync(dir, { recursive: true })
  const result: Profiles = { cpu: {}, heap: {}, dir }
  for (const impl of impls) {
    const protocol = protocolOf(impl)
    const server = await Server.start(impl)
    try {
      // Heap: snapshot with no connection, then with `profileConnections`.
      const before = path.join(dir, `${impl}-0.heapsnapshot`)
      const after = path.join(dir, `${impl}-${config.profileConnections}.heapsnapshot`)
      await server.child.request('heapSnapshot', { path: before }, 120_000)
      await load.connect(protocol, server.port, config.profileConnections)
      const n = await server.waitSubscribers(config.profileConnections)
      await server.child.request('heapSnapshot', { path: after }, 120_000)
      const diff = heapDiff(heapGroups(before), heapGroups(after), n)
      result.heap[impl] = {
        connections: n,
        total: diff.reduce((a, r) => a + r.bytesPerConnection, 0),
        rows: diff
          .filter((r) => Math.abs(r.bytesPerConnection) >= 8)
          .slice(0, 18)
          .map((r) => ({ name: r.name, bytes: r.bytesPerConnection, count: r.countPerConnection })),
      }
      log(`${impl}: heap ${round(result.heap[impl].total)} B per connection (snapshots in ${dir})`)
      // CPU: (B) at `big` subscribers under the profiler.
      if (!CPU_PROFILED.includes(impl)) continue
      await load.connect(protocol, server.port, config.big - config.profileConnections)
      await server.waitSubscribers(config.big)
      const perGen = await openPerGen(load)
      const cpuPath = path.join(dir, `${impl}-B-${config.big}.cpuprofile`)
      await server.child.request('profileStart')
      await deliver(
        server,
        load,
        perGen,
        { count: config.profilePublishes, size: PAYLOAD, mode: 'spaced' },
        config.phaseDeadlineMs,
      )
      await server.child.request('profileStop', { path: cpuPath }, 60_000)
      const summary = summarizeCpuProfile(cpuPath)
      result.cpu[impl] = {
        totalMs: summary.totalMs,
        top: summary.functions.slice(0, 25),
      }
      log(`${impl}: CPU profile in ${cpuPath}`)
    } catch (error) {
      log(`${impl}: profiling failed: ${String(error)}`)
    } finally {
      await load.closeAll()
      await server.stop()
    }
  }
  return result
}

// ---------------------------------------------------------------------------------------------
// Tables.

const kb = (bytes: number) => round(bytes / 1024, 3)
const mb = (bytes: number | null | undefined) =>
  bytes === null || bytes === undefined ? null : round(bytes / MB, 3)

function status(ok: boolean | null): string {
  return ok === null ? 'n/a' : ok ? 'met' : 'missed'
}

function tables(results: ImplResult[], config: Config, profiles: Profiles | null): SuiteResult {
  const rows: Row[] = []
  const get = (impl: Implementation) => results.find((r) => r.impl === impl)
  const raw = get('raw-node-http')

  const tA = `(A) Idle memory at ${config.big.toLocaleString('en-US')} connections (server RSS after GC)`
  for (const r of results) {
    const i = r.idle
    rows.push({
      table: tA,
      implementation: r.impl,
      connections: i?.connections ?? null,
      'RSS before (MB)': mb(i?.rssBefore),
      'RSS after (MB)': mb(i?.rssAfter),
      'RSS per connection (KB)': i ? kb((i.rssAfter - i.rssBefore) / i.connections) : null,
      'JS heap per connection (KB)': i ? kb((i.heapAfter - i.heapBefore) / i.connections) : null,
    })
  }
  for (const n of [config.small, config.big]) {
    const t = `(B) ${config.publishes} publishes × ${PAYLOAD} B to ${n.toLocaleString('en-US')} subscribers (one publish per event-loop turn)`
    const rawCpu = raw?.fanout[n]
    const rawPerM =
      rawCpu?.cpuUs && rawCpu.delivered ? rawCpu.cpuUs / 1e6 / (rawCpu.delivered / 1e6) : null
    for (const r of results) {
      const d = r.fanout[n]
      const perM = d?.cpuUs && d.delivered ? d.cpuUs / 1e6 / (d.delivered / 1e6) : null
      rows.push({
        table: t,
        implementation: r.impl,
        'deliveries/s': d ? round(d.perSecond) : null,
        'server CPU s per 1M deliveries': perM === null ? null : round(perM),
        'CPU vs raw loop': perM !== null && rawPerM ? `${round(perM / rawPerM, 2)}×` : null,
        'wall (ms)': d ? round(ms(d.windowUs)) : null,
        delivered: d
          ? `${d.delivered.toLocaleString('en-US')} / ${d.expected.toLocaleString('en-US')}${d.complete ? '' : ` (in the first ${config.phaseDeadlineMs / 1000} s)`}`
          : null,
      })
    }
  }
  const tB2 = `(B') Burst: ${config.burst.toLocaleString('en-US')} publishes × ${PAYLOAD} B in one tick to ${config.big.toLocaleString('en-US')} subscribers`
  for (const r of results) {
    const d = r.burst
    rows.push({
      table: tB2,
      implementation: r.impl,
      'deliveries/s': d ? round(d.perSecond) : null,
      'publish loop (ms)': d?.publish ? round(ms(d.publish.endUs - d.publish.startUs)) : null,
      'wall (ms)': d ? round(ms(d.windowUs)) : null,
      'server CPU (s)': d?.cpuUs ? round(d.cpuUs / 1e6) : null,
      delivered: d
        ? `${d.delivered.toLocaleString('en-US')} / ${d.expected.toLocaleString('en-US')}${d.complete ? '' : ` (stopped at ${config.burstDeadlineMs / 1000} s${d.serverExit ? `; ${d.serverExit}` : ''})`}`
        : null,
    })
  }
  const tC = '(C) Publish → receive latency, one publish every 100 ms'
  for (const r of results) {
    const a = r.latency[config.small]
    const b = r.latency[config.big]
    rows.push({
      table: tC,
      implementation: r.impl,
      [`p50 @${config.small} (ms)`]: a ? round(a.p50Ms) : null,
      [`p99 @${config.small} (ms)`]: a ? round(a.p99Ms) : null,
      [`p50 @${config.big} (ms)`]: b ? round(b.p50Ms) : null,
      [`p99 @${config.big} (ms)`]: b ? round(b.p99Ms) : null,
      [`max @${config.big} (ms)`]: b ? round(b.maxMs) : null,
      samples: b
        ? `${b.samples.toLocaleString('en-US')} / ${b.expected.toLocaleString('en-US')}`
        : null,
    })
  }
  const tD = `(D) Max concurrent streams in one process (fd limit 20,000; cap ${config.maxStreams.toLocaleString('en-US')})`
  for (const r of results) {
    rows.push({
      table: tD,
      implementation: r.impl,
      streams: r.maxStreams?.streams ?? null,
      outcome: r.maxStreams?.outcome ?? null,
    })
  }
  const tF = `(F) ${config.stalled} clients stop reading while ${config.stallPublishes.toLocaleString('en-US')} × 8 KiB are published (+ ${config.normal} reading clients; Sprinkler maxBufferBytes 1 MiB)`
  for (const r of results) {
    const s = r.stall
    rows.push({
      table: tF,
      implementation: r.impl,
      'peak RSS growth (MB)': mb(s?.peakGrowth),
      'RSS growth after GC (MB)': mb(s?.retainedGrowth),
      'lost by reading clients': s ? s.normalLost : null,
      'stalled clients disconnected': s ? `${s.stalledDisconnected} / ${config.stalled}` : null,
    })
  }

  // Goals (issue 4), for Sprinkler.
  const sse = results.filter(
    (r) =>
      !r.impl.startsWith('sprinkler') &&
      r.impl !== 'ws' &&
      r.impl !== 'raw-node-http' &&
      !REFERENCE.includes(r.impl),
  )
  const perConn = (r: ImplResult | undefined) =>
    r?.idle ? (r.idle.rssAfter - r.idle.rssBefore) / r.idle.connections : null
  const cpuPerM = (r: ImplResult | undefined, n: number) => {
    const d = r?.fanout[n]
    return d?.cpuUs && d.delivered ? d.cpuUs / 1e6 / (d.delivered / 1e6) : null
  }
  // One row per goal; a value and a status column per Sprinkler variant that ran.
  const g = 'Goals (issue 4) for Sprinkler'
  const goalRows = new Map<string, Row>()
  let variant = 'sprinkler'
  const add = (goal: string, value: string | number | null, verdict: string) => {
    let row = goalRows.get(goal)
    if (!row) {
      row = { table: g, goal }
      goalRows.set(goal, row)
      rows.push(row)
    }
    row[variant] = value
    row[variant === 'sprinkler' ? 'status' : `status (${variant.replace('sprinkler-', '')})`] =
      verdict
  }
  for (const sp of results.filter((r) => r.impl.startsWith('sprinkler'))) {
    variant = sp.impl
    const spMem = perConn(sp)
    add(
      '≤ 6 KB RSS per idle connection',
      spMem === null ? null : `${kb(spMem)} KB`,
      status(spMem === null ? null : spMem <= 6 * 1024),
    )
    const streams = sp.maxStreams?.streams ?? null
    add(
      `≥ 19,000 streams in one process`,
      streams,
      status(streams === null ? null : streams >= 19_000),
    )
    for (const n of [config.small, config.big]) {
      const mine = cpuPerM(sp, n)
      const theirs = cpuPerM(raw, n)
      add(
        `CPU per delivery ≤ 0.5× raw loop (${n.toLocaleString('en-US')} subs)`,
        mine !== null && theirs ? `${round(mine / theirs, 2)}×` : null,
        status(mine !== null && theirs ? mine / theirs <= 0.5 : null),
      )
    }
    const burst = sp.burst?.complete ? sp.burst.perSecond : null
    add(
      "≥ 1,000,000 deliveries/s on (B')",
      burst === null ? null : round(burst),
      status(burst === null ? null : burst >= 1e6),
    )
    const p99s = sp.latency[config.small]?.p99Ms ?? null
    const p99b = sp.latency[config.big]?.p99Ms ?? null
    add(
      `p99 ≤ 15 ms at ${config.small.toLocaleString('en-US')}`,
      p99s === null ? null : `${round(p99s)} ms`,
      status(p99s === null ? null : p99s <= 15),
    )
    add(
      `p99 ≤ 120 ms at ${config.big.toLocaleString('en-US')}`,
      p99b === null ? null : `${round(p99b)} ms`,
      status(p99b === null ? null : p99b <= 120),
    )
    const growth = sp.stall?.peakGrowth ?? sp.stall?.retainedGrowth ?? null
    add(
      '(F) RSS growth ≤ 10 × maxBufferBytes, 0 lost',
      growth === null ? null : `${mb(growth)} MB, ${sp.stall?.normalLost} lost`,
      status(
        growth === null ? null : growth <= 10 * MAX_BUFFER_BYTES && sp.stall?.normalLost === 0,
      ),
    )
    // Ahead of every SSE peer (and ws) on each figure.
    const ahead = (
      name: string,
      mine: number | null,
      peers: (number | null)[],
      lowerIsBetter: boolean,
    ) => {
      const known = peers.filter((p): p is number => p !== null)
      if (mine === null || known.length === 0) return add(name, null, 'n/a')
      const best = lowerIsBetter ? Math.min(...known) : Math.max(...known)
      const ok = lowerIsBetter ? mine <= best : mine >= best
      add(name, `${round(mine)} vs best ${round(best)}`, status(ok))
    }
    const wsR = get('ws')
    for (const [label, peers] of [
      ['SSE peers', sse],
      ['ws', wsR ? [wsR] : []],
    ] as const) {
      ahead(
        `ahead of ${label}: RSS per connection (KB)`,
        spMem === null ? null : kb(spMem),
        peers.map((p) => {
          const v = perConn(p)
          return v === null ? null : kb(v)
        }),
        true,
      )
      for (const n of [config.small, config.big]) {
        ahead(
          `ahead of ${label}: CPU s / 1M deliveries @${n}`,
          cpuPerM(sp, n),
          peers.map((p) => cpuPerM(p, n)),
          true,
        )
      }
      ahead(
        `ahead of ${label}: (B') deliveries/s`,
        sp.burst?.perSecond ?? null,
        peers.map((p) => p.burst?.perSecond ?? null),
        false,
      )
      for (const n of [config.small, config.big]) {
        ahead(
          `ahead of ${label}: p99 @${n} (ms)`,
          sp.latency[n]?.p99Ms ?? null,
          peers.map((p) => p.latency[n]?.p99Ms ?? null),
          true,
        )
      }
      ahead(
        `ahead of ${label}: (F) peak RSS growth (MB)`,
        mb(sp.stall?.peakGrowth),
        peers.map((p) => mb(p.stall?.peakGrowth)),
        true,
      )
    }
  }

  if (profiles) {
    for (const [impl, heap] of Object.entries(profiles.heap)) {
      const t = `Heap per connection: ${impl} (snapshot diff, 0 → ${heap.connections.toLocaleString('en-US')} connections; total ${round(heap.total)} B)`
      for (const r of heap.rows)
        rows.push({
          table: t,
          'object (constructor or kind)': r.name,
          'bytes / connection': round(r.bytes),
          'count / connection': round(r.count, 2),
        })
    }
    for (const [impl, cpu] of Object.entries(profiles.cpu)) {
      const t = `CPU profile: ${impl} under (B) (${config.profilePublishes} publishes) at ${config.big.toLocaleString('en-US')} subscribers (${round(cpu.totalMs)} ms busy; top self time)`
      for (const f of cpu.top.slice(0, 16))
        rows.push({
          table: t,
          function: f.name,
          'self (ms)': round(f.selfMs),
          'self %': round((f.selfMs / cpu.totalMs) * 100, 2),
          'inclusive (ms)': round(f.totalMs),
        })
    }
  }

  const notes = [
    `Method: each server runs alone in a child process (\`--expose-gc\`), commanded over IPC; ${LOADGENS} load-generator processes hold raw TCP connections (hand-written HTTP/1.1 request or WebSocket handshake) from 127.0.0.2–17 and count frames on the bytes (SSE: blank lines; WebSocket: frame headers). All on one 2-core machine: server and clients share the CPUs, so deliveries/s and latency are end-to-end figures of the machine, while CPU per delivery is the server's alone (user + system: \`process.resourceUsage\`, or /proc/PID/stat when a phase hit its deadline).`,
    `(A): RSS after 2 GCs with the connections open minus RSS before them. (B): ${config.publishes} publishes, one per event-loop turn (setImmediate), timed from the first publish to the last frame received. (B'): ${config.burst} publishes in one synchronous loop. A (B) or (C) phase not done in ${config.phaseDeadlineMs / 1000} s, or a (B') not done in ${config.burstDeadlineMs / 1000} s, is reported with what arrived by then (rate over that window; the publisher is stopped and what is in flight drained, or, stuck in its burst, the server is killed). (C): ${config.latencyPublishes} publishes 100 ms apart; the payload carries the publish time (monotonic clock, same for all processes), every delivery is a sample. (D): streams opened in steps of 1,000 until a connection fails or the cap. (F): peak RSS (VmHWM, reset before publishing) minus RSS before; reading clients must get every event.`,
    'Heartbeats are off in every implementation; Sprinkler: `createSseHandler` + `createChannel().publish` on `http.createServer` (sprinkler-fast-path: the same behind `createFastPath`, which serves `/events` from the socket before node:http sees it; sprinkler-coalesced: the fast path with `createChannel({ coalesceMs: 2 })`, which lets a steady stream of publishes share writes across event-loop turns, adding at most 2 ms); Express: the seed’s handler with `res.write` per client; Hono: `streamSSE` on @hono/node-server with `writeSSE` per stream; better-sse: `createSession` + channel `broadcast` (identity serializer); @fastify/sse: `reply.sse.send` per reply (identity serializer); raw: one pre-encoded Buffer, `res.write` to each; ws: one Buffer, `client.send` to each (no compression).',
  ]
  if (profiles)
    notes.push(`Profiles and heap snapshots of this run: ${profiles.dir} (not committed).`)
  for (const r of results) for (const e of r.errors) notes.push(`${r.impl}: ${e}`)
  return { rows, notes }
}

export default async function serverSuite({ quick, log }: SuiteContext): Promise<SuiteResult> {
  const config = quick ? QUICK : FULL
  const only = process.env.BENCH_SERVER_ONLY?.split(',').filter(Boolean)
  const impls = IMPLEMENTATIONS.filter((impl) => !only || only.includes(impl))
  const results: ImplResult[] = []
  let profiles: Profiles | null = null
  const started = Date.now()
  const loadBefore = os.loadavg()
  const cpuBefore = machineCpu()
  try {
    const load = await Load.start()
    for (const impl of impls) {
      results.push(await runImpl(impl, load, config, log))
      const fds = await load.all<number>('fds')
      log(
        `${impl} done at ${Math.round((Date.now() - started) / 1000)} s (load generator fds: ${fds.join(', ')})`,
      )
    }
    const profiled = impls.filter((impl) => HEAP_PROFILED.includes(impl))
    if (process.env.BENCH_SERVER_PROFILE !== '0' && profiled.length > 0) {
      profiles = await profile(profiled, load, config, log)
    }
  } finally {
    await killAll()
  }
  log(`finished in ${Math.round((Date.now() - started) / 1000)} s`)
  const cpuAfter = machineCpu()
  const busy = (cpuAfter.busy - cpuBefore.busy) / Math.max(1, cpuAfter.total - cpuBefore.total)
  const result = tables(results, config, profiles)
  result.notes?.push(
    `Machine during the run: ${Math.round((Date.now() - started) / 1000)} s, CPUs ${Math.round(busy * 100)}% busy on average (everything on the machine, this benchmark included); load average ${loadBefore.map((l) => l.toFixed(1)).join('/')} before, ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(
        '/',
      )} after. Other work on the machine during the run shows up in deliveries/s and latency (not in per-process CPU or memory).`,
  )
  return result
}
