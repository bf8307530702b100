/**
 * The hub under load, side by side with the bare server toolkit in the same run (issue 6):
 * updates POSTed over HTTP to `@sprinkler/hub` (from a publisher process of its own) reach N
 * SSE subscribers; the toolkit row publishes the same payloads on a channel in-process.
 * Workloads: (B) 200 publishes × 100 B spaced one per event-loop turn, deliveries/s and
 * server CPU per million deliveries; (C) publish→receive p50/p99, one publish every 100 ms;
 * each at 1,000 and 10,000 subscribers. Reuses the server suite's processes and measures.
 */
import os from 'node:os'
import type { Row, SuiteContext, SuiteResult } from '../lib.js'
import { round } from '../lib.js'
import { killAll } from '../server/children.js'
import { type GroupStats, HUB_IMPLEMENTATIONS } from '../server/protocol.js'
import { deliver, FULL, Load, latency, QUICK, Server } from './server.js'

const PATHS: Record<(typeof HUB_IMPLEMENTATIONS)[number], string> = {
  'sprinkler-fast-path': '/events',
  hub: '/.well-known/mercure?topic=bench',
}

interface Measured {
  deliveriesPerSecond: number
  cpuPerMillion: number | null
  complete: boolean
  p50Ms: number
  p99Ms: number
  samples: string
}

export default async function hubSuite({ quick, log }: SuiteContext): Promise<SuiteResult> {
  const config = quick ? QUICK : FULL
  const sizes = [config.small, config.big]
  const results = new Map<string, Measured>()
  const loadBefore = os.loadavg()
  try {
    const load = await Load.start()
    for (const size of sizes) {
      for (const impl of HUB_IMPLEMENTATIONS) {
        const server = await Server.start(impl)
        try {
          await load.connect('sse', server.port, size, { path: PATHS[impl] })
          const subscribed = await server.waitSubscribers(size)
          const perGen = (await load.all<GroupStats>('stats', { group: 'main' })).map((s) => s.open)
          const b = await deliver(
            server,
            load,
            perGen,
            { count: config.publishes, size: 100, mode: 'spaced' },
            config.phaseDeadlineMs,
          )
          const c = await latency(server, load, perGen, config)
          results.set(`${impl}@${size}`, {
            deliveriesPerSecond: b.perSecond,
            cpuPerMillion: b.cpuUs === null ? null : b.cpuUs / 1e6 / (b.delivered / 1e6),
            complete: b.complete,
            p50Ms: c.p50Ms,
            p99Ms: c.p99Ms,
            samples: `${c.samples.toLocaleString('en-US')} / ${c.expected.toLocaleString('en-US')}`,
          })
          log(
            `${impl} @${size} (${subscribed} subscribed): ${Math.round(b.perSecond)} deliveries/s, p99 ${round(c.p99Ms)} ms`,
          )
        } finally {
          await load.closeAll()
          await server.stop()
        }
      }
    }
  } finally {
    await killAll()
  }
  const rows: Row[] = []
  for (const size of sizes) {
    const bare = results.get(`sprinkler-fast-path@${size}`)
    for (const impl of HUB_IMPLEMENTATIONS) {
      const m = results.get(`${impl}@${size}`)
      if (!m) continue
      rows.push({
        table: `Updates to ${size.toLocaleString('en-US')} subscribers`,
        implementation:
          impl === 'hub' ? 'hub (HTTP POST → SSE)' : 'server toolkit (channel.publish)',
        'deliveries/s': Math.round(m.deliveriesPerSecond) + (m.complete ? '' : ' (incomplete)'),
        'of bare throughput': bare
          ? `${Math.round((100 * m.deliveriesPerSecond) / bare.deliveriesPerSecond)}%`
          : '—',
        'server CPU s per 1M deliveries': m.cpuPerMillion === null ? '—' : round(m.cpuPerMillion),
        'p50 (ms)': round(m.p50Ms),
        'p99 (ms)': round(m.p99Ms),
        'latency samples': m.samples,
      })
    }
  }
  return {
    rows,
    notes: [
      'Both rows serve their streams through `createFastPath` on node:http. The hub row is `@sprinkler/hub` as `sprinkler hub` runs it, with anonymous subscribers to the topic `bench`; every update is a form-encoded POST with a Bearer JWT from a separate publisher process (over keep-alive sockets), so its CPU counts receiving and authorizing the POST, matching topics and the fan-out. Each update carries a generated `urn:uuid` id. Goal (issue 6): the hub at ≥ 80% of the bare toolkit’s throughput.',
      `Load average ${loadBefore.map((l) => l.toFixed(1)).join('/')} before the run; other work on the machine moves deliveries/s and latency, not per-process CPU.`,
    ],
  }
}
