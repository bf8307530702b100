import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { describeBrowser, launchChromium } from '../../../test-support/browser.js'
import { seededRandom } from '../../../test-support/random.js'
import { LogFeed, type SourceSink } from '../src/feed.js'
import { openLivePage, type ServedPage, servePage } from './serve-page.js'

describeBrowser('the log terminal page across dropped connections, in Chromium', () => {
  const N = 20_000
  const LINE = 'the same line'
  /** A second source (the command's stderr): every event id is a cursor over both. */
  const OTHER = 'the same other line'
  let browser: Browser
  let served: ServedPage
  let feed: LogFeed
  let source: SourceSink
  let other: SourceSink
  let page: Page
  /** Streams the server opened so far. */
  let opened = 0
  const openWaiters: (() => void)[] = []

  beforeAll(async () => {
    feed = new LogFeed({ lines: N, batchMs: 5 })
    source = feed.addSource({ name: 'same', kind: 'command', stream: 'stdout' })
    other = feed.addSource({ name: 'same', kind: 'command', stream: 'stderr' })
    // retry: 1 ms, so the page reconnects at once after each drop; the stream straight from
    // the socket, as `sprinkler logs` serves it.
    served = await servePage({ feed, retryMs: 1 }, { fastPath: true })
    served.app.events.endpoint.addEventListener('open', () => {
      opened++
      for (const wake of openWaiters.splice(0)) wake()
    })
    browser = await launchChromium()
    page = await openLivePage(browser, served.url)
  })

  afterAll(async () => {
    await browser?.close()
    await served?.close()
  })

  /** Resolves once the server has opened `count` streams. */
  const streamsOpened = (count: number) =>
    new Promise<void>((resolve) => {
      if (opened >= count) resolve()
      else openWaiters.push(() => void streamsOpened(count).then(resolve))
    })

  /** Every line the page holds, as its Download button saves them (the worker's buffer). */
  const downloaded = async (): Promise<string> => {
    await page.evaluate(() => {
      const w = window as unknown as { __saved?: Promise<string> }
      URL.createObjectURL = (blob: Blob | MediaSource) => {
        w.__saved = (blob as Blob).text()
        return 'data:,'
      }
    })
    await page.click('#download')
    await page.waitForFunction(() => (window as unknown as { __saved?: unknown }).__saved)
    return page.evaluate(() => (window as unknown as { __saved: Promise<string> }).__saved)
  }

  it('100 seeded-random connection drops during a stream of identical lines: the page holds exactly lines 1..N', async () => {
    const random = seededRandom(13)
    let written = 0
    let others = 0
    for (let drop = 1; drop <= 100; drop++) {
      await streamsOpened(drop)
      const burst = Math.floor(random() * 300)
      for (let i = 0; i < burst && written < N; i++, written++) {
        source.line(LINE, LINE.length)
        if (i % 50 === 0) {
          other.line(OTHER, OTHER.length)
          others++
        }
      }
      // Drop at a seeded-random moment: before, during or after the burst reaches the page.
      await new Promise((resolve) => setTimeout(resolve, random() * 8))
      for (const socket of served.sockets) socket.destroy()
    }
    await streamsOpened(101)
    for (; written < N; written++) source.line(LINE, LINE.length)
    // Every line in, and nothing else: no gap or status rows beside them.
    const total = N + others
    await page.waitForFunction((n) => Number(document.body.dataset.rows) >= n, total, {
      timeout: 60_000,
    })
    expect(Number(await page.getAttribute('body', 'data-rows'))).toBe(total)
    // And the screen followed: its last row, in view at the bottom, is the last line. (A page
    // whose rows could grow the scroll height past the list's end took a scroll event for the
    // user scrolling up, stopped following and stayed at an early line, still "live".)
    await page.waitForFunction((n) => {
      const last = document.querySelector('#rows .row:last-child')
      const box = (document.getElementById('lines') as HTMLElement).getBoundingClientRect()
      const bottom = last?.getBoundingClientRect().bottom ?? 0
      return (
        last?.getAttribute('data-n') === String(n - 1) &&
        bottom <= box.bottom + 1 &&
        bottom > box.bottom - 40
      )
    }, total)
    expect(await page.getAttribute('#follow', 'aria-pressed')).toBe('true')
    expect(await page.textContent('#connection')).toBe('live')
    const held = (await downloaded()).split('\n')
    expect(held.pop()).toBe('')
    expect(held.filter((line) => line === LINE)).toHaveLength(N)
    expect(held.filter((line) => line === OTHER)).toHaveLength(others)
    expect(held).toHaveLength(total)
  }, 120_000)
})
