import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { describeBrowser, launchChromium } from '../../../test-support/browser.js'
import { type HubProcess, mint, publishOk, SECRET, startHub } from '../test/harness.js'

// The browser's own EventSource against a real `sprinkler hub`, from a page on another origin.
describeBrowser('hub in Chromium with the native EventSource', () => {
  let browser: Browser
  let pages: Server
  let pageOrigin: string
  let hub: HubProcess
  let strictHub: HubProcess
  const contexts: BrowserContext[] = []

  beforeAll(async () => {
    pages = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>app</title>')
    })
    await new Promise<void>((resolve) => pages.listen(0, '127.0.0.1', resolve))
    pageOrigin = `http://127.0.0.1:${(pages.address() as AddressInfo).port}`
    ;[hub, strictHub, browser] = await Promise.all([
      startHub(['--jwt-key', SECRET, '--cors-origin', pageOrigin]),
      startHub(['--jwt-key', SECRET, '--cors-origin', 'https://somewhere.else']),
      launchChromium(),
    ])
  })

  afterAll(async () => {
    for (const c of contexts) await c.close()
    await browser?.close()
    await Promise.all([hub?.stop(), strictHub?.stop()])
    await new Promise((resolve) => pages.close(resolve))
  })

  /** A page on `pageOrigin` with the hub cookie set, subscribed with `new EventSource`. */
  async function subscribedPage(
    target: HubProcess,
    topic: string | string[],
    token: string,
  ): Promise<Page> {
    const context = await browser.newContext()
    contexts.push(context)
    // Set as the hub would on discovery; same site (127.0.0.1), other origin (port).
    await context.addCookies([
      {
        name: 'mercureAuthorization',
        value: token,
        domain: new URL(target.origin).hostname,
        path: '/.well-known/mercure',
        httpOnly: true,
        sameSite: 'Lax',
      },
    ])
    const page = await context.newPage()
    await page.goto(pageOrigin)
    await page.evaluate(
      ({ hubUrl, topic }) => {
        const w = window as unknown as { got: string[]; errors: number; opened: boolean }
        w.got = []
        w.errors = 0
        w.opened = false
        const url = new URL(hubUrl)
        for (const t of [topic].flat()) url.searchParams.append('topic', t)
        const source = new EventSource(url, { withCredentials: true })
        source.onopen = () => {
          w.opened = true
        }
        source.onmessage = (e) => w.got.push(e.data)
        source.addEventListener('typed', (e) => w.got.push(`typed:${(e as MessageEvent).data}`))
        source.onerror = () => {
          w.errors++
          if (!w.opened) source.close()
        }
      },
      { hubUrl: target.hub, topic },
    )
    return page
  }

  const received = (page: Page) => page.evaluate(() => (window as unknown as { got: string[] }).got)

  it('authenticates by cookie across origins with CORS credentials and receives private updates', async () => {
    const topic = 'https://example.com/browser/private'
    const page = await subscribedPage(hub, topic, await mint({ subscribe: [topic] }))
    await expect
      .poll(() => page.evaluate(() => (window as unknown as { opened: boolean }).opened))
      .toBe(true)
    const publisher = await mint({ publish: ['*'] })
    await publishOk(hub.hub, publisher, { topic, data: 'public' })
    await publishOk(hub.hub, publisher, { topic, data: 'private', private: true })
    await publishOk(hub.hub, publisher, { topic, data: 'two\nlines', type: 'typed' })
    await expect.poll(() => received(page)).toEqual(['public', 'private', 'typed:two\nlines'])
  })

  it('matches exact topics, `*` and URI templates, and never sends a non-matching update', async () => {
    const base = 'https://example.com/browser/selectors'
    const token = await mint({})
    const templated = await subscribedPage(hub, [`${base}/books/{id}`, `${base}/news`], token)
    const everything = await subscribedPage(hub, ['*'], token)
    for (const page of [templated, everything]) {
      await expect
        .poll(() => page.evaluate(() => (window as unknown as { opened: boolean }).opened))
        .toBe(true)
    }
    const publisher = await mint({ publish: ['*'] })
    await publishOk(hub.hub, publisher, { topic: `${base}/books/1`, data: 'book 1' })
    await publishOk(hub.hub, publisher, { topic: `${base}/books/1/reviews`, data: 'review' })
    await publishOk(hub.hub, publisher, { topic: `${base}/authors/1`, data: 'author' })
    await publishOk(hub.hub, publisher, { topic: `${base}/news`, data: 'news' })
    await expect.poll(() => received(everything)).toEqual(['book 1', 'review', 'author', 'news'])
    // In order on one stream: once 'news' is there, anything published before it would be too.
    await expect.poll(() => received(templated)).toEqual(['book 1', 'news'])
  })

  it('gives a page without a cookie public updates only', async () => {
    const topic = 'https://example.com/browser/mixed'
    const context = await browser.newContext()
    contexts.push(context)
    const page = await context.newPage()
    await page.goto(pageOrigin)
    // No cookie and no --anonymous: the hub refuses, and the browser reports an error.
    await page.evaluate((url) => {
      const w = window as unknown as { failed: boolean }
      const source = new EventSource(`${url}?topic=x`, { withCredentials: true })
      source.onerror = () => {
        w.failed = source.readyState === EventSource.CLOSED
      }
    }, hub.hub)
    await expect
      .poll(() => page.evaluate(() => (window as unknown as { failed?: boolean }).failed))
      .toBe(true)
    const tokenless = await subscribedPage(hub, topic, await mint({}))
    await expect
      .poll(() => tokenless.evaluate(() => (window as unknown as { opened: boolean }).opened))
      .toBe(true)
    const publisher = await mint({ publish: ['*'] })
    await publishOk(hub.hub, publisher, { topic, data: 'secret', private: true })
    await publishOk(hub.hub, publisher, { topic, data: 'public' })
    await expect.poll(() => received(tokenless)).toEqual(['public'])
  })

  it('does not let a page on an origin outside --cors-origin read the stream', async () => {
    const topic = 'https://example.com/browser/cors'
    const page = await subscribedPage(strictHub, topic, await mint({ subscribe: [topic] }))
    await expect
      .poll(() => page.evaluate(() => (window as unknown as { errors: number }).errors))
      .toBeGreaterThan(0)
    expect(await page.evaluate(() => (window as unknown as { opened: boolean }).opened)).toBe(false)
  })
})
