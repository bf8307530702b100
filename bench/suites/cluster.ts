/**
 * The hub scaled out on Redis, side by side in one run: one node on memory, one node on Redis,
 * two nodes on Redis (subscribers split between them, updates POSTed to the first), at 1,000
 * and 10,000 subscribers: deliveries/s, CPU per delivery (all nodes), p50/p99, and the Redis
 * commands and bytes each published update costs (INFO deltas). Every configuration is
 * measured the same way in three interleaved rounds (the order rotates each round) and the
 * tables show medians. Needs Redis on 127.0.0.1:6379; it uses its own key prefix and deletes it.
 */
import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import os from 'node:os'
import { createClient } from 'redis'
import type { Row, SuiteContext, SuiteResult } from '../lib.js'
import { round } from '../lib.js'
import { killAll } from '../server/children.js'
import type { GroupStats } from '../server/protocol.js'
import { deliver, FULL, Load, latency, QUICK, Server } from './server.js'

const REDIS_URL = 'redis://127.0.0.1:6379'
const PATH = '/.well-known/mercure?topic=bench'

type Setup = 'memory, 1 node' | 'Redis, 1 node' | 'Redis, 2 nodes'
const SETUPS: Setup[] = ['memory, 1 node', 'Redis, 1 node', 'Redis, 2 nodes']
/** Rounds per size; round r starts at setup r, so each setup runs first, second and third once. */
const ROUNDS = 3
/** Publishes before the measured ones, in every configuration: JIT, sockets, Lua scripts warm. */
const WARM_UP_PUBLISHES = 50

interface Sample {
  deliveriesPerSecond: number
  cpuPerMillion: number | null
  complete: boolean
  p99Ms: number
  p50Ms: number
  commandsPerUpdate: number | null
  bytesPerUpdate: number | null
  /** Stream entries each XREAD returned to a node, on average (several = batched fan-out). */
  entriesPerRead: number | null
  /** Write system calls of the nodes per delivered frame (below 1: frames share writes). */
  writesPerDelivery: number | null
  order: number
}

const newRedis = () => createClient({ url: REDIS_URL })
type Redis = ReturnType<typeof newRedis>

/** Redis's own counters: commands run (all kinds), bytes in and out, XREAD calls. */
async function redisCounters(redis: Redis) {
  const stats = String(await redis.sendCommand(['INFO', 'stats']))
  const commands = String(await redis.sendCommand(['INFO', 'commandstats']))
  const read = (text: string, name: string) =>
    Number(new RegExp(`^${name}:(?:calls=)?(\\d+)`, 'm').exec(text)?.[1] ?? 0)
  return {
    commands: read(stats, 'total_commands_processed'),
    bytes: read(stats, 'total_net_input_bytes') + read(stats, 'total_net_output_bytes'),
    reads: read(commands, 'cmdstat_xread'),
  }
}

/** CPU (µs) every node has used so far; null when one cannot answer. */
async function nodesCpuUs(nodes: Server[]): Promise<number | null> {
  const infos = await Promise.all(nodes.map((n) => n.info(5_000).catch(() => null)))
  return infos.every((i) => i !== null) ? infos.reduce((a, i) => a + (i?.cpuUs ?? 0), 0) : null
}

/** Write system calls the nodes have made so far (`syscw` of /proc/PID/io); null if unreadable. */
function nodesWriteCalls(nodes: Server[]): number | null {
  try {
    return nodes.reduce((sum, node) => {
      const io = readFileSync(`/proc/${node.child.pid}/io`, 'utf8')
      return sum + Number(/^syscw: (\d+)$/m.exec(io)?.[1] ?? Number.NaN)
    }, 0)
  } catch {
    return null
  }
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
}

export default async function clusterSuite({ quick, log }: SuiteContext): Promise<SuiteResult> {
  const config = quick ? QUICK : FULL
  const sizes = [config.small, config.big]
  const loadBefore = os.loadavg()
  const redis = newRedis()
  redis.on('error', () => {})
  await redis.connect()
  const samples = new Map<string, Sample[]>()
  const prefixes: string[] = []

  /** One configuration, measured exactly as every other: warm-up, throughput, latency. */
  async function measure(load: Load, setup: Setup, size: number, order: number): Promise<Sample> {
    const prefix = `sprinkler-bench:${randomUUID()}:`
    prefixes.push(prefix)
    const options = setup === 'memory, 1 node' ? {} : { redis: { url: REDIS_URL, prefix } }
    const nodes = [await Server.start('hub', options)]
    if (setup === 'Redis, 2 nodes') nodes.push(await Server.start('hub', options))
    const [first] = nodes as [Server]
    try {
      // Subscribers split evenly between the nodes.
      for (const node of nodes) {
        await load.connect('sse', node.port, Math.floor(size / nodes.length), { path: PATH })
      }
      for (const node of nodes) await node.waitSubscribers(Math.floor(size / nodes.length))
      const perGen = (await load.all<GroupStats>('stats', { group: 'main' })).map((s) => s.open)
      const schedule = { size: 100, mode: 'spaced' } as const
      await deliver(
        first,
        load,
        perGen,
        { ...schedule, count: WARM_UP_PUBLISHES },
        config.phaseDeadlineMs,
      )
      const before = await redisCounters(redis)
      const cpuBefore = await nodesCpuUs(nodes)
      const writesBefore = nodesWriteCalls(nodes)
      const b = await deliver(
        first,
        load,
        perGen,
        { ...schedule, count: config.publishes },
        config.phaseDeadlineMs,
      )
      const writesAfter = nodesWriteCalls(nodes)
      const cpuAfter = await nodesCpuUs(nodes)
      const after = await redisCounters(redis)
      const c = await latency(first, load, perGen, config)
      const redisUsed = setup !== 'memory, 1 node'
      // Per update actually published: a phase past its deadline stops publishing early.
      const published = b.publish?.published ?? config.publishes
      const perUpdate = (delta: number) => (redisUsed ? delta / published : null)
      const cpuUs = cpuBefore !== null && cpuAfter !== null ? cpuAfter - cpuBefore : null
      const sample: Sample = {
        deliveriesPerSecond: b.perSecond,
        cpuPerMillion: cpuUs === null ? null : cpuUs / 1e6 / (b.delivered / 1e6),
        complete: b.complete,
        p50Ms: c.p50Ms,
        p99Ms: c.p99Ms,
        // Minus the four INFO commands of the measurement itself.
        commandsPerUpdate: perUpdate(after.commands - before.commands - 2),
        bytesPerUpdate: perUpdate(after.bytes - before.bytes),
        entriesPerRead:
          redisUsed && after.reads > before.reads
            ? (published * nodes.length) / (after.reads - before.reads)
            : null,
        writesPerDelivery:
          writesBefore !== null && writesAfter !== null && b.delivered > 0
            ? (writesAfter - writesBefore) / b.delivered
            : null,
        order,
      }
      log(
        `${setup} @${size} (${order + 1}. in its round): ${Math.round(b.perSecond)} deliveries/s, ` +
          `p99 ${round(c.p99Ms)} ms, ${round(sample.writesPerDelivery ?? Number.NaN)} writes per delivery, ${sample.entriesPerRead === null ? '' : `${round(sample.entriesPerRead)} entries per XREAD, `}` +
          `load ${os.loadavg()[0]?.toFixed(1)}`,
      )
      return sample
    } finally {
      await load.closeAll()
      for (const node of nodes) await node.stop()
    }
  }

  try {
    const load = await Load.start()
    for (const size of sizes) {
      for (let r = 0; r < ROUNDS; r++) {
        const order = [...SETUPS.slice(r % SETUPS.length), ...SETUPS.slice(0, r % SETUPS.length)]
        for (const [i, setup] of order.entries()) {
          const key = `${setup}@${size}`
          samples.set(key, [...(samples.get(key) ?? []), await measure(load, setup, size, i)])
        }
      }
    }
  } finally {
    await killAll()
    for (const prefix of prefixes) {
      const keys = (await redis.sendCommand(['KEYS', `${prefix}*`])) as string[]
      if (keys.length > 0) await redis.sendCommand(['UNLINK', ...keys])
    }
    redis.destroy()
  }
  const loadAfter = os.loadavg()

  const rows: Row[] = []
  for (const size of sizes) {
    const memory = samples.get(`memory, 1 node@${size}`)
    const memoryMedian = memory && median(memory.map((s) => s.deliveriesPerSecond))
    for (const setup of SETUPS) {
      const list = samples.get(`${setup}@${size}`)
      if (!list) continue
      const med = (pick: (s: Sample) => number | null) => {
        const values = list.map(pick).filter((v): v is number => v !== null)
        return values.length === list.length ? median(values) : null
      }
      const perSecond = med((s) => s.deliveriesPerSecond) as number
      const incomplete = list.filter((s) => !s.complete).length
      const each = list.map((s) => Math.round(s.deliveriesPerSecond).toLocaleString('en-US'))
      const entries = med((s) => s.entriesPerRead)
      const commands = med((s) => s.commandsPerUpdate)
      const bytes = med((s) => s.bytesPerUpdate)
      const cpu = med((s) => s.cpuPerMillion)
      const writes = med((s) => s.writesPerDelivery)
      rows.push({
        table: `Updates to ${size.toLocaleString('en-US')} subscribers`,
        setup,
        'deliveries/s (median)':
          Math.round(perSecond) +
          (incomplete > 0 ? ` (${incomplete} of ${list.length} incomplete)` : ''),
        'rounds (in run order)': each.join(' / '),
        'of memory, 1 node': memoryMedian
          ? `${Math.round((100 * perSecond) / memoryMedian)}%`
          : '—',
        'CPU s per 1M deliveries (all nodes)': cpu === null ? '—' : round(cpu),
        'p50 (ms)': round(med((s) => s.p50Ms) as number),
        'p99 (ms)': round(med((s) => s.p99Ms) as number),
        'write syscalls per delivery (all nodes)': writes === null ? '—' : round(writes),
        'stream entries per XREAD': entries === null ? '—' : round(entries),
        'Redis commands per update': commands === null ? '—' : round(commands),
        'Redis bytes per update': bytes === null ? '—' : Math.round(bytes),
      })
    }
  }
  return {
    rows,
    notes: [
      `Each configuration ran ${ROUNDS} times, interleaved: round r starts at the r-th setup, so each runs once first, once second and once third; the figures are medians, the "rounds" column the three runs in order. Every run starts fresh hub processes and measures the same way: ${WARM_UP_PUBLISHES} warm-up publishes (not counted), then ${config.publishes} publishes of 100 B with the same schedule (one IPC message per event-loop turn to the publisher process, which POSTs over 4 keep-alive sockets and so waits for the hub's answers), counted until every subscriber has every frame; then the latency phase (one publish every 100 ms).`,
      'Each node is `@sprinkler/hub` as `sprinkler hub` runs it (fast path, anonymous subscribers to `bench`); updates are form-encoded POSTs with a Bearer JWT, always to the first node. On Redis each update is one EVALSHA (XADD + index upkeep in a Lua script; Redis counts the commands the script runs too) and each node reads the stream with XREAD BLOCK. "Stream entries per XREAD" is how many updates one read brought a node: above 1, the node fans several updates out in one turn of its event loop, and the server coalesces a subscriber\'s frames of one turn into one socket write, which is why a loaded Redis node can deliver more per second than a memory node, whose fan-out runs once per POST: "write syscalls per delivery" (`syscw` in /proc/PID/io of every node over the throughput phase, per frame delivered) shows it. The Redis columns count every command and byte Redis saw during the throughput phase (INFO deltas, per published update), the reads of every node included; CPU is that of all nodes (not the publisher or the load generators).',
      `Goal (issue 12): one node on Redis at ≥ 90% of one node on memory. This machine has 2 cores shared with the load generators, Redis and other work (load average ${loadBefore.map((l) => l.toFixed(1)).join('/')} before the run, ${loadAfter.map((l) => l.toFixed(1)).join('/')} after), so two nodes cannot show a speed-up here.`,
    ],
  }
}
