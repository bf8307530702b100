/**
 * The hub scaled out on Redis, side by side in one run: one node on memory, one node on Redis,
 * two nodes on Redis (subscribers split between them, updates POSTed to the first), at 1,000
 * and 10,000 subscribers: deliveries/s, CPU per delivery (of the publishing node), p50/p99,
 * and the Redis commands and bytes each published update costs (INFO deltas). Needs Redis on
 * 127.0.0.1:6379; it uses its own key prefix and deletes it.
 */
import { randomUUID } from 'node:crypto'
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

interface Measured {
  deliveriesPerSecond: number
  cpuPerMillion: number | null
  complete: boolean
  p99Ms: number
  p50Ms: number
  commandsPerUpdate: number | null
  bytesPerUpdate: number | null
  publishes: number
}

const newRedis = () => createClient({ url: REDIS_URL })
type Redis = ReturnType<typeof newRedis>

/** Redis's own counters: commands run (all kinds) and bytes in and out. */
async function redisCounters(redis: Redis): Promise<{ commands: number; bytes: number }> {
  const stats = String(await redis.sendCommand(['INFO', 'stats']))
  const read = (name: string) => Number(new RegExp(`^${name}:(\\d+)`, 'm').exec(stats)?.[1] ?? 0)
  return {
    // INFO itself is one command; the caller subtracts its own.
    commands: read('total_commands_processed'),
    bytes: read('total_net_input_bytes') + read('total_net_output_bytes'),
  }
}

export default async function clusterSuite({ quick, log }: SuiteContext): Promise<SuiteResult> {
  const config = quick ? QUICK : FULL
  const sizes = [config.small, config.big]
  const redis = newRedis()
  redis.on('error', () => {})
  await redis.connect()
  const results = new Map<string, Measured>()
  const prefixes: string[] = []
  try {
    const load = await Load.start()
    for (const size of sizes) {
      for (const setup of SETUPS) {
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
          const before = await redisCounters(redis)
          const b = await deliver(
            first,
            load,
            perGen,
            { count: config.publishes, size: 100, mode: 'spaced' },
            config.phaseDeadlineMs,
          )
          const after = await redisCounters(redis)
          const c = await latency(first, load, perGen, config)
          const redisUsed = setup !== 'memory, 1 node'
          results.set(`${setup}@${size}`, {
            deliveriesPerSecond: b.perSecond,
            cpuPerMillion: b.cpuUs === null ? null : b.cpuUs / 1e6 / (b.delivered / 1e6),
            complete: b.complete,
            p50Ms: c.p50Ms,
            p99Ms: c.p99Ms,
            // Minus the two INFO commands of the measurement itself.
            commandsPerUpdate: redisUsed
              ? (after.commands - before.commands - 1) / config.publishes
              : null,
            bytesPerUpdate: redisUsed ? (after.bytes - before.bytes) / config.publishes : null,
            publishes: config.publishes,
          })
          log(
            `${setup} @${size}: ${Math.round(b.perSecond)} deliveries/s, p99 ${round(c.p99Ms)} ms`,
          )
        } finally {
          await load.closeAll()
          for (const node of nodes) await node.stop()
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
  const rows: Row[] = []
  for (const size of sizes) {
    const memory = results.get(`memory, 1 node@${size}`)
    for (const setup of SETUPS) {
      const m = results.get(`${setup}@${size}`)
      if (!m) continue
      rows.push({
        table: `Updates to ${size.toLocaleString('en-US')} subscribers`,
        setup,
        'deliveries/s': Math.round(m.deliveriesPerSecond) + (m.complete ? '' : ' (incomplete)'),
        'of memory, 1 node': memory
          ? `${Math.round((100 * m.deliveriesPerSecond) / memory.deliveriesPerSecond)}%`
          : '—',
        'CPU s per 1M deliveries (publishing node)':
          m.cpuPerMillion === null ? '—' : round(m.cpuPerMillion),
        'p50 (ms)': round(m.p50Ms),
        'p99 (ms)': round(m.p99Ms),
        'Redis commands per update':
          m.commandsPerUpdate === null ? '—' : round(m.commandsPerUpdate),
        'Redis bytes per update': m.bytesPerUpdate === null ? '—' : Math.round(m.bytesPerUpdate),
      })
    }
  }
  return {
    rows,
    notes: [
      'Each node is `@sprinkler/hub` as `sprinkler hub` runs it (fast path, anonymous subscribers to `bench`); updates are form-encoded POSTs with a Bearer JWT from a publisher process, always to the first node. On Redis each update is one EVALSHA (XADD + index upkeep in a Lua script) and each node reads the stream with XREAD BLOCK (one command per batch of entries); the Redis columns count every command and byte Redis saw during the throughput phase (INFO stats deltas, per published update), so they include the reads of every node.',
      'Goal (issue 12): one node on Redis at ≥ 90% of one node on memory. This machine has 2 cores shared with the load generators and Redis, so two nodes cannot show a speed-up here; CPU is the publishing node’s only.',
    ],
  }
}
