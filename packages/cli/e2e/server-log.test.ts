// `/logs` in `sprinkler serve`, in real Chromium: the server's own requests reach the page.
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, expect, it, vi } from 'vitest'
import { describeBrowser, launchChromium } from '../../../test-support/browser.js'
import { type Running, startServer, stopAll } from '../test/sprinkler.js'

// A page, a worker and a server process on a busy machine: a safety net only.
vi.setConfig({ testTimeout: 60_000, hookTimeout: 120_000 })

describeBrowser("sprinkler serve's /logs page in Chromium", () => {
  let server: Running
  let browser: Browser
  let page: Page

  beforeAll(async () => {
    ;[server, browser] = await Promise.all([startServer(['serve']), launchChromium()])
    page = await browser.newPage()
    // Reached from the index page's link, as a visitor would.
    await page.goto(server.url)
    await Promise.all([page.waitForURL(/\/logs$/), page.click('#server-log')])
    await page.waitForSelector('#connection[data-state=live]', { timeout: 20_000 })
  })

  afterAll(async () => {
    await browser?.close()
    await stopAll()
  })

  /**
   * Resolves with the text of the first row containing `text`, once one is rendered. The page
   * renders only the rows on screen, and the ticker keeps adding lines: the page's own filter
   * (substring) keeps the wanted row on screen however many lines come after it.
   */
  const rowWith = async (text: string) => {
    await page.fill('#filter', text)
    const row = await page.waitForFunction(
      (wanted) =>
        [...document.querySelectorAll('#rows .row')]
          .map((r) => r.textContent ?? '')
          .find((t) => t.includes(wanted)),
      text,
      { timeout: 20_000 },
    )
    return (await row.jsonValue()) as string
  }

  it("shows the server's own requests as they are answered, secrets redacted", async () => {
    // The page's own load is in the log already.
    expect(await rowWith('GET /logs 200')).toMatch(/info GET \/logs 200 \d/)
    const marker = `probe-${Date.now().toString(36)}`
    const responses = await Promise.all([
      fetch(`${server.url}/ticker`),
      fetch(`${server.url}/${marker}?access_token=SECRET-IN-QUERY&topic=/demo/ticker`, {
        headers: { authorization: 'Bearer SECRET-IN-HEADER' },
      }),
    ])
    expect(responses.map((r) => r.status)).toEqual([200, 404])
    expect(await rowWith('GET /ticker 200')).toMatch(/info GET \/ticker 200 \d/)
    expect(await rowWith(marker)).toMatch(
      new RegExp(`warn GET /${marker}\\?access_token=\\*\\*\\*&topic=/demo/ticker 404 \\d`),
    )
    // The marker's row is on screen now: the view empties only once this filter applies, and
    // only if no line the page holds carries a secret.
    await page.fill('#filter', 'SECRET-IN')
    await page.waitForFunction(() => document.body.dataset.rows === '0')
  })

  it('shows the demos publishing (the ticker)', async () => {
    expect(await rowWith('publish /demo/ticker')).toMatch(/info publish \/demo\/ticker \(tick\)/)
  })

  it("shows the server's own log (pino's JSON lines)", async () => {
    expect(await rowWith('"msg":"serving"')).toContain('"name":"sprinkler-serve"')
  })

  it('lists its three sources: requests, demos and the server log', async () => {
    await page.waitForFunction(() => document.querySelectorAll('#source option').length === 4)
    const options = await page.$$eval('#source option', (o) => o.map((e) => e.textContent))
    expect(options.slice(1)).toEqual(['requests', 'demos', 'server'])
  })
})
