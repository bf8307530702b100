/// <reference lib="webworker" />
// The page's worker: it holds the connection and the lines, parses, detects levels and
// filters, and hands the page only the rows on screen. The page's main thread never parses.
import { EventSource } from '@sprinkler/client'
import { type Segment, segments, sliceSegments } from './ansi.js'
import {
  type FromWorker,
  PAGE_LINES,
  type Row,
  type SourceLabel,
  type ToWorker,
} from './protocol.js'
import { SequenceCheck } from './sequence.js'
import { DEFAULT_VIEW, LineStore } from './store.js'

declare const self: DedicatedWorkerGlobalScope

interface SourceInfo {
  id: string
  name: string
  stream?: string
  status?: { state: string; code?: number | null; signal?: string | null }
}

const store = new LineStore(PAGE_LINES)
const sequence = new SequenceCheck()
let sources: SourceLabel[] = []
let connection: 'connecting' | 'live' | 'reconnecting' | 'closed' = 'connecting'
let error = ''
let stateQueued = false

const post = (message: FromWorker) => self.postMessage(message)

/** Tells the page what changed, once per turn of the worker's event loop at most. */
function stateChanged(): void {
  if (stateQueued) return
  stateQueued = true
  setTimeout(() => {
    stateQueued = false
    post({ type: 'state', connection, rows: store.rows, dropped: store.dropped, sources, error })
  }, 16)
}

function describe(status: SourceInfo['status']): string {
  if (!status) return ''
  if (status.state === 'exited') {
    return status.signal ? `exited (${status.signal})` : `exited (code ${status.code})`
  }
  return status.state
}

/** A marker row for lines the page does not have. */
function addGap(source: number, from: number, to: number, why: string): void {
  const count = to - from + 1
  store.add('gap', source, `${count.toLocaleString()} lines not received (${from}–${to}): ${why}`)
}

// Beside the assets' folder: `/events` at the root, `/logs/events` when mounted at `/logs`.
const events = new EventSource(new URL('../events', import.meta.url).href, {
  retry: { initialDelayMs: 1000, maxDelayMs: 10_000, factor: 2, jitter: 0.3 },
  // The server sends a heartbeat every 15 s: silence three times that long is a connection
  // that died without a word (a sleeping laptop, a dropped NAT entry), so reconnect.
  readTimeoutMs: 45_000,
})
events.onopen = () => {
  connection = 'live'
  error = ''
  stateChanged()
}
events.onerror = (event) => {
  connection = events.readyState === events.CLOSED ? 'closed' : 'reconnecting'
  const status = (event as Event & { status?: number }).status
  if (status === 401) error = 'Signed out: reload the page to sign in again.'
  stateChanged()
}
events.addEventListener('sources', (event) => {
  const list = JSON.parse((event as MessageEvent).data) as SourceInfo[]
  sources = list.map((s) => ({
    id: s.id,
    label: s.stream === 'stderr' ? `${s.name} (stderr)` : s.name,
    status: describe(s.status),
  }))
  stateChanged()
})
events.addEventListener('lines', (event) => {
  const { source, from, time, lines } = JSON.parse(event.data) as {
    source: string
    from: number
    time: number
    lines: string[]
  }
  const index = Number.parseInt(source, 36)
  const { skip, hole } = sequence.place(event.lastEventId, index, from, from + lines.length - 1)
  if (hole) addGap(index, hole.from, hole.to, 'the stream skipped them')
  for (let i = skip; i < lines.length; i++) store.add('line', index, lines[i] as string, time)
  stateChanged()
})
events.addEventListener('gap', (event) => {
  const { source, from, to } = JSON.parse(event.data) as {
    source: string
    from: number
    to: number
  }
  const index = Number.parseInt(source, 36)
  const { skip, hole } = sequence.place(event.lastEventId, index, from, to)
  if (hole) addGap(index, hole.from, hole.to, 'the stream skipped them')
  if (from + skip <= to) addGap(index, from + skip, to, "they left the server's buffer")
  stateChanged()
})
events.addEventListener('status', (event) => {
  const { source, ...status } = JSON.parse((event as MessageEvent).data)
  const index = Number.parseInt(source, 36)
  const text = describe(status)
  const label = sources[index]
  if (label) label.status = text
  store.add('status', index, text)
  stateChanged()
})

self.onmessage = (event: MessageEvent<ToWorker>) => {
  const message = event.data
  switch (message.type) {
    case 'view':
      store.setView({ ...DEFAULT_VIEW, ...message.options })
      stateChanged()
      break
    case 'rows': {
      const cols = store.cols
      // The pieces of a wrapped line are parsed once for all of them.
      let parsed = -1
      let runs: Segment[] = []
      const rows: Row[] = store
        .slice(message.start, message.count)
        .map(({ n, entry, match, part }) => {
          if (n !== parsed) {
            parsed = n
            runs = entry.kind === 'line' ? segments(entry.text) : [{ text: entry.text }]
          }
          return {
            n,
            kind: entry.kind,
            source: entry.source,
            level: entry.level,
            match,
            part,
            time: entry.time,
            segments: cols > 0 ? sliceSegments(runs, part * cols, (part + 1) * cols) : runs,
          }
        })
      post({ type: 'rows', start: message.start, rows })
      break
    }
    case 'wrap':
      store.setWrap(message.cols)
      stateChanged()
      break
    case 'context':
      post({ type: 'context', index: store.indexOf(message.n) })
      break
    case 'line':
      post({ type: 'line', n: message.n, text: store.get(message.n)?.text ?? '' })
      break
    case 'download':
      post({ type: 'download', text: store.text() })
      break
  }
}
