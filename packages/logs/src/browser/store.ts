import { plainText } from './ansi.js'
import { detectLevel, type Level } from './levels.js'
import type { ViewOptions } from './protocol.js'

export interface Entry {
  kind: 'line' | 'gap' | 'status'
  source: number
  text: string
  level: Level
  /** When the server read the line (ms since the epoch, to the second); arrival for others. */
  time: number
}

/** One screen row of the view: entry `n`, or its `part`-th piece when long lines wrap. */
export interface SlicedRow {
  n: number
  entry: Entry
  match: boolean
  part: number
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
  /** The screen row each view entry starts at (counted since the view was built), and the end. */
  #starts: number[] = []
  #end = 0
  /** Characters per screen row when long lines wrap; 0: one row per entry. */
  #cols = 0
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

  /** Screen rows in the current view (entries, or their pieces when long lines wrap). */
  get rows(): number {
    return this.#end - this.#base()
  }

  add(kind: Entry['kind'], source: number, text: string, time = Date.now()): void {
    const entry: Entry = {
      kind,
      source,
      text,
      level: kind === 'line' ? detectLevel(plainText(text)) : '',
      time,
    }
    if (this.#next - this.#first === this.capacity) this.#dropOldest()
    const n = this.#next++
    this.#entries[n % this.capacity] = entry
    if (this.#shows(entry)) this.#show(n, entry)
  }

  /** Wraps long lines at `cols` characters (each piece a screen row); 0 unwraps. */
  setWrap(cols: number): void {
    this.#cols = cols
    this.#rebuild()
  }

  /** Characters per screen row when wrapping (0: not wrapping). */
  get cols(): number {
    return this.#cols
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
    this.#rebuild()
  }

  /** The screen rows `start … start + count − 1` of the view. */
  slice(start: number, count: number): SlicedRow[] {
    const rows: SlicedRow[] = []
    const base = this.#base()
    const end = Math.min(this.#end, base + Math.max(0, start) + count)
    let row = base + Math.max(0, start)
    // The view entry holding that row: the last one starting at or before it.
    let i = this.#search(this.#starts, row, true)
    for (; row < end; i++) {
      const n = this.#view[i] as number
      const entry = this.#entry(n)
      const match = this.#highlight && this.#matches(entry)
      const next = this.#starts[i + 1] ?? this.#end
      for (; row < next && row < end; row++) {
        rows.push({ n, entry, match, part: row - (this.#starts[i] as number) })
      }
    }
    return rows
  }

  /** The screen row where entry `n` starts in the view, or -1. */
  indexOf(n: number): number {
    const i = this.#search(this.#view, n, false)
    return i === -1 ? -1 : (this.#starts[i] as number) - this.#base()
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

  /** The screen row the view's first kept entry starts at. */
  #base(): number {
    return this.#starts[this.#viewStart] ?? this.#end
  }

  #show(n: number, entry: Entry): void {
    this.#view.push(n)
    this.#starts.push(this.#end)
    const length = this.#cols > 0 ? plainText(entry.text).length : 0
    this.#end += Math.max(1, Math.ceil(length / (this.#cols || 1)))
  }

  /** The view over every kept entry, from scratch (a new filter or wrap width). */
  #rebuild(): void {
    this.#view = []
    this.#starts = []
    this.#viewStart = 0
    this.#end = 0
    for (let n = this.#first; n < this.#next; n++) {
      const entry = this.#entry(n)
      if (this.#shows(entry)) this.#show(n, entry)
    }
  }

  /**
   * Binary search of the ascending `values` from the view's first kept entry: the index of
   * `wanted`, or -1 (`atOrBefore`: of the last value at or before it).
   */
  #search(values: number[], wanted: number, atOrBefore: boolean): number {
    let low = this.#viewStart
    let high = values.length - 1
    while (low <= high) {
      const mid = (low + high) >>> 1
      const at = values[mid] as number
      if (at === wanted) return mid
      if (at < wanted) low = mid + 1
      else high = mid - 1
    }
    return atOrBefore ? high : -1
  }

  #dropOldest(): void {
    this.#entries[this.#first % this.capacity] = undefined
    if (this.#view[this.#viewStart] === this.#first) {
      this.#viewStart++
      // Compact now and then, so the view array does not grow without end.
      if (this.#viewStart > 4096 && this.#viewStart * 2 > this.#view.length) {
        this.#view = this.#view.slice(this.#viewStart)
        this.#starts = this.#starts.slice(this.#viewStart)
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
