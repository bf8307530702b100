import { checkOptions, finite, integer, orInfinity } from '@sprinkler/core'

/** One published event as history keeps it. */
export interface HistoryEntry<M> {
  /** Position in the channel: 1, 2, 3, … */
  seq: number
  id: string
  /** When it was published (ms since epoch), for `maxAgeMs`. */
  time: number
  /** The encoded frame, written as is on replay. */
  frame: Uint8Array
  message: M
}

export interface HistoryOptions {
  /** Events kept at most. Default 1 000. */
  maxEvents?: number
  /** Events older than this are dropped. Default: no age limit. */
  maxAgeMs?: number
}

const HISTORY_OPTIONS = {
  maxEvents: integer(0),
  maxAgeMs: orInfinity(finite(0)),
}

/** What history knows of a Last-Event-ID. */
export type Lookup<M> =
  | { kind: 'found'; after: HistoryEntry<M>[] }
  /** The id was ours but has been evicted: `missed` events went by since it. */
  | { kind: 'evicted'; missed: number }
  | { kind: 'unknown' }

/**
 * A bounded, ordered record of recent events for Last-Event-ID replay, bounded by count and
 * age. Lookups by id are O(1); replay is a slice.
 */
export class History<M> {
  readonly #maxEvents: number
  readonly #maxAgeMs: number
  #entries: HistoryEntry<M>[] = []
  #start = 0
  readonly #byId = new Map<string, number>()

  /** Throws `ERR_SSE_INVALID_OPTION` for an option of the wrong type or range. */
  constructor(options: HistoryOptions) {
    checkOptions('history', options, HISTORY_OPTIONS)
    this.#maxEvents = options.maxEvents ?? 1_000
    this.#maxAgeMs = options.maxAgeMs ?? Number.POSITIVE_INFINITY
  }

  get size(): number {
    return this.#entries.length - this.#start
  }

  push(entry: HistoryEntry<M>): void {
    this.#entries.push(entry)
    this.#byId.set(entry.id, entry.seq)
    while (this.size > this.#maxEvents) this.#dropOldest()
  }

  /** Drops what is older than `maxAgeMs` at `now`. */
  prune(now: number): void {
    const oldestAllowed = now - this.#maxAgeMs
    while (this.size > 0 && (this.#entries[this.#start] as HistoryEntry<M>).time < oldestAllowed) {
      this.#dropOldest()
    }
  }

  /** Everything retained, oldest first. */
  all(): HistoryEntry<M>[] {
    return this.#entries.slice(this.#start)
  }

  /**
   * The events after `id`. `seqOf` reads a position out of an id this channel generated, so
   * an evicted id of ours still says how many events were missed.
   */
  since(id: string, seqOf: (id: string) => number | undefined, lastSeq: number): Lookup<M> {
    const seq = this.#byId.get(id) ?? seqOf(id)
    if (seq === undefined || seq > lastSeq) return { kind: 'unknown' }
    const first = this.#entries[this.#start]
    const firstSeq = first ? first.seq : lastSeq + 1
    if (seq < firstSeq - 1) return { kind: 'evicted', missed: lastSeq - seq }
    return { kind: 'found', after: this.#entries.slice(this.#start + (seq - firstSeq + 1)) }
  }

  #dropOldest(): void {
    const entry = this.#entries[this.#start] as HistoryEntry<M>
    if (this.#byId.get(entry.id) === entry.seq) this.#byId.delete(entry.id)
    this.#entries[this.#start] = undefined as unknown as HistoryEntry<M>
    this.#start++
    // Compact now and then instead of shifting on every eviction.
    if (this.#start > 1024 && this.#start * 2 > this.#entries.length) {
      this.#entries = this.#entries.slice(this.#start)
      this.#start = 0
    }
  }
}
