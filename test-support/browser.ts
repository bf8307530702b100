/**
 * The one way tests drive a real browser: Debian's Chromium through playwright-core (which
 * never downloads a browser). Use `describeBrowser` instead of `describe` for browser tests
 * and `launchChromium()` in `beforeAll` (close it in `afterAll`).
 *
 * When Chromium is missing the tests cannot run. Under CI (`CI` set) that is an error that
 * fails the run loudly, so a green run never hides a missing install; elsewhere the tests are
 * skipped with a message saying why.
 */
import { existsSync } from 'node:fs'
import { type Browser, chromium } from 'playwright-core'
import { describe } from 'vitest'

export const CHROMIUM_PATH = '/usr/bin/chromium'

/** Root needs --no-sandbox; the rest keeps Chromium quiet and off the network. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
  '--disable-quic',
]

export const chromiumAvailable: boolean = existsSync(CHROMIUM_PATH)

/** What to do with browser tests: run them, skip them (with why), or fail (with why). */
export type BrowserTestMode = { run: true } | { run: false; fail: boolean; reason: string }

export function browserTestMode(
  available = chromiumAvailable,
  env: Record<string, string | undefined> = process.env,
): BrowserTestMode {
  if (available) return { run: true }
  const reason = `Chromium is not installed at ${CHROMIUM_PATH} (apt-get install chromium)`
  return { run: false, fail: Boolean(env.CI), reason }
}

/**
 * `describe` for tests that need Chromium. Missing Chromium: throws under CI, so the test file
 * fails; otherwise the block is skipped and a warning says why.
 */
export function describeBrowser(name: string, body: () => void): void {
  const mode = browserTestMode()
  if (mode.run) {
    describe(name, body)
    return
  }
  if (mode.fail) throw new Error(`${name}: ${mode.reason}; browser tests must run in CI.`)
  console.warn(`Skipping browser tests "${name}": ${mode.reason}.`)
  describe.skip(`${name} (skipped: ${mode.reason})`, body)
}

/** A headless Chromium; close it in `afterAll`. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true })
}
