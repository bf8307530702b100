/**
 * Soak: a real `sprinkler hub` process for minutes under churn, steady publishing and a slowloris crowd; RSS and fds must level off, no update lost.
 *
 * The hub runs as the CLI runs it (`sprinkler hub --port 0`, its own process). Load generators
 * (child processes, several 127.x source addresses) hold the steady subscribers and open and
 * close the churning ones; this process publishes over HTTP with a JWT (measuring each
 * POST's round trip), keeps a crowd of slowloris connections that send request heads one byte
 * at a time and never finish them (to the subscribe path, the publish path and /healthz),
 * and samples the hub's RSS (`/proc/PID/status`) and open file descriptors (`/proc/PID/fd`).
 * Bounded: the full run takes at most 10 minutes, `--quick` about one.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { Agent, request } from 'node:http'
import net from 'node:net'
import { SignJWT } from 'jose'
import { type Running, startServer } from '../../packages/cli/test/sprinkler.js'
import type { Row, SuiteContext, SuiteResult } from '../lib.js'
import { round } from '../lib.js'
import { killAll } from '../server/children.js'
import type { GroupStats } from '../server/protocol.js'
import { Load } from './server.js'

export interface SoakConfig {
  /** Subscribers connected before publishing starts and kept to the end. */
  subscribers: number
  /** Connections opened, and as many closed, per second (each lives `churnLifetimeMs`). */
  churnPerSecond: number
  churnLifetimeMs: number
  /** Updates POSTed per second, spaced evenly. */
  publishesPerSecond: number
  /** Connections sending a request head one byte every `slowByteMs`, never finishing it. */
  slowloris: number
  slowByteMs: number
  /** How long churn, publishing and the slowloris crowd run together. */
  soakMs: number
  /** How often the hub's RSS and file descriptors are sampled. */
  sampleEveryMs: number
  /** The whole suite, setup and drain included, stops by then. */
  budgetMs: number
}

export const FULL: SoakConfig = {
  subscribers: 10_000,
  churnPerSecond: 500,
  churnLifetimeMs: 2_000,
  publishesPerSecond: 4,
  slowloris: 300,
  slowByteMs: 2_000,
  soakMs: 450_000,
  sampleEveryMs: 10_000,
  budgetMs: 600_000,
}

export const QUICK: SoakConfig = {
  subscribers: 1_000,
  churnPerSecond: 100,
  churnLifetimeMs: 2_000,
  publishesPerSecond: 4,
  slowloris: 60,
  slowByteMs: 1_000,
  soakMs: 45_000,
  sampleEveryMs: 2_500,
  budgetMs: 90_000,
}

const KEY = 'soak-hub-key-that-is-long-enough-for-hs256!'
const TOPIC = 'https://example.com/soak'
const SUBSCRIBE_PATH = `/.well-known/mercure?topic=${encodeURIComponent(TOPIC)}`
/** Source addresses of the slowloris crowd (the load generators use 127.0.0.2–17). */
const SLOW_SOURCES = ['127.0.0.20', '127.0.0.21', '127.0.0.22', '127.0.0.23']

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

interface Sample {
  atS: number
  rssMB: number
  fds: number
  steady: number
  slowOpen: number
}

/** The hub's resident memory (VmRSS) and open file descriptors, from /proc. */
function sampleProcess(pid: number): { rssMB: number; fds: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kB = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? Number.NaN)
  return { rssMB: kB / 1024, fds: readdirSync(`/proc/${pid}/fd`).length }
}

/** POSTs updates at a steady rate over keep-alive sockets, timing each round trip. */
class Publisher {
  readonly latenciesMs: number[] = []
  ok = 0
  failed: Record<string, number> = {}
  readonly #agent = new Agent({ keepAlive: true, maxSockets: 16 })
  #seq = 0
  constructor(
    readonly port: number,
    readonly token: string,
  ) {}

  publish(): Promise<void> {
    const body = `topic=${encodeURIComponent(TOPIC)}&data=${`update-${++this.#seq}`.padEnd(100, '.')}`
    const started = performance.now()
    return new Promise((resolve) => {
      const fail = (why: string) => {
        this.failed[why] = (this.failed[why] ?? 0) + 1
        resolve()
      }
      const req = request(
        {
          host: '127.0.0.1',
          port: this.port,
          path: '/.well-known/mercure',
          method: 'POST',
          agent: this.#agent,
          headers: {
            authorization: `Bearer ${this.token}`,
            'content-type': 'application/x-www-form-urlencoded',
            'content-length': Buffer.byteLength(body),
          },
        },
        (res) => {
          res.resume()
          res.on('end', () => {
            if (res.statusCode === 200) {
              this.ok++
              this.latenciesMs.push(performance.now() - started)
              resolve()
            } else fail(`HTTP ${res.statusCode}`)
          })
        },
      )
      req.setTimeout(30_000, () => req.destroy(new Error('timeout')))
      req.on('error', (error: NodeJS.ErrnoException) => fail(error.code ?? error.message))
      req.end(body)
    })
  }

  close(): void {
    this.#agent.destroy()
  }
}

/**
 * Connections that send a request head one byte at a time and never end it: after the request
 * line, header lines follow forever. Whenever the hub closes one, a new one takes its place,
 * so the crowd stays the same size; how long each lasted is recorded by kind.
 */
class SlowlorisCrowd {
  readonly closed: Record<string, number[]> = {}
  readonly #sockets = new Set<{ socket: net.Socket; bytes: Buffer; sent: number; kind: string }>()
  readonly #timer: NodeJS.Timeout
  #stopped = false
  #next = 0

  constructor(
    readonly port: number,
    size: number,
    byteEveryMs: number,
  ) {
    for (let i = 0; i < size; i++) this.#open()
    this.#timer = setInterval(() => {
      for (const slow of this.#sockets) {
        if (slow.sent >= slow.bytes.length) slow.sent = slow.bytes.indexOf('\r\n') + 2
        slow.socket.write(slow.bytes.subarray(slow.sent, ++slow.sent))
      }
    }, byteEveryMs)
  }

  get open(): number {
    return this.#sockets.size
  }

  #open(): void {
    const kinds = ['subscribe', 'publish', 'healthz'] as const
    const kind = kinds[this.#next % kinds.length] as (typeof kinds)[number]
    const localAddress = SLOW_SOURCES[this.#next++ % SLOW_SOURCES.length]
    const line = {
      subscribe: `GET ${SUBSCRIBE_PATH} HTTP/1.1`,
      publish: 'POST /.well-known/mercure HTTP/1.1',
      healthz: 'GET /healthz HTTP/1.1',
    }[kind]
    // The request line, then `Host` and made-up header lines, repeated without end.
    const bytes = Buffer.from(`${line}\r\nHost: 127.0.0.1\r\nX-Slow: 1\r\n`)
    const socket = net.connect({ host: '127.0.0.1', port: this.port, localAddress })
    const slow = { socket, bytes, sent: 0, kind }
    const openedAt = performance.now()
    this.#sockets.add(slow)
    socket.on('error', () => {})
    socket.resume()
    socket.on('close', () => {
      this.#sockets.delete(slow)
      if (this.#stopped) return
      this.closed[kind] ??= []
      this.closed[kind].push((performance.now() - openedAt) / 1000)
      this.#open()
    })
  }

  stop(): void {
    this.#stopped = true
    clearInterval(this.#timer)
    for (const { socket } of this.#sockets) socket.destroy()
  }
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number
}

const mean = (values: readonly number[]) => values.reduce((a, b) => a + b, 0) / values.length

/**
 * Whether a series levels off: `summary` (the mean, or the floor for a sawtooth such as the
 * fds of churning connections) of its last third against that of its middle third (the first
 * third is warm-up). Growth within `slack` (a fraction, at least `atLeast`) counts as level.
 */
function levelOff(
  values: readonly number[],
  summary: (values: number[]) => number,
  slack: number,
  atLeast: number,
) {
  const third = Math.floor(values.length / 3)
  if (third === 0) return { growth: Number.NaN, level: false }
  const middle = summary(values.slice(third, 2 * third))
  const growth = summary(values.slice(2 * third)) - middle
  return { growth, level: growth <= Math.max(atLeast, middle * slack) }
}

export default async function soakSuite({ quick, log }: SuiteContext): Promise<SuiteResult> {
  const config = quick ? QUICK : FULL
  const started = performance.now()
  const elapsedS = () => (performance.now() - started) / 1000
  let hub: Running | undefined
  let slowloris: SlowlorisCrowd | undefined
  let publisher: Publisher | undefined
  const samples: Sample[] = []
  try {
    hub = await startServer(['hub', '--jwt-key', KEY, '--anonymous'])
    const pid = hub.child.pid as number
    const port = Number(new URL(hub.url).port)
    const token = await new SignJWT({ mercure: { publish: ['*'] } })
      .setProtectedHeader({ alg: 'HS256' })
      .sign(new TextEncoder().encode(KEY))
    publisher = new Publisher(port, token)
    const load = await Load.start()
    const before = sampleProcess(pid)
    log(`hub pid ${pid} on port ${port}: ${round(before.rssMB)} MB, ${before.fds} fds`)
    slowloris = new SlowlorisCrowd(port, config.slowloris, config.slowByteMs)

    // The slowloris crowd from the start, so that even a quick run outlasts node's 60 s
    // header timeout. Then the steady subscribers, then one update that every one of them must get: from here on
    // each of them must receive every update.
    const steady = await load.connect('sse', port, config.subscribers, {
      group: 'steady',
      path: SUBSCRIBE_PATH,
    })
    log(
      `${steady.opened} steady subscribers (${steady.failed} failed) after ${round(elapsedS())} s`,
    )
    const everyoneGot = async (frames: (s: GroupStats) => boolean, timeoutMs: number) => {
      const deadline = performance.now() + timeoutMs
      for (;;) {
        const stats = await load.stats('steady')
        if (frames(stats) || performance.now() > deadline) return stats
        await sleep(250)
      }
    }
    await publisher.publish()
    const baseline = await everyoneGot((s) => s.minFrames >= 1, 30_000)
    const ready = sampleProcess(pid)
    const publishedBefore = publisher.ok

    // Churn and publishing join the slowloris crowd for soakMs (within the budget).
    const soakEnd = Math.min(
      performance.now() + config.soakMs,
      started + config.budgetMs - 60_000 * (quick ? 0.25 : 1),
    )
    const churn = { opened: 0, failed: 0, closed: 0 }
    const churnFailed: Record<string, number> = {}
    const churning: Promise<void>[] = []
    const publishing: Promise<void>[] = []
    let tick = 0
    const churnTimer = setInterval(() => {
      const group = `churn-${tick++}`
      churning.push(
        load
          .connect('sse', port, config.churnPerSecond, { group, path: SUBSCRIBE_PATH })
          .then(async (result) => {
            churn.opened += result.opened
            churn.failed += result.failed
            await sleep(config.churnLifetimeMs)
            const { failed } = await load.stats(group)
            for (const [why, n] of Object.entries(failed))
              churnFailed[why] = (churnFailed[why] ?? 0) + n
            const closed = await load.all<number>('close', { group })
            churn.closed += closed.reduce((a, b) => a + b, 0)
          }),
      )
    }, 1_000)
    const publishTimer = setInterval(
      () => publishing.push((publisher as Publisher).publish()),
      1_000 / config.publishesPerSecond,
    )
    const sample = async () => {
      const { rssMB, fds } = sampleProcess(pid)
      const stats = await load.stats('steady')
      samples.push({
        atS: round(elapsedS()),
        rssMB: round(rssMB),
        fds,
        steady: stats.open,
        slowOpen: (slowloris as SlowlorisCrowd).open,
      })
      log(
        `${round(elapsedS())} s: RSS ${round(rssMB)} MB, ${fds} fds, ${stats.open} steady, ` +
          `${churn.opened} churned, ${(publisher as Publisher).ok} published`,
      )
    }
    while (performance.now() < soakEnd) {
      await sleep(Math.min(config.sampleEveryMs, Math.max(0, soakEnd - performance.now())))
      await sample()
    }
    clearInterval(churnTimer)
    clearInterval(publishTimer)
    await Promise.all(publishing)
    await Promise.all(churning)
    const churnSeconds = tick

    // Every update published since the baseline must reach every steady subscriber.
    const published = publisher.ok - publishedBefore
    const want = published + baseline.maxFrames
    const final = await everyoneGot((s) => s.minFrames >= want, 30_000)
    const kept = final.open
    const received = final.frames - baseline.frames
    // A publish whose answer timed out may still have been delivered: more can arrive than
    // the 200s promise, never fewer.
    const lost = final.closedByPeer === 0 ? Math.max(0, kept * published - received) : null
    const fewest = final.minFrames - baseline.maxFrames
    slowloris.stop()
    await sleep(2_000)
    await sample()

    const latencies = [...publisher.latenciesMs].sort((a, b) => a - b)
    // The last sample is taken after the slowloris crowd left: not part of the soak.
    const soaked = samples.slice(0, -1)
    const rss = levelOff(
      soaked.map((s) => s.rssMB),
      mean,
      0.1,
      10,
    )
    // Churning connections come and go every second: a leak raises the lowest count.
    const fds = levelOff(
      soaked.map((s) => s.fds),
      (values) => Math.min(...values),
      0.02,
      50,
    )
    const after = samples.at(-1) as Sample
    const rows: Row[] = []
    const step = Math.max(1, Math.round(samples.length / 12))
    for (const [i, s] of samples.entries()) {
      if (i % step !== 0 && i !== samples.length - 1) continue
      rows.push({
        table: 'The hub over time',
        's since start': s.atS,
        'RSS (MB)': s.rssMB,
        'open fds': s.fds,
        'steady subscribers': s.steady,
        'slowloris open': s.slowOpen,
      })
    }
    const slowClosed = Object.entries(slowloris.closed)
      .map(([kind, lifetimes]) => {
        const sorted = [...lifetimes].sort((a, b) => a - b)
        return `${kind}: ${lifetimes.length} (median after ${round(percentile(sorted, 50))} s)`
      })
      .join('; ')
    rows.push(
      {
        table: 'Summary',
        measure: 'steady subscribers kept / connected',
        value: `${kept.toLocaleString('en-US')} / ${steady.opened.toLocaleString('en-US')}`,
      },
      {
        table: 'Summary',
        measure: 'updates published (200) / failed',
        value: `${published} / ${JSON.stringify(publisher.failed)}`,
      },
      {
        table: 'Summary',
        measure: 'lost updates for steady subscribers (must be 0)',
        value:
          lost === null
            ? `n/a: ${final.closedByPeer} dropped by the hub`
            : `${lost} (the fewest one subscriber got: ${fewest} of ${published})`,
      },
      {
        table: 'Summary',
        measure: 'publish round trip p50 / p99 / max (ms)',
        value: `${round(percentile(latencies, 50))} / ${round(percentile(latencies, 99))} / ${round(latencies.at(-1) ?? Number.NaN)}`,
      },
      {
        table: 'Summary',
        measure: 'churn: connects / disconnects per second',
        value: `${round(churn.opened / churnSeconds)} / ${round(churn.closed / churnSeconds)} (${churn.failed} failed: ${JSON.stringify(churnFailed)})`,
      },
      {
        table: 'Summary',
        measure: 'slowloris heads closed by the hub',
        value: slowClosed || 'none',
      },
      {
        table: 'Summary',
        measure: 'open fds: steady subscribers connected → soak over (churn and slowloris gone)',
        value: `${ready.fds} → ${after.fds}`,
      },
      {
        table: 'Summary',
        measure: 'RSS levels off (last third vs middle third)',
        value: `${rss.level ? 'yes' : 'NO'}: ${round(rss.growth)} MB`,
      },
      {
        table: 'Summary',
        measure: 'open fds level off (lowest of the last third vs the middle third)',
        value: `${fds.level ? 'yes' : 'NO'}: ${round(fds.growth)}`,
      },
    )
    log(`done in ${round(elapsedS())} s`)
    return {
      rows,
      notes: [
        `${config.subscribers.toLocaleString('en-US')} steady subscribers to one topic, ${config.churnPerSecond} connections opened and as many closed (each after ${config.churnLifetimeMs / 1000} s) per second, ${config.publishesPerSecond} updates of ~100 B POSTed per second with a JWT, and ${config.slowloris} slowloris connections (from the start; one byte every ${config.slowByteMs / 1000} s of a head that never ends; a third each to the subscribe path, the publish path and /healthz; each closed one is replaced), for ${round(churnSeconds)} s. The hub is \`sprinkler hub --anonymous\` in its own process; the load generators are two processes using 127.0.0.2–17, the slowloris crowd uses 127.0.0.20–23.`,
        'Lost updates count, for the subscribers connected before the soak and still connected at its end, every update accepted (HTTP 200) during the soak that did not arrive. The publish round trip is the POST’s, from this process, on a machine shared with the load generators.',
        'RSS levels off when the mean of the last third of the samples is within 10% (at least 10 MB) of the middle third’s; file descriptors when the lowest count of the last third is within 2% (at least 50) of the middle third’s (churning connections make the count a sawtooth; a leak raises its floor). The first third is warm-up.',
      ],
    }
  } finally {
    slowloris?.stop()
    publisher?.close()
    await killAll()
    await hub?.stop()
  }
}
