// `sprinkler serve`'s demo pages in every engine: each loads without errors, goes live, and
// updates arrive. A screenshot per page and engine lands in test-output/browsers/<engine>/.
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, expect, it } from 'vitest'
import {
  describeEngines,
  type EngineName,
  type Tab,
  useEngine,
} from '../../../test-support/browser.js'
import type { DemoGlobals } from '../src/serve/page-config.js'
import { type Running, startServer, stopAll } from '../test/sprinkler.js'

const SHOTS = fileURLToPath(new URL('../../../test-output/browsers/', import.meta.url))

describeEngines('sprinkler serve demos', (name: EngineName) => {
  const engine = useEngine(name)
  let server: Running

  beforeAll(async () => {
    server = await startServer(['serve'])
  }, 120_000)

  afterAll(async () => {
    await stopAll()
  })

  const open = (path: string) => engine().newTab(`${server.url}${path}`)

  const live = (tab: Tab) =>
    tab.waitFor(() => document.querySelector('#status')?.getAttribute('data-state') === 'open')

  const received = (tab: Tab, type: string) =>
    tab.evaluate(
      (type) =>
        (window as unknown as { sprinkler: DemoGlobals }).sprinkler.received.filter(
          (e) => e.type === type,
        ).length,
      type,
    )

  /** Nothing failed on the page; its screenshot is saved, and it closes. */
  async function finish(tab: Tab, shot: string): Promise<void> {
    expect(await tab.errors()).toEqual([])
    await tab.screenshot(`${SHOTS}${name}/${shot}.png`)
    await tab.close()
  }

  it('the index page loads and links to every demo', async () => {
    const tab = await open('/')
    const links = await tab.evaluate(() =>
      [...document.querySelectorAll('.card')].map((a) => a.getAttribute('href')),
    )
    expect(links).toEqual(['/badge', '/scores', '/carousel', '/ticker', '/console'])
    await finish(tab, 'index')
  })

  it('scores: goes live and the board updates', async () => {
    const tab = await open('/scores')
    await live(tab)
    await tab.waitFor(() => Number(document.getElementById('board')?.dataset.updates) >= 2)
    expect(await received(tab, 'score')).toBeGreaterThanOrEqual(2)
    await finish(tab, 'scores')
  })

  it('ticker: goes live and ticks arrive in order, none missed', async () => {
    const tab = await open('/ticker')
    await live(tab)
    await tab.waitFor(() => Number(document.getElementById('quotes')?.dataset.seq) >= 5)
    expect(await tab.evaluate(() => document.getElementById('missed')?.textContent)).toBe('0')
    await finish(tab, 'ticker')
  })

  it('carousel and console: go live without errors', async () => {
    for (const path of ['/carousel', '/console']) {
      const tab = await open(path)
      await live(tab)
      await finish(tab, path.slice(1))
    }
  })
})
