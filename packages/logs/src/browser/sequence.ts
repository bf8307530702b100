/** Where an event's lines go, given what the page already holds of their source. */
export interface Placement {
  /** Lines at the start of the event that the page already holds: not added again. */
  skip: number
  /** Sequences missing between what the page holds and this event (a hole to mark). */
  hole?: { from: number; to: number }
}

/**
 * The page's own check of the server's numbering: each source's lines must arrive in sequence,
 * each once, whatever happens to connections. The server resumes exactly from the cursor, so
 * this never acts in a healthy run; if it ever did, the page still shows each line once and
 * marks any hole, never a silent skip.
 *
 * A cursor's epoch (the part of the event id before the dot) names the server process that
 * numbered the lines: when it changes, numbering starts afresh.
 */
export class SequenceCheck {
  #epoch = ''
  /** Last sequence held, by source index (missing: nothing held yet). */
  #last: number[] = []

  /** Places the sequences `from … to` of `source`, carried by an event whose id is `id`. */
  place(id: string, source: number, from: number, to: number): Placement {
    const epoch = id.slice(0, id.indexOf('.'))
    if (epoch !== this.#epoch) {
      this.#epoch = epoch
      this.#last = []
    }
    const last = this.#last[source]
    this.#last[source] = Math.max(last ?? 0, to)
    // The first event of a source starts wherever the server's ring starts: no hole before it.
    if (last === undefined) return { skip: 0 }
    const placement: Placement = { skip: Math.max(0, Math.min(to, last) - from + 1) }
    if (from > last + 1) placement.hole = { from: last + 1, to: from - 1 }
    return placement
  }
}
