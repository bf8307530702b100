import type { Demo, DemoContext } from '../demo.js'
import type { Tick } from '../shapes.js'
import { topics } from '../topics.js'

export const SYMBOLS = [
  'SPRK',
  'DRIP',
  'MIST',
  'RAIN',
  'HOSE',
  'PUMP',
  'FLOW',
  'WAVE',
  'TIDE',
  'POOL',
  'VALV',
  'NOZL',
] as const

/**
 * A stock ticker: every `intervalMs` one update carries all symbols' prices (a random walk).
 * One update per tick instead of one per symbol: the hub encodes it once, each subscriber
 * gets one write, and the page redraws once.
 */
export function tickerDemo(ctx: DemoContext, intervalMs = 200): Demo {
  const prices = new Map<string, number>(SYMBOLS.map((s, i) => [s, 40 + ((i * 37) % 160)]))
  let seq = 0

  function tick(): Tick {
    const quotes: Record<string, number> = {}
    for (const [symbol, price] of prices) {
      const next = Math.max(1, price * (1 + (Math.random() - 0.5) * 0.01))
      prices.set(symbol, next)
      quotes[symbol] = Math.round(next * 100) / 100
    }
    return { seq: ++seq, t: Date.now(), quotes }
  }

  return {
    slug: 'ticker',
    title: 'Stock ticker',
    summary: `${SYMBOLS.length} symbols, ${Math.round(1000 / intervalMs)} updates a second, with sparklines.`,
    topics: () => [topics.ticker],
    body: () => `
<p class="lead">${SYMBOLS.length} made-up symbols, all in one update every ${intervalMs} ms on
<code>${topics.ticker}</code>. The page redraws once per animation frame, whatever the rate.</p>
<p class="stats"><span id="rate">0</span> updates/s · lag <span id="lag">–</span> ms ·
missed <span id="missed">0</span> · tick <span id="seq">–</span></p>
<table class="ticker"><thead><tr><th>symbol</th><th>price</th><th>change</th><th>last 60 ticks</th></tr></thead>
<tbody id="quotes"></tbody></table>`,
    start() {
      const timer = setInterval(() => {
        void ctx.publish({ topics: [topics.ticker], type: 'tick', data: JSON.stringify(tick()) })
      }, intervalMs)
      return () => clearInterval(timer)
    },
  }
}
