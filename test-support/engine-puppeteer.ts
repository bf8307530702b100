// Chromium over CDP and Firefox over WebDriver BiDi, both through puppeteer-core (which never
// downloads a browser). Firefox needs no geckodriver this way, and no extra flags as root.
import { mkdir } from 'node:fs/promises'
import { dirname } from 'node:path'
import puppeteer, { type Page } from 'puppeteer-core'
import {
  CHROMIUM_ARGS,
  CHROMIUM_PATH,
  type Engine,
  FIREFOX_PATH,
  pollUntil,
  type Tab,
} from './browser.js'

export async function launchPuppeteer(name: 'chromium' | 'firefox'): Promise<Engine> {
  const browser = await puppeteer.launch(
    name === 'chromium'
      ? { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true }
      : { browser: 'firefox', executablePath: FIREFOX_PATH, headless: true },
  )
  const pid = browser.process()?.pid
  // "HeadlessChrome/156.0.8078.108" or "firefox/153.8.0esr".
  const [, number] = (await browser.version()).split('/')
  const version = `${name === 'chromium' ? 'Chromium' : 'Firefox'} ${number}`
  return {
    name,
    version,
    newTab: async (url) => {
      const tab = puppeteerTab(await browser.newPage())
      if (url) await tab.goto(url)
      return tab
    },
    close: async () => {
      await browser.close().catch(() => undefined)
      // puppeteer waits for the process; this only matters if closing failed half-way.
      if (pid !== undefined) killQuietly(pid)
    },
  }
}

function puppeteerTab(page: Page): Tab {
  let errors: string[] = []
  page.on('pageerror', (error) => errors.push(String(error)))
  page.on('console', (message) => {
    // The browser's own request for a favicon is not the page's.
    const favicon = message.location().url?.endsWith('/favicon.ico')
    if (message.type() === 'error' && !favicon) errors.push(message.text())
  })
  const tab: Tab = {
    goto: async (url) => {
      errors = []
      await page.goto(url, { waitUntil: 'load' })
    },
    evaluate: (fn, arg) => page.evaluate(fn as (arg: unknown) => never, arg),
    waitFor: (fn, arg, timeoutMs) => pollUntil(tab, fn, arg, timeoutMs),
    screenshot: async (path) => {
      await mkdir(dirname(path), { recursive: true })
      await page.screenshot({ path: path as `${string}.png` })
    },
    errors: async () => [...errors],
    close: async () => {
      if (!page.isClosed()) await page.close()
    },
    get closed() {
      return page.isClosed()
    },
  }
  return tab
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL')
  } catch {
    // Already gone: the usual case.
  }
}
