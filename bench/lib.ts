/**
 * What a benchmark suite is, and the timing loop every suite shares.
 *
 * A suite is a file `bench/suites/<name>.ts` whose default export is a {@link Suite}: a
 * function returning rows (or rows and notes). `bench/run.ts` finds suites by file name, so a
 * new suite needs no registration.
 */
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'

/** One table row. Rows with the same `table` value form one markdown table, in order. */
export interface Row {
  table: string
  [column: string]: string | number | null
}

export interface SuiteResult {
  rows: Row[]
  /** Markdown paragraphs printed under the tables: method, caveats, what the numbers mean. */
  notes?: string[]
}

export interface SuiteContext {
  /** `--quick`: fewer samples, for checking that a suite runs; don't commit those numbers. */
  quick: boolean
  log: (message: string) => void
}

export type Suite = (context: SuiteContext) => Promise<Row[] | SuiteResult> | Row[] | SuiteResult

// Empty the young generation before every sample, so one candidate's short-lived garbage is
// not collected in the next one's timed pass. Only the young generation: a full `gc()` before
// each pass made passes slower than in steady state (eventsource-parser's 3×, ours 1.3×, with
// far costlier scavenges after it). `--expose-gc` can't be set from the npm script without
// changing it for every suite, so it is switched on here (documented V8 flag, this process).
setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as (options?: { type: 'major' | 'minor' }) => void
const collectYoungGarbage = () => gc({ type: 'minor' })

export interface Candidate {
  name: string
  /** One timed pass. Its return value is kept so the work can't be optimised away. */
  fn: () => unknown
}

export interface Timing {
  name: string
  /** Median wall-clock time of one pass, in milliseconds. */
  medianMs: number
  minMs: number
  maxMs: number
  /**
   * Median CPU time (user + system, all threads of the process) of one pass, in ms. On a
   * busy machine it is steadier than wall time, which also counts time spent preempted.
   */
  cpuMedianMs: number
  samples: number
}

export interface CompareOptions {
  /** Timed passes per candidate (the median is reported). */
  samples: number
  /** Untimed passes per candidate first, so every candidate is optimised before timing. */
  warmup: number
  /** Keep warming up until each candidate has run at least this long. */
  minWarmupMs?: number
}

let blackhole: unknown
/** The last value returned by a timed pass (read it so nothing is dead code). */
export const sink = (): unknown => blackhole

/**
 * Times the candidates against each other. Samples are interleaved (A, B, C, A, B, C, …) so
 * slow drift of the machine (other processes, thermal, GC pressure) hits all of them alike,
 * and the young generation is collected before every sample.
 */
export function compare(candidates: Candidate[], options: CompareOptions): Timing[] {
  for (const candidate of candidates) {
    const start = performance.now()
    for (
      let i = 0;
      i < options.warmup || performance.now() - start < (options.minWarmupMs ?? 0);
      i++
    ) {
      blackhole = candidate.fn()
    }
  }
  const samples = candidates.map(() => new Samples())
  for (let sample = 0; sample < options.samples; sample++) {
    candidates.forEach((candidate, i) => {
      collectYoungGarbage()
      const cpu = process.cpuUsage()
      const start = performance.now()
      blackhole = candidate.fn()
      samples[i]?.add(performance.now() - start, process.cpuUsage(cpu))
    })
  }
  return candidates.map((candidate, i) => (samples[i] as Samples).timing(candidate.name))
}

/** Like {@link compare}, for candidates whose pass is asynchronous. */
export async function compareAsync(
  candidates: { name: string; fn: () => Promise<unknown> }[],
  options: CompareOptions,
): Promise<Timing[]> {
  for (const candidate of candidates) {
    const start = performance.now()
    for (
      let i = 0;
      i < options.warmup || performance.now() - start < (options.minWarmupMs ?? 0);
      i++
    ) {
      blackhole = await candidate.fn()
    }
  }
  const samples = candidates.map(() => new Samples())
  for (let sample = 0; sample < options.samples; sample++) {
    for (const [i, candidate] of candidates.entries()) {
      collectYoungGarbage()
      const cpu = process.cpuUsage()
      const start = performance.now()
      blackhole = await candidate.fn()
      samples[i]?.add(performance.now() - start, process.cpuUsage(cpu))
    }
  }
  return candidates.map((candidate, i) => (samples[i] as Samples).timing(candidate.name))
}

class Samples {
  readonly wall: number[] = []
  readonly cpu: number[] = []

  add(wallMs: number, cpu: NodeJS.CpuUsage): void {
    this.wall.push(wallMs)
    this.cpu.push((cpu.user + cpu.system) / 1000)
  }

  timing(name: string): Timing {
    const wall = [...this.wall].sort((a, b) => a - b)
    return {
      name,
      medianMs: median(wall),
      minMs: wall[0] ?? Number.NaN,
      maxMs: wall[wall.length - 1] ?? Number.NaN,
      cpuMedianMs: median([...this.cpu].sort((a, b) => a - b)),
      samples: wall.length,
    }
  }
}

function median(sorted: number[]): number {
  if (sorted.length === 0) return Number.NaN
  const mid = sorted.length >> 1
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
}

/** Rounds to `digits` significant digits, for tables. */
export function round(value: number, digits = 3): number {
  if (!Number.isFinite(value) || value === 0) return value
  return Number(value.toPrecision(digits))
}

/** Spread of the samples around the median, as "±x%" (half the min–max range). */
export function spread(timing: Timing): string {
  return `±${round(((timing.maxMs - timing.minMs) / 2 / timing.medianMs) * 100, 2)}%`
}
