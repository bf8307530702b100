import type { Demo, DemoContext } from '../demo.js'
import type { Slide } from '../shapes.js'
import { topics } from '../topics.js'

const THEMES = ['Spring', 'Summer', 'Autumn', 'Winter', 'Monsoon', 'Dry season']

/** The slides of collection number `version`. */
export function slides(version: number): Slide[] {
  const theme = THEMES[(version - 1) % THEMES.length] as string
  return Array.from({ length: 4 }, (_, i) => ({
    title: `${theme} · ${i + 1}/4`,
    text: `Collection ${version}, slide ${i + 1}`,
    hue: (version * 67 + i * 23) % 360,
  }))
}

/**
 * A carousel that reloads its slides when a `refresh-carousel` signal arrives: the update
 * carries no slides, only the news that there are new ones (the page fetches them).
 */
export function carouselDemo(ctx: DemoContext, intervalMs = 30_000): Demo {
  let version = 1
  const refresh = () =>
    ctx.publish({
      topics: [topics.carousel],
      type: 'refresh-carousel',
      data: JSON.stringify({ version }),
    })

  return {
    slug: 'carousel',
    title: 'Carousel',
    summary:
      'Reloads its slides when a refresh-carousel signal arrives (every 30 s, or from the console).',
    topics: () => [topics.carousel],
    body: (page) => `
<p class="lead">The slides come from <code>GET /carousel/slides</code>. A
<code>refresh-carousel</code> event on <code>${topics.carousel}</code> makes the page fetch them
again: the signal carries no content, it only says "reload".</p>
<div class="carousel">
  <button id="prev" aria-label="previous">‹</button>
  <div id="track" class="track"></div>
  <button id="next" aria-label="next">›</button>
</div>
<p class="stats">collection <span id="version">–</span> · reloaded <span id="reloads">0</span> times
· last reload <span id="reloaded-at">–</span></p>
${page.interactive ? '<p><button id="new-collection">Publish a new collection now</button></p>' : ''}`,
    get: { '/carousel/slides': () => ({ version, slides: slides(version) }) },
    post: {
      '/carousel/refresh': async () => {
        version++
        const update = await refresh()
        return { version, id: update.id }
      },
    },
    start() {
      const timer = setInterval(() => {
        version++
        void refresh()
      }, intervalMs)
      return () => clearInterval(timer)
    },
  }
}
