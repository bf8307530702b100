// The stock ticker: one update per tick with every symbol; redrawn once per animation frame.

import type { Tick } from '../shapes.js'
import { byId, connect, pageConfig } from './common.js'

const HISTORY = 60
const config = pageConfig()
const rows = new Map<string, { cells: HTMLElement[]; points: number[]; first: number }>()
const body = byId('quotes')
const arrivals: number[] = []
let latest: Tick | undefined
let lastSeq: number | undefined
let missed = 0
let lag = 0
let dirty = false

function row(symbol: string, price: number) {
  let entry = rows.get(symbol)
  if (!entry) {
    const tr = document.createElement('tr')
    tr.dataset.symbol = symbol
    const cells = [0, 1, 2, 3].map(() => document.createElement('td'))
    tr.append(...cells)
    body.append(tr)
    entry = { cells, points: [], first: price }
    rows.set(symbol, entry)
  }
  return entry
}

function sparkline(points: number[]): string {
  const min = Math.min(...points)
  const max = Math.max(...points)
  const span = max - min || 1
  const coords = points
    .map(
      (p, i) =>
        `${((i / (HISTORY - 1)) * 160).toFixed(1)},${(28 - ((p - min) / span) * 26).toFixed(1)}`,
    )
    .join(' ')
  const up = (points.at(-1) ?? 0) >= (points[0] ?? 0)
  return `<svg width="160" height="30" viewBox="0 0 160 30"><polyline fill="none" stroke="${up ? '#1f8a4c' : '#c43d3d'}" stroke-width="1.5" points="${coords}"/></svg>`
}

function draw(): void {
  dirty = false
  if (!latest) return
  for (const [symbol, entry] of rows) {
    const price = entry.points.at(-1) ?? 0
    const change = ((price - entry.first) / entry.first) * 100
    const [name, value, delta, chart] = entry.cells
    if (!name || !value || !delta || !chart) continue
    name.textContent = symbol
    value.textContent = price.toFixed(2)
    delta.textContent = `${change >= 0 ? '+' : ''}${change.toFixed(2)}%`
    delta.className = change >= 0 ? 'up' : 'down'
    chart.innerHTML = sparkline(entry.points)
  }
  const now = performance.now()
  while (arrivals.length > 0 && (arrivals[0] ?? 0) < now - 1000) arrivals.shift()
  byId('rate').textContent = String(arrivals.length)
  byId('lag').textContent = String(Math.max(0, Math.round(lag)))
  byId('missed').textContent = String(missed)
  byId('seq').textContent = String(latest.seq)
  body.dataset.seq = String(latest.seq)
}

connect(config, {
  tick(data) {
    const tick = JSON.parse(data) as Tick
    if (lastSeq !== undefined && tick.seq > lastSeq + 1) missed += tick.seq - lastSeq - 1
    lastSeq = tick.seq
    lag = Date.now() - tick.t
    arrivals.push(performance.now())
    latest = tick
    for (const [symbol, price] of Object.entries(tick.quotes)) {
      const entry = row(symbol, price)
      entry.points.push(price)
      if (entry.points.length > HISTORY) entry.points.shift()
    }
    if (!dirty) {
      dirty = true
      requestAnimationFrame(draw)
    }
  },
})
