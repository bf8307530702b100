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

// Collect garbage between samples so one candidate's garbage is not timed in the next one's
// sample. `--expose-gc` can't be set from the npm script without changing it for every suite,
// so it is switched on here (the documented V8 flag; only affects this process).
setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

export interface Candidate {
  name: string
  /** One timed pass. Its return value is kept so the work can't be optimised away. */
  fn: () => unknown
}

export interface Timing {
  name: string
  /** Median time of one pass, in milliseconds. */
  medianMs: number
  minMs: number
  maxMs: number
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
 * and garbage is collected before every sample.
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
  const times = candidates.map(() => [] as number[])
  for (let sample = 0; sample < options.samples; sample++) {
    candidates.forEach((candidate, i) => {
      gc()
      const start = performance.now()
      blackhole = candidate.fn()
      times[i]?.push(performance.now() - start)
    })
  }
  return candidates.map((candidate, i) => {
    const sorted = (times[i] ?? []).sort((a, b) => a - b)
    return {
      name: candidate.name,
      medianMs: median(sorted),
      minMs: sorted[0] ?? Number.NaN,
      maxMs: sorted[sorted.length - 1] ?? Number.NaN,
      samples: sorted.length,
    }
  })
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
  const times = candidates.map(() => [] as number[])
  for (let sample = 0; sample < options.samples; sample++) {
    for (const [i, candidate] of candidates.entries()) {
      gc()
      const start = performance.now()
      blackhole = await candidate.fn()
      times[i]?.push(performance.now() - start)
    }
  }
  return candidates.map((candidate, i) => {
    const sorted = (times[i] ?? []).sort((a, b) => a - b)
    return {
      name: candidate.name,
      medianMs: median(sorted),
      minMs: sorted[0] ?? Number.NaN,
      maxMs: sorted[sorted.length - 1] ?? Number.NaN,
      samples: sorted.length,
    }
  })
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
