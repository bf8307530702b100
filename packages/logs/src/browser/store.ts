import { plainText } from './ansi.js'
import { detectLevel, type Level } from './levels.js'
import type { ViewOptions } from './protocol.js'

export interface Entry {
  kind: 'line' | 'gap' | 'status'
  source: number
  text: string
  level: Level
}

type Predicate = (entry: Entry) => boolean

export const DEFAULT_VIEW: ViewOptions = {
  query: '',
  regex: false,
  caseSensitive: false,
  invert: false,
  mode: 'filter',
  levels: ['error', 'warn', 'info', 'debug'],
  source: '',
}

/**
 * The page's lines: at most `capacity` entries (the oldest leave first, counted in `dropped`),
 * numbered from 0 in arrival order, and the view over them — the numbers of the entries the
 * current filter shows, kept up to date as entries arrive and leave, so the screen asks only
 * for the rows it shows.
 */
export class LineStore {
  readonly capacity: number
  readonly #entries: (Entry | undefined)[]
  /** Number of the oldest kept entry; `next` is one past the newest. */
  #first = 0
  #next = 0
  /** Entry numbers in the view, ascending; `#viewStart` skips those that left. */
  #view: number[] = []
  #viewStart = 0
  #shows: Predicate = () => true
  #matches: Predicate = () => true
  #highlight = false

  constructor(capacity: number) {
    this.capacity = capacity
    this.#entries = new Array(capacity)
  }

  get dropped(): number {
    return this.#first
  }

  get size(): number {
    return this.#next - this.#first
  }

  /** Rows in the current view. */
  get rows(): number {
    return this.#view.length - this.#viewStart
  }

  add(kind: Entry['kind'], source: number, text: string): void {
    const entry: Entry = {
      kind,
      source,
      text,
      level: kind === 'line' ? detectLevel(plainText(text)) : '',
    }
    if (this.#next - this.#first === this.capacity) this.#dropOldest()
    const n = this.#next++
    this.#entries[n % this.capacity] = entry
    if (this.#shows(entry)) this.#view.push(n)
  }

  /** Applies a filter: the view is rebuilt once, in one pass over what is kept. */
  setView(options: ViewOptions): void {
    const match = matcher(options)
    const levels = new Set<Level>(options.levels)
    const source = options.source === '' ? -1 : Number.parseInt(options.source, 36)
    const inScope: Predicate = (e) =>
      (source === -1 || e.source === source) && (e.level === '' || levels.has(e.level))
    // Inverting an empty query would hide everything: it inverts nothing.
    const invert = options.invert && options.query !== ''
    this.#matches = (e) => e.kind !== 'line' || match(plainText(e.text)) !== invert
    this.#highlight = options.mode === 'highlight'
    const matches = this.#matches
    this.#shows = this.#highlight ? inScope : (e) => inScope(e) && matches(e)
    this.#view = []
    this.#viewStart = 0
    for (let n = this.#first; n < this.#next; n++) {
      if (this.#shows(this.#entry(n))) this.#view.push(n)
    }
  }

  /** The rows `start … start + count − 1` of the view. */
  slice(start: number, count: number): { n: number; entry: Entry; match: boolean }[] {
    const rows = []
    const end = Math.min(this.rows, start + count)
    for (let i = Math.max(0, start); i < end; i++) {
      const n = this.#view[this.#viewStart + i] as number
      const entry = this.#entry(n)
      rows.push({ n, entry, match: this.#highlight && this.#matches(entry) })
    }
    return rows
  }

  /** Where entry `n` is in the view (binary search), or -1. */
  indexOf(n: number): number {
    let low = this.#viewStart
    let high = this.#view.length - 1
    while (low <= high) {
      const mid = (low + high) >>> 1
      const at = this.#view[mid] as number
      if (at === n) return mid - this.#viewStart
      if (at < n) low = mid + 1
      else high = mid - 1
    }
    return -1
  }

  /** The entry numbered `n`, if it is still kept. */
  get(n: number): Entry | undefined {
    return n >= this.#first && n < this.#next ? this.#entry(n) : undefined
  }

  /** Every kept line as text, oldest first (what "download" saves). */
  text(): string {
    const lines: string[] = []
    for (let n = this.#first; n < this.#next; n++) {
      const entry = this.#entry(n)
      if (entry.kind === 'line') lines.push(plainText(entry.text))
    }
    return lines.length === 0 ? '' : `${lines.join('\n')}\n`
  }

  #entry(n: number): Entry {
    return this.#entries[n % this.capacity] as Entry
  }

  #dropOldest(): void {
    this.#entries[this.#first % this.capacity] = undefined
    if (this.#view[this.#viewStart] === this.#first) {
      this.#viewStart++
      // Compact now and then, so the view array does not grow without end.
      if (this.#viewStart > 4096 && this.#viewStart * 2 > this.#view.length) {
        this.#view = this.#view.slice(this.#viewStart)
        this.#viewStart = 0
      }
    }
    this.#first++
  }
}

/** The test a filter applies to a line's plain text. A bad regex matches nothing. */
function matcher(options: ViewOptions): (text: string) => boolean {
  if (options.query === '') return () => true
  if (options.regex) {
    let pattern: RegExp
    try {
      pattern = new RegExp(options.query, options.caseSensitive ? 'u' : 'iu')
    } catch {
      return () => false
    }
    return (text) => pattern.test(text)
  }
  if (options.caseSensitive) return (text) => text.includes(options.query)
  const query = options.query.toLowerCase()
  return (text) => text.toLowerCase().includes(query)
}
