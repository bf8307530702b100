export interface RingLimits {
  /** Most lines kept. */
  maxLines: number
  /** Most bytes (UTF-8) kept; the newest line is always kept, whatever its size. */
  maxBytes: number
  /** The clock lines are stamped with (ms since the epoch). Default `Date.now`. */
  now?: () => number
}

/**
 * The last lines of one source, numbered by a sequence that starts at 1 and never goes back:
 * a line keeps its number for the life of the process, so a client can say exactly which it
 * has. Bounded in lines and in bytes; the oldest lines leave first.
 */
export class LineRing {
  readonly #limits: RingLimits
  readonly #texts: (string | undefined)[]
  readonly #sizes: Float64Array
  /** When each line was pushed, in ms since the epoch. */
  readonly #times: Float64Array
  readonly #now: () => number
  /** Slot of the oldest retained line. */
  #head = 0
  #count = 0
  #bytes = 0
  #lastSeq = 0

  constructor(limits: RingLimits) {
    this.#limits = limits
    this.#texts = new Array(limits.maxLines)
    this.#sizes = new Float64Array(limits.maxLines)
    this.#times = new Float64Array(limits.maxLines)
    this.#now = limits.now ?? Date.now
  }

  /** Sequence number of the newest line (0 before the first). */
  get lastSeq(): number {
    return this.#lastSeq
  }

  /** Sequence number of the oldest retained line (`lastSeq + 1` when none is retained). */
  get firstSeq(): number {
    return this.#lastSeq - this.#count + 1
  }

  get bytes(): number {
    return this.#bytes
  }

  /** Appends a line; returns its sequence number. */
  push(text: string, bytes: number): number {
    const { maxLines, maxBytes } = this.#limits
    while (this.#count > 0 && (this.#count === maxLines || this.#bytes + bytes > maxBytes)) {
      this.#dropOldest()
    }
    const slot = (this.#head + this.#count) % maxLines
    this.#texts[slot] = text
    this.#sizes[slot] = bytes
    this.#times[slot] = this.#now()
    this.#count++
    this.#bytes += bytes
    this.#lastSeq++
    return this.#lastSeq
  }

  /** When the retained line `seq` was pushed (ms since the epoch). */
  timeOf(seq: number): number {
    return this.#times[(this.#head + (seq - this.firstSeq)) % this.#limits.maxLines] as number
  }

  /**
   * Retained lines from sequence `from` up to `until` (inclusive), as many as fit in
   * `maxBytes` (at least one) and were pushed in the same second as the first: one time,
   * `timeOf(from)`, stamps them all to the second. `from` must be retained.
   */
  read(from: number, until: number, maxBytes: number): string[] {
    const lines: string[] = []
    const { maxLines } = this.#limits
    let slot = (this.#head + (from - this.firstSeq)) % maxLines
    const second = Math.floor((this.#times[slot] as number) / 1000)
    let taken = 0
    for (let seq = from; seq <= until; seq++) {
      // + 8: what JSON adds around a line, roughly (quotes, comma, escapes).
      const size = (this.#sizes[slot] as number) + 8
      if (lines.length > 0 && taken + size > maxBytes) break
      if (Math.floor((this.#times[slot] as number) / 1000) !== second) break
      lines.push(this.#texts[slot] as string)
      taken += size
      slot = slot + 1 === maxLines ? 0 : slot + 1
    }
    return lines
  }

  #dropOldest(): void {
    this.#bytes -= this.#sizes[this.#head] as number
    this.#texts[this.#head] = undefined
    this.#head = this.#head + 1 === this.#limits.maxLines ? 0 : this.#head + 1
    this.#count--
  }
}
