import { appendFileSync } from 'node:fs'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { describeBrowser, launchChromium } from '../../../test-support/browser.js'
import { LogFeed, type SourceSink } from '../src/feed.js'
import {
  type FollowedFile,
  followedFile,
  openLivePage,
  type ServedPage,
  servePage,
} from './serve-page.js'

describeBrowser('the log terminal page in Chromium', () => {
  let browser: Browser
  let served: ServedPage
  let file: FollowedFile
  let feed: LogFeed
  let direct: SourceSink
  let page: Page

  beforeAll(async () => {
    feed = new LogFeed()
    file = followedFile(feed)
    direct = feed.addSource({ name: 'direct', kind: 'stdin' })
    served = await servePage({ feed })
    browser = await launchChromium()
    page = await openLivePage(browser, served.url)
  })

  afterAll(async () => {
    await browser?.close()
    await file?.close()
    await served?.close()
  })

  /** The text of every rendered row (label and line). */
  const rowTexts = () =>
    page.$$eval('#rows .row', (rows) => rows.map((row) => row.textContent ?? ''))

  const waitForRow = (text: string) =>
    page.waitForFunction(
      (wanted) =>
        [...document.querySelectorAll('#rows .row')].some((r) => r.textContent?.includes(wanted)),
      text,
    )

  it('shows markup, event handlers and javascript: links in log lines as text, never as HTML', async () => {
    const hostile = [
      '<script>window.__pwned = 1</script>',
      '<img src=x onerror="window.__pwned = 2">',
      '<a href="javascript:window.__pwned=3">click me</a>',
      '\u001b[31m<b>red bold?</b>\u001b[0m',
    ]
    appendFileSync(file.path, `${hostile.join('\n')}\n`)
    await waitForRow('click me')
    const texts = await rowTexts()
    for (const line of hostile.slice(0, 3)) expect(texts.some((t) => t.includes(line))).toBe(true)
    expect(texts.some((t) => t.includes('<b>red bold?</b>'))).toBe(true)
    const injected = await page.evaluate(() => ({
      pwned: (window as unknown as { __pwned?: number }).__pwned,
      elements: document.querySelectorAll('#rows script, #rows img, #rows a, #rows b').length,
    }))
    expect(injected).toEqual({ pwned: undefined, elements: 0 })
  })

  it('renders ANSI colours as styled spans', async () => {
    appendFileSync(
      file.path,
      '\u001b[32mgreen text\u001b[0m plain \u001b[1;38;5;196mpalette\u001b[0m\n',
    )
    await waitForRow('green text')
    const spans = await page.$$eval('#rows span', (all) =>
      all
        .filter((s) => ['green text', 'palette'].includes(s.textContent ?? ''))
        .map((s) => ({
          text: s.textContent,
          className: s.className,
          color: getComputedStyle(s).color,
        })),
    )
    expect(spans[0]).toMatchObject({ text: 'green text', className: 'ansi-green-fg' })
    expect(spans[1]).toMatchObject({
      text: 'palette',
      className: 'ansi-bold',
      color: 'rgb(255, 0, 0)',
    })
    // The escape codes themselves are not shown.
    expect((await rowTexts()).some((t) => t.includes('\u001b') || t.includes('[32m'))).toBe(false)
  })

  /** Waits until the shown rows are exactly `want` (source label stripped), in order. */
  const waitForRowTexts = (want: string[]) =>
    page.waitForFunction((expected) => {
      const rows = [...document.querySelectorAll('#rows .row')].map((row) =>
        (row.textContent ?? '').replace(/^direct/, ''),
      )
      return rows.length === expected.length && expected.every((text, i) => rows[i] === text)
    }, want)

  it('filters by substring, by regex (case, invert), by level, and highlights', async () => {
    for (const line of ['ERROR disk full', 'WARN disk slow', 'INFO all good', 'debug: cache hit']) {
      direct.line(line, line.length)
    }
    await waitForRow('cache hit')
    await page.fill('#filter', 'disk')
    await waitForRowTexts(['ERROR disk full', 'WARN disk slow'])
    expect((await rowTexts()).map((t) => t.replace(/^direct/, ''))).toEqual([
      'ERROR disk full',
      'WARN disk slow',
    ])
    await page.check('#regex')
    await page.fill('#filter', '^(INFO|debug)')
    // Wait for these rows, not for a count: the previous filter also showed two.
    await waitForRowTexts(['INFO all good', 'debug: cache hit'])
    expect((await rowTexts()).map((t) => t.replace(/^direct/, ''))).toEqual([
      'INFO all good',
      'debug: cache hit',
    ])
    await page.check('#case')
    await page.fill('#filter', '^DEBUG')
    await page.waitForFunction(() => document.querySelectorAll('#rows .row').length === 0)
    await page.uncheck('#case')
    await page.uncheck('#regex')
    await page.fill('#filter', 'disk')
    await page.check('#invert')
    await page.waitForFunction(() =>
      [...document.querySelectorAll('#rows .row')].every((r) => !r.textContent?.includes('disk')),
    )
    expect((await rowTexts()).some((t) => t.includes('cache hit'))).toBe(true)
    await page.uncheck('#invert')
    // Level filter: errors off, filter text cleared: the error line goes, the others stay.
    await page.fill('#filter', '')
    await page.uncheck('#level-error')
    await page.waitForFunction(
      () =>
        ![...document.querySelectorAll('#rows .row')].some((r) =>
          r.textContent?.includes('disk full'),
        ),
    )
    expect((await rowTexts()).some((t) => t.includes('disk slow'))).toBe(true)
    await page.check('#level-error')
    // Highlight: every line shown, the matching ones marked.
    await page.selectOption('#mode', 'highlight')
    await page.fill('#filter', 'disk')
    await page.waitForFunction(() => document.querySelectorAll('#rows .row.match').length === 2)
    expect((await rowTexts()).length).toBeGreaterThan(2)
    expect(await page.$eval('#rows .row.level-error', (r) => r.textContent)).toContain('disk full')
    await page.selectOption('#mode', 'filter')
    await page.fill('#filter', '')
  })

  it('jumps from a match to its context', async () => {
    await page.fill('#filter', 'disk full')
    await page.waitForFunction(() => document.querySelectorAll('#rows .row').length === 1)
    await page.click('#rows .row')
    await page.waitForSelector('#detail:not([hidden])')
    expect(await page.textContent('#detail-text')).toBe('ERROR disk full')
    await page.click('#context')
    // Every line again, the match marked and selected, with its neighbours around it.
    await waitForRow('WARN disk slow')
    expect(await page.$eval('#rows .row.selected', (r) => r.textContent)).toContain('disk full')
    expect(await page.$eval('#rows .row.match', (r) => r.textContent)).toContain('disk full')
    await page.click('#close-detail')
    await page.selectOption('#mode', 'filter')
    await page.fill('#filter', '')
  })

  it('pause holds the screen while lines keep arriving; resume catches up', async () => {
    await page.click('#pause')
    const before = Number(await page.getAttribute('body', 'data-rows'))
    direct.line('arrived while paused', 20)
    // The worker has it (its state says so) but the screen does not show it.
    await page.waitForFunction((n) => Number(document.body.dataset.rows) > n, before)
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(resolve)))
    expect((await rowTexts()).some((t) => t.includes('arrived while paused'))).toBe(false)
    await page.click('#pause')
    await waitForRow('arrived while paused')
  })

  it('follows the end until the user scrolls up, and follows again at the bottom', async () => {
    const following = () => page.getAttribute('#follow', 'aria-pressed')
    /** Whether the row holding `text` is rendered inside the visible part of the list. */
    const inView = (text: string) =>
      page.evaluate((wanted) => {
        const box = (document.getElementById('lines') as HTMLElement).getBoundingClientRect()
        return [...document.querySelectorAll('#rows .row')].some((row) => {
          const r = row.getBoundingClientRect()
          return (
            row.textContent?.includes(wanted) && r.top >= box.top - 1 && r.bottom <= box.bottom + 1
          )
        })
      }, text)
    const atEnd = (text: string) =>
      page.waitForFunction((wanted) => {
        const rows = [...document.querySelectorAll('#rows .row')]
        const box = (document.getElementById('lines') as HTMLElement).getBoundingClientRect()
        const last = rows.at(-1)
        return (
          last?.textContent?.includes(wanted) &&
          last.getBoundingClientRect().bottom <= box.bottom + 1
        )
      }, text)
    // (Showing a line in context, earlier, stopped following.)
    await page.click('#follow')
    for (let i = 1; i <= 300; i++) direct.line(`follow ${i}`, 10)
    await atEnd('follow 300')
    expect(await following()).toBe('true')
    // The user scrolls up: following stops, and new lines do not move the view.
    await page.hover('#lines')
    await page.mouse.wheel(0, -1500)
    await page.waitForFunction(() => document.getElementById('follow')?.ariaPressed === 'false')
    const top = await page.$eval('#lines', (el) => el.scrollTop)
    const rows = Number(await page.getAttribute('body', 'data-rows'))
    direct.line('while scrolled up', 17)
    await page.waitForFunction((n) => Number(document.body.dataset.rows) > n, rows)
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(resolve)))
    expect(await page.$eval('#lines', (el) => el.scrollTop)).toBe(top)
    expect(await inView('while scrolled up')).toBe(false)
    // Back at the bottom: following again, and the next line is shown at the end.
    await page.mouse.wheel(0, 100_000)
    await page.waitForFunction(() => document.getElementById('follow')?.ariaPressed === 'true')
    direct.line('after returning', 15)
    await atEnd('after returning')
    expect(await inView('after returning')).toBe(true)
  })

  it('shows when the server read each line with the timestamps toggle, and hides it again', async () => {
    const before = Date.now()
    direct.line('stamped line', 12)
    await waitForRow('stamped line')
    const after = Date.now()
    expect(await page.$$eval('#rows .time', (times) => times.length)).toBe(0)
    await page.check('#timestamps')
    await page.waitForSelector('#rows .time')
    const shown = await page.$$eval(
      '#rows .row',
      (rows) =>
        rows.find((r) => r.textContent?.includes('stamped line'))?.querySelector('.time')
          ?.textContent,
    )
    // Local time, to the second: one of the seconds between writing the line and seeing it.
    const two = (n: number) => String(n).padStart(2, '0')
    const seconds: string[] = []
    for (let s = Math.floor(before / 1000); s <= Math.floor(after / 1000); s++) {
      const d = new Date(s * 1000)
      seconds.push(`${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`)
    }
    expect(seconds).toContain(shown)
    await page.uncheck('#timestamps')
    await page.waitForFunction(() => document.querySelectorAll('#rows .time').length === 0)
  })

  it('wraps a long line into rows that fit the width with the wrap toggle, and unwraps', async () => {
    await page.click('#follow')
    const long = `${'#'.repeat(600)}END`
    direct.line(long, long.length)
    await waitForRow('END')
    /** The text (gutter left out) of each row holding part of the long line. */
    const pieces = () =>
      page.$$eval('#rows .row', (rows) =>
        rows
          .map((r) => (r.textContent ?? '').slice(r.querySelector('.gutter')?.textContent?.length))
          .filter((text) => /^#*(END)?$/.test(text) && text !== ''),
      )
    const overflows = () => page.$eval('#lines', (el) => el.scrollWidth > el.clientWidth)
    expect(await pieces()).toEqual([long])
    expect(await overflows()).toBe(true)
    const rows = Number(await page.getAttribute('body', 'data-rows'))
    await page.check('#wrap')
    await page.waitForFunction((n) => Number(document.body.dataset.rows) > n, rows)
    await waitForRow('END')
    const wrapped = await pieces()
    expect(wrapped.length).toBeGreaterThan(1)
    expect(wrapped.join('')).toBe(long)
    expect(await overflows()).toBe(false)
    await page.uncheck('#wrap')
    await page.waitForFunction((n) => Number(document.body.dataset.rows) === n, rows)
    await waitForRow('END')
    expect(await pieces()).toEqual([long])
  })
})
