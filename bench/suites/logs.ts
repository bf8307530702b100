/**
 * Log terminals in Chromium (issue 13): `sprinkler logs` and frontail on one workload, in one
 * run. A writer process appends 100-byte lines to a file at 10k, 25k, 50k and 100k lines/s for
 * 10 s each (lines/s reaching the page, p99 lag from write to page, longest main-thread task),
 * then a burst of 40,000 lines in one write (longest task, time until the last line is on
 * screen), then 10,000,000 lines (the page's JS heap after 1M and after 10M), with the
 * server's RSS throughout. frontail is installed from npm into a temporary folder on first use.
 */
import { execFile, execFileSync, spawn } from 'node:child_process'
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { createServer } from 'node:net'
import os from 'node:os'
import { join } from 'node:path'
import puppeteer, { type Browser, type CDPSession, type Page, type WebWorker } from 'puppeteer-core'
import { startServer } from '../../packages/cli/test/sprinkler.js'
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../test-support/browser.js'
import type { Row, SuiteContext, SuiteResult } from '../lib.js'
import { round } from '../lib.js'
import { observeDom, PAGE_PROBE, WORKER_PROBE } from '../logs/probes.js'
import { Child, killAll } from '../server/children.js'

export interface LogsConfig {
  /** Steady write rates, lines/s, each for `stepSeconds`. */
  rates: number[]
  stepSeconds: number
  /** How long after the writer stops the page may take to show the rest. */
  drainMs: number
  burstLines: number
  /** Lines written (at `heapRate`) before each heap measurement. */
  heapCheckpoints: number[]
  heapRate: number
}

export const FULL: LogsConfig = {
  rates: [10_000, 25_000, 50_000, 100_000],
  stepSeconds: 10,
  drainMs: 10_000,
  burstLines: 40_000,
  heapCheckpoints: [1_000_000, 10_000_000],
  heapRate: 50_000,
}

export const QUICK: LogsConfig = {
  rates: [10_000, 50_000],
  stepSeconds: 2,
  drainMs: 5_000,
  burstLines: 40_000,
  heapCheckpoints: [100_000, 1_000_000],
  heapRate: 50_000,
}

const FRONTAIL_VERSION = '4.9.2'

/** What the probes report (see bench/logs/probes.ts). */
interface Report {
  count: number
  skipped: number
  lastSeq: number
  lastSeqAt: number
  lastAt: number
  maxTask: number
  over200: number
  longTasks: number
  p50: number | null
  p99: number | null
  max: number
}

/** One terminal under test: how to start its server and where its page shows lines. */
interface Tool {
  name: string
  start(file: string): Promise<{ url: string; pid: number; stop(): Promise<void> }>
  /** The page is connected and ready for lines. */
  ready: string
  /** The element whose children are the lines on screen. */
  lines: string
  /** Every line is appended to the DOM (frontail), or only the rows on screen are (ours). */
  everyNode: boolean
  /** Lines are decoded in a worker (ours): arrival is measured there. */
  worker: boolean
}

const sprinkler: Tool = {
  name: 'sprinkler logs',
  start: async (file) => {
    const server = await startServer(['logs', file])
    return {
      url: server.url,
      pid: server.child.pid as number,
      stop: async () => {
        const timer = setTimeout(() => server.child.kill('SIGKILL'), 5_000)
        await server.stop()
        clearTimeout(timer)
      },
    }
  },
  ready: '#connection[data-state=live]',
  lines: '#rows',
  everyNode: false,
  worker: true,
}

/**
 * frontail from npm, in a folder of its own: its exact pins (socket.io 2.3, express-session
 * 1.15, cookie 0.1) carry published advisories, so it stays out of the repository's lockfile.
 */
function frontailTool(log: (message: string) => void): Tool {
  let bin: string | undefined
  return {
    name: `frontail ${FRONTAIL_VERSION}`,
    start: async (file) => {
      bin ??= await installFrontail(log)
      const port = await freePort()
      const child = spawn(
        process.execPath,
        [bin, '--host', '127.0.0.1', '--port', String(port), '--disable-usage-stats', file],
        { stdio: 'ignore' },
      )
      const pid = child.pid as number
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
      const url = `http://127.0.0.1:${port}/`
      await waitUntil(
        () =>
          fetch(url).then(
            (r) => r.ok,
            () => false,
          ),
        20_000,
      )
      return {
        url,
        pid,
        stop: async () => {
          // Its `tail -F` child would outlive it (frontail ends it only on a clean exit).
          for (const tail of childPids(pid)) killQuietly(tail)
          killQuietly(pid)
          await exited
        },
      }
    },
    ready: 'body',
    lines: 'pre.log',
    everyNode: true,
    worker: false,
  }
}

async function installFrontail(log: (message: string) => void): Promise<string> {
  const dir = join(os.tmpdir(), `sprinkler-bench-frontail-${FRONTAIL_VERSION}`)
  const bin = join(dir, 'node_modules', 'frontail', 'bin', 'frontail')
  if (existsSync(bin)) return bin
  log(`installing frontail ${FRONTAIL_VERSION} into ${dir}`)
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, 'package.json'), '{ "private": true }\n')
  await new Promise<void>((resolve, reject) =>
    execFile(
      'npm',
      [
        'install',
        '--no-save',
        '--ignore-scripts',
        '--no-audit',
        '--no-fund',
        '--omit=dev',
        `frontail@${FRONTAIL_VERSION}`,
      ],
      { cwd: dir, timeout: 300_000 },
      (error) => (error ? reject(error) : resolve()),
    ),
  )
  return bin
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

function childPids(pid: number): number[] {
  try {
    return execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map(Number)
  } catch {
    return []
  }
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL')
  } catch {
    // Already gone.
  }
}

function rssMB(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? Number.NaN) / 1024
  } catch {
    return Number.NaN
  }
}

/** The peak of a process's RSS, sampled every 250 ms until stopped. */
function peakRss(pid: number): () => number {
  let peak = rssMB(pid)
  const timer = setInterval(() => {
    peak = Math.max(peak, rssMB(pid))
  }, 250)
  return () => {
    clearInterval(timer)
    return Math.max(peak, rssMB(pid))
  }
}

/** CPU time (user + system, ms) of a process and of every process below it, by PID, from /proc. */
function treeCpu(root: number): Map<number, number> {
  const children = new Map<number, number[]>()
  const cpu = new Map<number, number>()
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    try {
      // Fields after the command name: state ppid … utime (12th) stime (13th), in clock ticks.
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8')
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      const pid = Number(name)
      const ppid = Number(fields[1])
      children.set(ppid, [...(children.get(ppid) ?? []), pid])
      cpu.set(pid, ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS)
    } catch {
      // Gone meanwhile.
    }
  }
  const tree = new Map<number, number>()
  const stack = [root]
  while (stack.length > 0) {
    const pid = stack.pop() as number
    tree.set(pid, cpu.get(pid) ?? 0)
    stack.push(...(children.get(pid) ?? []))
  }
  return tree
}

/**
 * CPU (ms) a process tree uses from now until the returned function is called. Per process, so
 * one that ends meanwhile (the previous tab's renderer) takes nothing away from the sum.
 */
function cpuSince(root: number): () => number {
  const before = treeCpu(root)
  return () => {
    let used = 0
    for (const [pid, ms] of treeCpu(root)) used += ms - (before.get(pid) ?? 0)
    return used
  }
}

/** Linux's USER_HZ, the unit of /proc CPU times, on every architecture Node runs on. */
const CLOCK_TICKS = 100

async function waitUntil(
  check: () => Promise<boolean> | boolean,
  timeoutMs: number,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (await check()) return true
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  return false
}

/** `promise`, or undefined once `ms` passed (a frozen page answers nothing). */
function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  return Promise.race([
    promise,
    new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), ms).unref()),
  ])
}

/** A fresh server on a fresh file, and a fresh tab on its page with the probes in. */
class Session {
  readonly file: string
  private constructor(
    readonly tool: Tool,
    readonly dir: string,
    readonly server: { url: string; pid: number; stop(): Promise<void> },
    readonly page: Page,
    readonly worker: WebWorker | undefined,
  ) {
    this.file = join(dir, 'app.log')
  }

  static async open(browser: Browser, tool: Tool, writer: Child): Promise<Session> {
    const dir = mkdtempSync(join(os.tmpdir(), 'sprinkler-bench-logs-'))
    const file = join(dir, 'app.log')
    writeFileSync(file, '')
    const server = await tool.start(file)
    const page = await browser.newPage()
    try {
      await page.setViewport({ width: 1280, height: 800 })
      await page.evaluateOnNewDocument(PAGE_PROBE)
      const created = tool.worker
        ? new Promise<WebWorker>((resolve) => page.once('workercreated', resolve))
        : undefined
      await page.goto(server.url, { waitUntil: 'load' })
      const worker = await created
      if (worker) await worker.evaluate(WORKER_PROBE)
      await page.waitForSelector(tool.ready)
      await page.evaluate(observeDom(tool.lines, tool.everyNode))
      const session = new Session(tool, dir, server, page, worker)
      // One line to the screen first: start-up work (lazy compilation, the first reads, the
      // first frames) stays out of the measurements.
      await writer.request('burst', { path: file, count: 1 })
      if (!(await session.waitArrived(1, 30_000, 'screen'))) {
        throw new Error(`${tool.name}: the first line did not reach the page within 30 s`)
      }
      return session
    } catch (error) {
      await page.close()
      await server.stop()
      throw error
    }
  }

  /** Starts a trace of every task (its wall and thread time), for {@link busiestTask}. */
  async traceTasks(): Promise<void> {
    await this.page.tracing.start({ categories: ['toplevel'] })
  }

  /**
   * The page's longest main-thread task in CPU time (thread time), from the trace: on a
   * loaded machine a task's wall time (what the Long Tasks API reports) also counts the time
   * its thread waited for a core. Null if the trace did not come back.
   */
  async busiestTask(): Promise<number | null> {
    const data = await within(this.page.tracing.stop(), 30_000)
    if (!data) return null
    const { traceEvents } = JSON.parse(Buffer.from(data).toString('utf8')) as {
      traceEvents: TraceEvent[]
    }
    const mains = new Set(
      traceEvents
        .filter(
          (e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain',
        )
        .map((e) => `${e.pid}:${e.tid}`),
    )
    // The page's renderer is the one whose main thread worked most (other tabs idle).
    const threads = new Map<string, { total: number; longest: number }>()
    for (const e of traceEvents) {
      const thread = `${e.pid}:${e.tid}`
      if (e.ph !== 'X' || e.name !== 'ThreadControllerImpl::RunTask' || !mains.has(thread)) continue
      const cpu = (e.tdur ?? 0) / 1000
      const t = threads.get(thread) ?? { total: 0, longest: 0 }
      threads.set(thread, { total: t.total + cpu, longest: Math.max(t.longest, cpu) })
    }
    const busiest = [...threads.values()].sort((a, b) => b.total - a.total)[0]
    return busiest?.longest ?? null
  }

  async reset(): Promise<void> {
    await this.page.evaluate('self.__bench.reset()')
    await this.worker?.evaluate('self.__bench.reset()')
  }

  /** What reached the page: decoded in its worker (ours), or appended to its DOM (frontail). */
  arrival(total?: number): Promise<Report | undefined> {
    return this.#report(this.worker ?? this.page, total)
  }

  /** What the page's main thread saw: its long tasks, and the lines that reached the screen. */
  screen(total?: number): Promise<Report | undefined> {
    return this.#report(this.page, total)
  }

  #report(target: Page | WebWorker, total?: number): Promise<Report | undefined> {
    const call = `self.__bench.report(${total ?? ''})`
    return within(target.evaluate(call) as Promise<Report>, 10_000)
  }

  /** Waits until the line numbered `seq` arrived (or `timeoutMs` passed). */
  waitArrived(seq: number, timeoutMs: number, where: 'arrival' | 'screen' = 'arrival') {
    return waitUntil(async () => ((await this[where]())?.lastSeq ?? 0) >= seq, timeoutMs)
  }

  /** JS heap in use after a full collection, in MB: the page's, and its worker's. */
  async heap(): Promise<{ page: number | null; worker: number | null }> {
    const cdp = await this.page.createCDPSession()
    try {
      return {
        page: await within(heapMB(cdp), 60_000).then((v) => v ?? null),
        worker: this.worker
          ? await within(heapMB(this.worker.client), 60_000).then((v) => v ?? null)
          : null,
      }
    } finally {
      await cdp.detach().catch(() => undefined)
    }
  }

  async close(): Promise<void> {
    await within(this.page.close(), 10_000)
    await this.server.stop()
    rmSync(this.dir, { recursive: true, force: true })
  }
}

interface TraceEvent {
  name: string
  ph: string
  pid: number
  tid: number
  dur?: number
  tdur?: number
  args?: { name?: string }
}

async function heapMB(cdp: CDPSession): Promise<number> {
  await cdp.send('HeapProfiler.collectGarbage')
  const { usedSize } = await cdp.send('Runtime.getHeapUsage')
  return usedSize / 2 ** 20
}

interface Written {
  lastSeq: number
  ms: number
}

interface StepResult {
  rate: number
  written: number
  /** Null when the page did not answer (frozen): nothing could be counted. */
  perSecond: number | null
  received: number | null
  skipped: number
  p50: number | null
  p99: number | null
  screenP99: number | null
  maxTask: number
  over200: number
  /** The longest main-thread task's CPU (thread) time, from a trace. */
  taskCpu: number | null
  rssMB: number
  /** CPU ms per 1,000 lines received: the server (and its children), and all of Chromium. */
  serverCpu: number
  browserCpu: number
}

async function steady(
  browser: Browser,
  writer: Child,
  tool: Tool,
  rate: number,
  config: LogsConfig,
) {
  const session = await Session.open(browser, tool, writer)
  try {
    await session.reset()
    await session.traceTasks()
    const rss = peakRss(session.server.pid)
    const count = rate * config.stepSeconds
    const serverCpu = cpuSince(session.server.pid)
    const browserCpu = cpuSince(browser.process()?.pid as number)
    const start = Date.now()
    const written = await writer.request<Written>(
      'paced',
      { path: session.file, rate, count },
      config.stepSeconds * 1000 + 30_000,
    )
    await session.waitArrived(written.lastSeq, config.drainMs)
    const arrival = await session.arrival(count)
    // One page without a worker: one question (a page that hardly answers may not answer twice).
    const screen = tool.worker ? await session.screen() : arrival
    const taskCpu = await session.busiestTask()
    const received = arrival?.count ?? null
    const perThousand = (cpu: number) => (received ? (cpu * 1000) / received : Number.NaN)
    const result: StepResult = {
      serverCpu: perThousand(serverCpu()),
      browserCpu: perThousand(browserCpu()),
      rate,
      written: count,
      perSecond: arrival && received ? received / ((arrival.lastAt - start) / 1000) : received,
      received,
      skipped: arrival?.skipped ?? 0,
      p50: arrival?.p50 ?? null,
      p99: arrival?.p99 ?? null,
      screenP99: screen?.p99 ?? null,
      maxTask: screen?.maxTask ?? Number.NaN,
      over200: screen?.over200 ?? Number.NaN,
      taskCpu,
      rssMB: rss(),
    }
    return result
  } finally {
    await session.close()
  }
}

async function burst(browser: Browser, writer: Child, tool: Tool, config: LogsConfig) {
  const session = await Session.open(browser, tool, writer)
  try {
    await session.reset()
    await session.traceTasks()
    const rss = peakRss(session.server.pid)
    const start = Date.now()
    const written = await writer.request<Written>('burst', {
      path: session.file,
      count: config.burstLines,
    })
    const shown = await session.waitArrived(written.lastSeq, 60_000, 'screen')
    const screen = await session.screen()
    const arrival = tool.worker ? await session.arrival() : screen
    const taskCpu = await session.busiestTask()
    return {
      writeMs: written.ms,
      shownMs: shown && screen ? screen.lastSeqAt - start : null,
      received: arrival?.count ?? null,
      maxTask: screen?.maxTask ?? Number.NaN,
      over200: screen?.over200 ?? Number.NaN,
      taskCpu,
      rssMB: rss(),
    }
  } finally {
    await session.close()
  }
}

interface HeapPoint {
  written: number
  received: number | null
  skipped: number
  caughtUp: boolean
  page: number | null
  worker: number | null
  rssMB: number
}

async function heap(
  browser: Browser,
  writer: Child,
  tool: Tool,
  checkpoints: number[],
  config: LogsConfig,
  log: (message: string) => void,
): Promise<HeapPoint[]> {
  const session = await Session.open(browser, tool, writer)
  const points: HeapPoint[] = []
  try {
    await session.reset()
    let written = 0
    for (const checkpoint of checkpoints) {
      const count = checkpoint - written
      const rss = peakRss(session.server.pid)
      const done = await writer.request<Written>(
        'paced',
        { path: session.file, rate: config.heapRate, count },
        // A writer short of CPU on a busy machine takes longer than the pace; that is no failure.
        (count / config.heapRate) * 3000 + 60_000,
      )
      written = checkpoint
      const caughtUp = await session.waitArrived(done.lastSeq, config.drainMs * 3)
      const arrival = await session.arrival()
      const heapUsed = await session.heap()
      points.push({
        written,
        received: arrival?.count ?? null,
        skipped: arrival?.skipped ?? 0,
        caughtUp,
        ...heapUsed,
        rssMB: rss(),
      })
      log(
        `${tool.name}: ${written.toLocaleString('en-US')} written, ${(arrival?.count ?? 0).toLocaleString('en-US')} received, heap page ${heapUsed.page} MB worker ${heapUsed.worker} MB`,
      )
    }
  } finally {
    await session.close()
  }
  return points
}

const ms = (value: number | null | undefined) =>
  value === null || value === undefined || Number.isNaN(value) ? null : round(value)
const lag = (value: number | null, drainMs: number) =>
  value === null ? `> ${drainMs.toLocaleString('en-US')}` : value
/** What a table shows for a page that answered nothing for 10 s. */
const FROZEN = 'page frozen (no answer in 10 s)'
/** The longest task, or why there is none. */
const task = (value: number) => (Number.isNaN(value) ? FROZEN : value === 0 ? '< 50' : round(value))

export default async function logsSuite({ quick, log }: SuiteContext): Promise<SuiteResult> {
  const config = quick ? QUICK : FULL
  const loadBefore = os.loadavg()
  const tools = [sprinkler, frontailTool(log)]
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM_PATH,
    args: CHROMIUM_ARGS,
    headless: true,
    protocolTimeout: 300_000,
  })
  const writer = new Child('writer', new URL('../logs/writer.ts', import.meta.url), [])
  const rows: Row[] = []
  try {
    const steps = new Map<string, StepResult[]>()
    for (const rate of config.rates) {
      for (const tool of tools) {
        const result = await steady(browser, writer, tool, rate, config)
        steps.set(tool.name, [...(steps.get(tool.name) ?? []), result])
        log(
          `${tool.name} @${rate}/s: ${Math.round(result.perSecond ?? Number.NaN)} lines/s, ${result.received} received, p99 ${result.p99} ms, longest task ${result.maxTask} ms`,
        )
      }
    }
    for (const tool of tools) {
      for (const step of steps.get(tool.name) ?? []) {
        rows.push({
          table: `Steady writes: 100-byte lines, ${config.stepSeconds} s per rate`,
          terminal: tool.name,
          'written (lines/s)': step.rate,
          'reached the page (lines/s)':
            step.perSecond === null ? FROZEN : Math.round(step.perSecond),
          'lines received':
            step.received === null
              ? FROZEN
              : `${step.received.toLocaleString('en-US')} / ${step.written.toLocaleString('en-US')}`,
          'skipped as gap': step.skipped,
          'p50 lag (ms)': lag(step.p50, config.drainMs),
          'p99 lag (ms)': lag(step.p99, config.drainMs),
          'p99 lag on screen (ms)': tool.worker ? lag(step.screenP99, config.drainMs) : 'same',
          'longest main-thread task (ms)': task(step.maxTask),
          'tasks > 200 ms': ms(step.over200),
          'longest task, CPU time (ms)': ms(step.taskCpu),
          'server RSS peak (MB)': ms(step.rssMB),
          'server CPU ms / 1k lines': ms(step.serverCpu),
          'Chromium CPU ms / 1k lines': ms(step.browserCpu),
        })
      }
    }
    const bursts = new Map<string, Awaited<ReturnType<typeof burst>>>()
    for (const tool of tools) {
      const result = await burst(browser, writer, tool, config)
      bursts.set(tool.name, result)
      log(`${tool.name} burst: shown after ${result.shownMs} ms, longest task ${result.maxTask} ms`)
      rows.push({
        table: `Burst: ${config.burstLines.toLocaleString('en-US')} lines in one write`,
        terminal: tool.name,
        'written in (ms)': ms(result.writeMs),
        'last line on screen after (ms)':
          result.shownMs === null ? 'not within 60 s' : round(result.shownMs),
        'lines received': result.received ?? FROZEN,
        'longest main-thread task (ms)': task(result.maxTask),
        'tasks > 200 ms': ms(result.over200),
        'longest task, CPU time (ms)': ms(result.taskCpu),
        'server RSS peak (MB)': ms(result.rssMB),
      })
    }
    const heaps = new Map<string, HeapPoint[]>()
    for (const tool of tools) {
      // frontail appends a DOM node per line: the first checkpoint is as far as it gets.
      const checkpoints = tool.worker ? config.heapCheckpoints : config.heapCheckpoints.slice(0, 1)
      const points = await heap(browser, writer, tool, checkpoints, config, log)
      heaps.set(tool.name, points)
      for (const point of points) {
        rows.push({
          table: `Memory: lines written at ${config.heapRate.toLocaleString('en-US')}/s, heap after a full GC`,
          terminal: tool.name,
          'lines written': point.written,
          'lines received': point.received ?? FROZEN,
          'skipped as gap': point.skipped,
          'caught up': point.caughtUp ? 'yes' : 'no',
          'page JS heap (MB)': ms(point.page),
          'worker JS heap (MB)': point.worker === null ? '—' : ms(point.worker),
          'server RSS peak (MB)': ms(point.rssMB),
        })
      }
    }

    const ours = steps.get(sprinkler.name) ?? []
    // Kept up: every line written at that rate reached the page, p99 within 1 s, no long task.
    const keptUp = ours.filter(
      (s) => s.received === s.written && s.p99 !== null && s.p99 <= 1000 && s.maxTask <= 200,
    )
    const best = keptUp.at(-1)
    const met = best !== undefined && best.rate >= 50_000
    const throughput = ours
      .map(
        (s) =>
          `${s.rate / 1000}k/s → ${Math.round(s.perSecond ?? 0).toLocaleString('en-US')}/s, p99 ${lag(s.p99, config.drainMs)} ms, longest task ${task(s.maxTask)} ms`,
      )
      .join('; ')
    rows.push({
      table: 'Goals (sprinkler logs)',
      goal: '≥ 50,000 lines/s with p99 lag ≤ 1 s and no main-thread task over 200 ms',
      result: `${met ? 'met' : 'NOT met'} (kept up with ${best ? `${best.rate.toLocaleString('en-US')} lines/s` : 'no rate'}): ${throughput}`,
    })
    const ourBurst = bursts.get(sprinkler.name)
    rows.push({
      table: 'Goals (sprinkler logs)',
      goal: `no freeze on a burst of ${config.burstLines.toLocaleString('en-US')} lines`,
      result: ourBurst
        ? `${ourBurst.maxTask <= 200 ? 'met' : 'NOT met'}: longest task ${task(ourBurst.maxTask)} ms, all shown after ${ms(ourBurst.shownMs)} ms`
        : '—',
    })
    const [first, last] = [heaps.get(sprinkler.name)?.[0], heaps.get(sprinkler.name)?.at(-1)]
    const total = (p: HeapPoint | undefined) =>
      p ? (p.page ?? Number.NaN) + (p.worker ?? 0) : Number.NaN
    const growth = total(last) / total(first) - 1
    rows.push({
      table: 'Goals (sprinkler logs)',
      goal: `heap (page + worker) at ${(config.heapCheckpoints.at(-1) ?? 0).toLocaleString('en-US')} lines within 10% of heap at ${(config.heapCheckpoints[0] ?? 0).toLocaleString('en-US')}`,
      result: `${Math.abs(growth) <= 0.1 ? 'met' : 'NOT met'}: ${round(total(first))} MB → ${round(total(last))} MB (${growth >= 0 ? '+' : ''}${round(growth * 100, 2)}%)`,
    })
  } finally {
    await writer.kill()
    await killAll()
    await browser.close().catch(() => undefined)
  }
  const loadAfter = os.loadavg()
  return {
    rows,
    notes: [
      'Each measurement has its own server, file and tab (a terminal that fell behind in one step does not carry its backlog into the next), and starts once a first line has reached its screen (start-up work stays out). Servers run as a user would start them: `sprinkler logs FILE` (defaults: 10,000-line ring, 1 MiB per-client buffer) and `frontail --disable-usage-stats FILE` (defaults: 10 starting lines, 2,000 lines kept in the page). Headless Chromium, 1280×800.',
      'Every line carries its write time (ms) and a sequence number. “Reached the page” is where the page first has a line: for sprinkler logs its worker, as it decodes each `lines` event (counted by wrapping `JSON.parse` in the worker through the DevTools protocol; the page code is unchanged); for frontail the DOM, where it appends a node per line (a MutationObserver). Lines/s = lines received ÷ (last arrival − first write). Lag = arrival − write time, over all lines written: a line still missing when the drain time ran out counts as slower than every other, so a p99 shows as “> drain” when more than 1% never came. “On screen” (sprinkler logs): the newest row the page rendered, once per frame, against its write time.',
      'Main-thread tasks: the Long Tasks API (wall time of tasks of 50 ms or more; “< 50” when there was none), which the goals use; and, from a trace of the same tab (`toplevel` category), the longest task’s CPU time on the page’s main thread: on a loaded machine a task’s wall time also counts the time its thread waited for a core, and the two differ by the wait. Heap: `HeapProfiler.collectGarbage` then `Runtime.getHeapUsage`, for the page and, for sprinkler logs, its worker (which holds the lines). Server RSS: VmRSS of the server process (frontail’s `tail -F` child not counted), peak of 250 ms samples. CPU per 1,000 lines received (from /proc, so it counts work, not waiting for a core): the server process with its children, and every Chromium process (the probes’ own work included, a few percent); on a loaded machine it is the steadier figure.',
      `frontail ${FRONTAIL_VERSION} is installed with npm into ${join(os.tmpdir(), `sprinkler-bench-frontail-${FRONTAIL_VERSION}`)} on first use, not into the repository: its exact pins (socket.io 2.3.0, express-session 1.15.6, cookie 0.1.0, universal-analytics) carry published advisories that the repository's lockfile and audit should not inherit for a benchmark. Its memory run stops at the first checkpoint: it appends a DOM node per line, so millions of lines would take it far longer than the run.`,
      `Load average (1/5/15 min) ${loadBefore.map((l) => l.toFixed(1)).join('/')} before the run and ${loadAfter.map((l) => l.toFixed(1)).join('/')} after, on ${os.cpus().length} cores shared with other work: lag and long tasks move with it.`,
    ],
  }
}
