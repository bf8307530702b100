// Ten demo tabs in one browser over HTTP/1.1, against a real `sprinkler serve`: the tabs share
// ONE hub connection (the client's `shared: true`), so the browser's six connections per origin
// are never used up, and the tab holding it can go away without the others noticing.
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { describeBrowser, launchChromium } from '../../../test-support/browser.js'
import type { DemoGlobals } from '../src/serve/page-config.js'
import { type Running, startServer, stopAll } from '../test/sprinkler.js'

const PATHS = ['/badge', '/scores', '/carousel', '/ticker', '/console']

describeBrowser('demo tabs share one hub connection', () => {
  let server: Running
  let browser: Browser
  let context: BrowserContext
  /** What went wrong in any page: console errors, uncaught errors, failed requests. */
  const problems: string[] = []

  beforeAll(async () => {
    ;[server, browser] = await Promise.all([startServer(['serve']), launchChromium()])
    context = await browser.newContext()
  })

  afterAll(async () => {
    await context?.close()
    await browser?.close()
    await stopAll()
  })

  /** The hub's own counts, from its Prometheus metrics. */
  async function metric(name: string): Promise<number> {
    const text = await (await fetch(`${server.url}/metrics`)).text()
    const value = new RegExp(`^${name} (\\d+)$`, 'm').exec(text)?.[1]
    if (value === undefined) throw new Error(`/metrics has no ${name}`)
    return Number(value)
  }

  /** Polls `check` until it holds (every 100 ms, up to 15 s). */
  async function eventually(what: string, check: () => Promise<boolean>): Promise<void> {
    const deadline = Date.now() + 15_000
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`still not true after 15 s: ${what}`)
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }

  async function openTab(path: string): Promise<Page> {
    const page = await context.newPage()
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`${path}: console: ${message.text()}`)
    })
    page.on('pageerror', (error) => problems.push(`${path}: ${error.message}`))
    page.on('response', (response) => {
      if (response.status() >= 400) problems.push(`${path}: ${response.status()} ${response.url()}`)
    })
    await page.goto(`${server.url}${path}`)
    return page
  }

  const live = (page: Page) =>
    page.waitForSelector('#status[data-state="open"]', { timeout: 15_000 })

  const holds = (page: Page) =>
    page.$eval('#holder', (element) => (element as HTMLElement).dataset.holder === 'self')

  /** Publishes a broadcast from a console tab and waits until every tab in `pages` has it. */
  async function broadcast(desk: Page, pages: Page[], text: string): Promise<void> {
    await desk.fill('#publish textarea[name="data"]', text)
    await desk.click('#publish button')
    await Promise.all(
      pages.map((page) =>
        page.waitForFunction(
          (text) =>
            (window as unknown as { sprinkler: DemoGlobals }).sprinkler.received.some(
              (e) => e.type === 'message' && e.data === text,
            ),
          text,
          { timeout: 15_000 },
        ),
      ),
    )
  }

  it('ten tabs over HTTP/1.1: one connection, every tab live, a publish reaches all, the holder can leave', async () => {
    const tabs: Page[] = []
    for (let i = 0; i < 10; i++) tabs.push(await openTab(PATHS[i % PATHS.length] as string))
    await Promise.all(tabs.map(live))

    const protocols = await Promise.all(
      tabs.map((tab) =>
        tab.evaluate(
          () =>
            (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming)
              .nextHopProtocol,
        ),
      ),
    )
    expect(new Set(protocols)).toEqual(new Set(['http/1.1']))
    expect(await metric('sprinkler_hub_connections')).toBe(1)
    expect(await metric('sprinkler_hub_connections_opened_total')).toBe(1)

    // Exactly one tab holds the connection, and every other tab says it is elsewhere.
    const holding = await Promise.all(tabs.map(holds))
    expect(holding.filter(Boolean)).toHaveLength(1)
    const holder = tabs[holding.indexOf(true)] as Page
    const holderPath = new URL(holder.url()).pathname
    for (const tab of tabs.filter((t) => t !== holder)) {
      expect(await tab.textContent('#holder')).toBe(`connection: tab ${holderPath}`)
    }

    const consoles = tabs.filter((tab) => tab.url().endsWith('/console'))
    await broadcast(consoles[0] as Page, tabs, 'to all ten tabs')

    // The holding tab goes away: another takes the connection over, the rest stay live.
    await holder.close()
    const rest = tabs.filter((t) => t !== holder)
    await eventually('another tab holds the connection', async () => {
      const now = await Promise.all(rest.map(holds))
      return now.filter(Boolean).length === 1
    })
    await Promise.all(rest.map(live))
    await eventually(
      'one hub connection again',
      async () => (await metric('sprinkler_hub_connections')) === 1,
    )
    expect(await metric('sprinkler_hub_connections_opened_total')).toBe(2)
    const desk = consoles.find((c) => c !== holder) as Page
    await broadcast(desk, rest, 'to the nine left')

    expect(problems).toEqual([])
  })
})
