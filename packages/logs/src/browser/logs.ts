// The terminal page's main thread: the toolbar, and only the rows on screen. Everything else
// (connection, parsing, filtering) is in the worker. Log text reaches the DOM as text only.
import type { Segment } from './ansi.js'
import { LEVELS } from './levels.js'
import {
  type FromWorker,
  PAGE_LINES,
  type Row,
  type SourceLabel,
  type ToWorker,
  type ViewOptions,
} from './protocol.js'

/** Row height in px (the style sheet's `.row` height): rows are placed by index. */
const ROW = 18
/** Rows rendered above and below the visible ones, for smooth scrolling. */
const OVERSCAN = 20
/** Lines the page keeps (the worker's buffer). */
const LINES_KEPT = PAGE_LINES

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T
const scroller = $<HTMLElement>('lines')
const spacer = $<HTMLElement>('spacer')
const rowsBox = $<HTMLElement>('rows')
const connection = $<HTMLElement>('connection')
const droppedBanner = $<HTMLElement>('dropped')
const filterInput = $<HTMLInputElement>('filter')
const pauseButton = $<HTMLButtonElement>('pause')
const followButton = $<HTMLButtonElement>('follow')
const sourceSelect = $<HTMLSelectElement>('source')
const detail = $<HTMLElement>('detail')
const detailText = $<HTMLElement>('detail-text')
const wrapToggle = $<HTMLInputElement>('wrap')
const timesToggle = $<HTMLInputElement>('timestamps')

// Beside this script, wherever the terminal is mounted.
const worker = new Worker(new URL('worker.js', import.meta.url), { type: 'module' })
const send = (message: ToWorker) => worker.postMessage(message)

let rowCount = 0
let following = true
let paused = false
let frame = 0
/** Where following last put the scroll position: above it means the user scrolled up. */
let followedTop = 0
let selected = -1
let sources: SourceLabel[] = []

function viewOptions(): ViewOptions {
  const checked = (id: string) => $<HTMLInputElement>(id).checked
  return {
    query: filterInput.value,
    regex: checked('regex'),
    caseSensitive: checked('case'),
    invert: checked('invert'),
    mode: $<HTMLSelectElement>('mode').value === 'highlight' ? 'highlight' : 'filter',
    levels: LEVELS.filter((level) => checked(`level-${level}`)),
    source: sourceSelect.value,
  }
}

function applyView(): void {
  send({ type: 'view', options: viewOptions() })
}

/** At most one screen update per frame, whatever arrives. */
function schedule(): void {
  if (frame === 0) frame = requestAnimationFrame(draw)
}

function draw(): void {
  frame = 0
  spacer.style.height = `${rowCount * ROW}px`
  // The user scrolled up since the last frame (its scroll event may not have come yet).
  if (following && scroller.scrollTop + 1 < followedTop) setFollowing(false)
  if (following) {
    scroller.scrollTop = scroller.scrollHeight
    followedTop = scroller.scrollTop
  }
  const first = Math.max(0, Math.floor(scroller.scrollTop / ROW) - OVERSCAN)
  const count = Math.ceil(scroller.clientHeight / ROW) + 2 * OVERSCAN
  send({ type: 'rows', start: first, count })
}

function render(start: number, rows: Row[]): void {
  const elements = rows.map((row) => {
    const div = document.createElement('div')
    div.className = `row ${row.kind}${row.level ? ` level-${row.level}` : ''}${row.match ? ' match' : ''}${row.n === selected ? ' selected' : ''}`
    div.dataset.n = String(row.n)
    // Label and time on an entry's first row; the rest of a wrapped line gets the blank gutter.
    const gutter = document.createElement('span')
    gutter.className = 'gutter'
    if (row.part === 0) {
      const label = document.createElement('span')
      label.className = `label src-${row.source % 6}`
      label.textContent = sources[row.source]?.label ?? ''
      gutter.append(label)
      if (timesToggle.checked) {
        const time = document.createElement('span')
        time.className = 'time'
        time.textContent = clock(row.time)
        gutter.append(time)
      }
    }
    div.append(gutter, ...row.segments.map(span))
    return div
  })
  rowsBox.style.transform = `translateY(${start * ROW}px)`
  rowsBox.replaceChildren(...elements)
}

const two = (n: number) => String(n).padStart(2, '0')

/** `HH:MM:SS`, local time: the server stamps lines to the second. */
function clock(ms: number): string {
  const d = new Date(ms)
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`
}

/** Width of one character of the list's monospace font, in px. */
function charWidth(): number {
  const probe = document.createElement('span')
  probe.className = 'probe'
  probe.textContent = 'x'.repeat(100)
  scroller.append(probe)
  const width = probe.getBoundingClientRect().width / 100
  probe.remove()
  return width || 8
}

let wrapCols = 0

/**
 * Wrapping: the worker cuts long lines into rows of as many characters as fit beside the
 * gutter (label, time), so every row keeps its fixed height and the list stays virtual.
 */
function applyWrap(): void {
  const on = wrapToggle.checked
  scroller.classList.toggle('wrap', on)
  const label = Math.min(20, Math.max(0, ...sources.map((s) => s.label.length)))
  const gutter = label + 1 + (timesToggle.checked ? 9 : 0)
  scroller.style.setProperty('--gutter', `${gutter}ch`)
  // Two characters of row padding, and one spare for rounding.
  const cols = on ? Math.max(10, Math.floor(scroller.clientWidth / charWidth()) - gutter - 3) : 0
  if (cols !== wrapCols) {
    wrapCols = cols
    send({ type: 'wrap', cols })
  }
  schedule()
}

function span(segment: Segment): HTMLSpanElement | Text {
  if (!segment.classes && !segment.fg && !segment.bg) return document.createTextNode(segment.text)
  const element = document.createElement('span')
  element.textContent = segment.text
  if (segment.classes) element.className = segment.classes
  // CSSOM, not markup: allowed by the page's policy, and no text is ever parsed as HTML.
  if (segment.fg) element.style.color = segment.fg
  if (segment.bg) element.style.backgroundColor = segment.bg
  return element
}

function showSources(list: SourceLabel[]): void {
  const changed =
    list.length !== sources.length || list.some((s, i) => s.label !== sources[i]?.label)
  sources = list
  $<HTMLElement>('sources').textContent = list
    .filter((s) => s.status)
    .map((s) => `${s.label}: ${s.status}`)
    .join(' · ')
  if (!changed) return
  applyWrap()
  const options = [new Option('all sources', '')]
  for (const s of list) options.push(new Option(s.label, s.id))
  sourceSelect.replaceChildren(...options)
}

worker.onmessage = (event: MessageEvent<FromWorker>) => {
  const message = event.data
  switch (message.type) {
    case 'state':
      // What the worker holds in this view, shown or not (paused): for the curious, and tests.
      document.body.dataset.rows = String(message.rows)
      connection.textContent = message.error || message.connection
      connection.dataset.state = message.connection
      droppedBanner.hidden = message.dropped === 0
      droppedBanner.textContent = `${message.dropped.toLocaleString()} older lines dropped (the page keeps the last ${LINES_KEPT.toLocaleString()})`
      showSources(message.sources)
      if (!paused) {
        rowCount = message.rows
        schedule()
      }
      break
    case 'rows':
      render(message.start, message.rows)
      break
    case 'context':
      if (message.index >= 0) {
        setFollowing(false)
        scroller.scrollTop = Math.max(0, (message.index - 5) * ROW)
        schedule()
      }
      break
    case 'line':
      selected = message.n
      detail.hidden = false
      detailText.textContent = message.text
      break
    case 'download': {
      const url = URL.createObjectURL(new Blob([message.text], { type: 'text/plain' }))
      const link = document.createElement('a')
      link.href = url
      link.download = 'logs.txt'
      link.click()
      setTimeout(() => URL.revokeObjectURL(url), 10_000)
      break
    }
  }
}

function setFollowing(on: boolean): void {
  following = on
  followButton.setAttribute('aria-pressed', String(on))
}

function setPaused(on: boolean): void {
  paused = on
  pauseButton.textContent = on ? 'Resume' : 'Pause'
  pauseButton.setAttribute('aria-pressed', String(on))
  // Resuming catches up: the worker kept receiving into the same bounded buffer.
  if (!on) applyView()
}

scroller.addEventListener('scroll', () => {
  // Scrolling up stops following; reaching the bottom again resumes it.
  const atBottom = scroller.scrollTop + scroller.clientHeight >= scroller.scrollHeight - ROW
  if (following && scroller.scrollTop + 1 < followedTop) setFollowing(false)
  else if (!following && atBottom) setFollowing(true)
  schedule()
})

rowsBox.addEventListener('click', (event) => {
  const row = (event.target as HTMLElement).closest<HTMLElement>('.row')
  if (row?.dataset.n) send({ type: 'line', n: Number(row.dataset.n) })
})

for (const id of [
  'filter',
  'regex',
  'case',
  'invert',
  'mode',
  'source',
  ...LEVELS.map((l) => `level-${l}`),
]) {
  $<HTMLElement>(id).addEventListener(id === 'filter' ? 'input' : 'change', applyView)
}
pauseButton.addEventListener('click', () => setPaused(!paused))
wrapToggle.addEventListener('change', applyWrap)
timesToggle.addEventListener('change', applyWrap)
new ResizeObserver(() => {
  if (wrapToggle.checked) applyWrap()
}).observe(scroller)
followButton.addEventListener('click', () => {
  setFollowing(true)
  schedule()
})
$<HTMLButtonElement>('download').addEventListener('click', () => send({ type: 'download' }))
$<HTMLButtonElement>('copy').addEventListener('click', () => {
  void navigator.clipboard?.writeText(detailText.textContent ?? '')
})
$<HTMLButtonElement>('json').addEventListener('click', () => {
  try {
    detailText.textContent = JSON.stringify(JSON.parse(detailText.textContent ?? ''), null, 2)
  } catch {
    // Not JSON: left as it is.
  }
})
$<HTMLButtonElement>('context').addEventListener('click', () => {
  $<HTMLSelectElement>('mode').value = 'highlight'
  applyView()
  send({ type: 'context', n: selected })
})
$<HTMLButtonElement>('close-detail').addEventListener('click', () => {
  detail.hidden = true
  selected = -1
})

document.addEventListener('keydown', (event) => {
  const typing =
    event.target instanceof HTMLInputElement || event.target instanceof HTMLSelectElement
  if (event.key === 'Escape') {
    filterInput.value = ''
    filterInput.blur()
    applyView()
  } else if (typing || event.ctrlKey || event.metaKey || event.altKey) {
    return
  } else if (event.key === '/') {
    event.preventDefault()
    filterInput.focus()
  } else if (event.key === 'p' || event.key === ' ') {
    event.preventDefault()
    setPaused(!paused)
  } else if (event.key === 'w' || event.key === 't') {
    const toggle = event.key === 'w' ? wrapToggle : timesToggle
    toggle.checked = !toggle.checked
    applyWrap()
  } else if (event.key === 'End' || event.key === 'G') {
    setFollowing(true)
    schedule()
  }
})

applyView()
