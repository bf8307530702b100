import type { Segment } from './ansi.js'
import type { Level } from './levels.js'

/** Lines the page keeps; the oldest leave first, counted as dropped. */
export const PAGE_LINES = 100_000

/** What the page asks the worker to show. */
export interface ViewOptions {
  query: string
  regex: boolean
  caseSensitive: boolean
  invert: boolean
  /** `filter`: only matching lines; `highlight`: every line, matches marked. */
  mode: 'filter' | 'highlight'
  /** Levels shown; a line with no level is always shown. */
  levels: Level[]
  /** One source's id, or `''` for all of them merged. */
  source: string
}

export interface SourceLabel {
  id: string
  label: string
  status: string
}

/** One row on screen. */
export interface Row {
  /** The entry's number since the page opened (stable while it is kept). */
  n: number
  kind: 'line' | 'gap' | 'status'
  source: number
  level: Level
  match: boolean
  /** 0 for an entry's first screen row; 1, 2, … for the rest of a wrapped line. */
  part: number
  /** When the server read the line (ms since the epoch); arrival for gaps and statuses. */
  time: number
  segments: Segment[]
}

export type ToWorker =
  | { type: 'view'; options: ViewOptions }
  | { type: 'rows'; start: number; count: number }
  /** Wrap long lines at `cols` characters a row; 0: no wrapping. */
  | { type: 'wrap'; cols: number }
  | { type: 'context'; n: number }
  | { type: 'line'; n: number }
  | { type: 'download' }

export type FromWorker =
  | {
      type: 'state'
      connection: 'connecting' | 'live' | 'reconnecting' | 'closed'
      /** Rows in the current view. */
      rows: number
      /** Entries dropped from the page's buffer since it opened. */
      dropped: number
      sources: SourceLabel[]
      error: string
    }
  | { type: 'rows'; start: number; rows: Row[] }
  /** Where the asked entry is in the view (-1: not in it). */
  | { type: 'context'; index: number }
  | { type: 'line'; n: number; text: string }
  | { type: 'download'; text: string }
