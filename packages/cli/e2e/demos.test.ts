// `sprinkler serve`'s demo pages in real Chromium: one browser context per simulated user.
import { mkdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, expect, it, vi } from 'vitest'
import { describeBrowser, launchChromium } from '../../../test-support/browser.js'
import type { DemoGlobals } from '../src/serve/page-config.js'
import { type Running, startServer, stopAll } from '../test/sprinkler.js'

const SHOTS = fileURLToPath(new URL('../../../test-output/cli/', import.meta.url))
// Tests here drive several pages and browser contexts: a safety net on a busy machine.
vi.setConfig({ testTimeout: 120_000 })

describeBrowser('sprinkler serve demos in Chromium', () => {
  let server: Running
  let browser: Browser
  const contexts: BrowserContext[] = []

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true })
    ;[server, browser] = await Promise.all([startServer(['serve']), launchChromium()])
  })

  // Each test's users leave when it ends: their connections must not count in the next test.
  afterEach(async () => {
    for (const context of contexts.splice(0)) await context.close()
  })

  afterAll(async () => {
    await browser?.close()
    await stopAll()
  })

  /** A new browser context (a new user: own cookies), on `path`. */
  async function open(path: string): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1000, height: 720 } })
    contexts.push(context)
    const page = await context.newPage()
    await page.goto(`${server.url}${path}`)
    return page
  }

  /** Waits until the page's one connection is open. */
  const live = (page: Page) =>
    page.waitForSelector('#status[data-state="open"]', { timeout: 15_000 })

  const received = (page: Page, type: string) =>
    page.evaluate(
      (type) =>
        (window as unknown as { sprinkler: DemoGlobals }).sprinkler.received
          .filter((e) => e.type === type)
          .map((e) => e.data),
      type,
    )

  const shot = (page: Page, name: string) =>
    page.screenshot({ path: `${SHOTS}${name}.png`, fullPage: true })

  /** Signs in on the badge page with the development login, in a context of its own. */
  async function badgeFor(user: string): Promise<Page> {
    const page = await open('/badge')
    await Promise.all([page.waitForURL(/\/badge$/), page.click(`button[value="${user}"]`)])
    await page.waitForSelector('#user')
    expect(await page.textContent('#user')).toBe(user)
    await live(page)
    return page
  }

  it('serves an index page that links to every demo', async () => {
    const page = await open('/')
    const links = await page.$$eval('.card', (cards) => cards.map((a) => a.getAttribute('href')))
    expect(links).toEqual(['/badge', '/scores', '/carousel', '/ticker', '/console'])
    await shot(page, 'index')
  })

  it('every page loads with no console error and no failed request (the favicon included)', async () => {
    const context = await browser.newContext()
    contexts.push(context)
    const problems: string[] = []
    for (const path of ['/', '/badge', '/scores', '/carousel', '/ticker', '/console']) {
      const page = await context.newPage()
      page.on('console', (m) => {
        if (m.type() === 'error') problems.push(`${path}: ${m.text()}`)
      })
      page.on('pageerror', (error) => problems.push(`${path}: ${error.message}`))
      page.on('requestfailed', (r) => problems.push(`${path}: failed ${r.url()}`))
      page.on('response', (r) => {
        if (r.status() >= 400) problems.push(`${path}: ${r.status()} ${r.url()}`)
      })
      const icon = page.waitForResponse((r) => r.url().endsWith('/assets/favicon.svg'))
      await page.goto(`${server.url}${path}`)
      expect((await icon).headers()['content-type']).toBe('image/svg+xml')
      if (path !== '/') await live(page)
    }
    expect(problems).toEqual([])
  })

  it("badge: a notification for alice changes alice's badge only", async () => {
    const [alice, bob] = await Promise.all([badgeFor('alice'), badgeFor('bob')])
    expect(await alice.textContent('#badge')).toBe('0')
    await alice.fill('#notify input[name="user"]', 'alice')
    await alice.click('#notify button:not([type])')
    await alice.waitForFunction(() => document.getElementById('badge')?.textContent === '1')
    // Then one for bob. Updates reach each page in publish order, so once bob's page shows
    // his own, it would already show alice's had it received it.
    await bob.fill('#notify input[name="user"]', 'bob')
    await bob.click('#notify button:not([type])')
    await bob.waitForFunction(() => document.getElementById('badge')?.textContent === '1')
    expect(await received(bob, 'notification')).toHaveLength(1)
    expect(await received(alice, 'notification')).toHaveLength(1)
    expect(await alice.textContent('#badge')).toBe('1')
    await shot(alice, 'badge-alice')
    await shot(bob, 'badge-bob')
  })

  it('scores: the scoreboard updates from JSON updates', async () => {
    const page = await open('/scores')
    await live(page)
    expect(await page.locator('.match').count()).toBe(3)
    await page.waitForFunction(() => Number(document.getElementById('board')?.dataset.updates) >= 3)
    const scores = await received(page, 'score')
    for (const data of scores) {
      expect(JSON.parse(data)).toMatchObject({
        id: expect.any(String),
        homeScore: expect.any(Number),
      })
    }
    const last = JSON.parse(scores.at(-1) as string) as { id: string; homeScore: number }
    expect(await page.textContent(`#match-${last.id} .score`)).toContain(String(last.homeScore))
    await shot(page, 'scores')
  })

  it('carousel: reloads its slides when the refresh-carousel signal arrives', async () => {
    const page = await open('/carousel')
    await live(page)
    const before = Number(await page.textContent('#version'))
    expect(await page.textContent('#reloads')).toBe('0')
    await page.click('#new-collection')
    await page.waitForFunction(() => document.getElementById('reloads')?.textContent === '1')
    expect(Number(await page.textContent('#version'))).toBeGreaterThan(before)
    expect(await page.locator('.slide').count()).toBe(4)
    await shot(page, 'carousel')
  })

  it('ticker: keeps up with every tick, none missed', async () => {
    const page = await open('/ticker')
    await live(page)
    await page.waitForFunction(() => (document.getElementById('quotes')?.dataset.seq ?? '') !== '')
    const first = Number(await page.getAttribute('#quotes', 'data-seq'))
    // 15 more ticks (3 s at 5 a second), each with every symbol.
    await page.waitForFunction(
      (first) => Number(document.getElementById('quotes')?.dataset.seq) >= first + 15,
      first,
      { timeout: 20_000 },
    )
    const ticks = (await received(page, 'tick')).map(
      (d) => JSON.parse(d) as { seq: number; quotes: object },
    )
    const seqs = ticks.map((t) => t.seq)
    expect(seqs).toEqual(seqs.map((_, i) => (seqs[0] as number) + i))
    expect(Object.keys(ticks.at(-1)?.quotes ?? {})).toHaveLength(12)
    expect(await page.textContent('#missed')).toBe('0')
    expect(await page.locator('#quotes tr').count()).toBe(12)
    await shot(page, 'ticker')
  })

  it('console: an update published from the console reaches an open page, and says who got it', async () => {
    const [scores, alice, desk] = await Promise.all([
      open('/scores'),
      badgeFor('alice'),
      open('/console'),
    ])
    await Promise.all([live(scores), live(desk)])
    // A broadcast: every open demo page shows it.
    await desk.fill('#publish textarea[name="data"]', 'Hello from the test')
    await desk.click('#publish button')
    await scores.waitForSelector('.toast:has-text("Hello from the test")')
    await alice.waitForSelector('.toast:has-text("Hello from the test")')
    await desk.waitForSelector('#received li:has-text("Hello from the test")')
    await desk.waitForFunction(() => document.getElementById('result')?.dataset.delivered)
    const pages = await desk.$$eval('#recipients tbody tr td:nth-child(3)', (tds) =>
      tds.map((td) => td.textContent),
    )
    expect(pages).toEqual(expect.arrayContaining(['/scores', '/badge', '/console']))
    // A private notification for alice: her page only.
    const unread = Number(await alice.textContent('#badge'))
    await desk.selectOption('#preset', 'notify-alice')
    await desk.click('#publish button')
    await alice.waitForFunction(
      (n) => document.getElementById('badge')?.textContent === String(n),
      unread + 1,
    )
    await desk.waitForFunction(() => document.getElementById('result')?.dataset.delivered === '1')
    expect(await desk.textContent('#recipients tbody')).toContain('alice')
    await shot(desk, 'console')
  })
})
