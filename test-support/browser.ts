/**
 * The one way tests drive real browsers: Chromium, Firefox and WebKit from Debian packages
 * (nothing is downloaded), behind one small interface. `describeEngines` runs a block once per
 * engine that `BROWSERS` selects, `useEngine(name)` / `launch(name)` start one, and its tabs go
 * to a page, evaluate, wait for a condition, screenshot and close. Chromium and Firefox are
 * driven by puppeteer-core (CDP and WebDriver BiDi; no geckodriver), WebKitGTK by
 * WebKitWebDriver under an Xvfb the helper starts itself.
 *
 * A missing engine cannot run its tests. Under CI (`CI` set) that is an error that fails the
 * run loudly, so a green run never hides a missing install; elsewhere the tests are skipped
 * with a message saying what to install.
 *
 * Older entry points, kept for the tests that use them: `describeBrowser` + `launchChromium()`
 * (Chromium through playwright-core).
 */
import { existsSync, readdirSync } from 'node:fs'
import { type Browser, chromium } from 'playwright-core'
import { afterAll, beforeAll, describe } from 'vitest'

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

export const ENGINES = ['chromium', 'firefox', 'webkit'] as const
export type EngineName = (typeof ENGINES)[number]

/** A running browser: launch it once per test file, close it in `afterAll`. */
export interface Engine {
  readonly name: EngineName
  /** Product and version, e.g. `Firefox 153.8.0esr`, for reports and the support table. */
  readonly version: string
  /** A new tab (in one shared profile: same cookies, storage, locks), at `url` if given. */
  newTab(url?: string): Promise<Tab>
  /** Ends the browser and every process the helper started for it. */
  close(): Promise<void>
}

/** One tab. Functions given to `evaluate`/`waitFor` run in the page: no closures, JSON in and out. */
export interface Tab {
  /** Navigates and waits for the `load` event. */
  goto(url: string): Promise<void>
  evaluate<R, A = undefined>(fn: (arg: A) => R | Promise<R>, arg?: A): Promise<Awaited<R>>
  /** Polls `fn` in the page until it returns something truthy; throws after `timeoutMs`. */
  waitFor<A = undefined>(fn: (arg: A) => unknown, arg?: A, timeoutMs?: number): Promise<void>
  /** A PNG of the viewport; missing folders are made. */
  screenshot(path: string): Promise<void>
  /**
   * Uncaught errors and `console.error` messages since the last `goto`. (WebKit: only those
   * after the `load` event, since WebKitWebDriver gives no access to the console.)
   */
  errors(): Promise<string[]>
  close(): Promise<void>
  readonly closed: boolean
}

const MULTIARCH_LIBS = readdirSync('/usr/lib').filter((name) => name.endsWith('-linux-gnu'))
export const FIREFOX_PATH = '/usr/bin/firefox-esr'
export const WEBKIT_DRIVER_PATH = '/usr/bin/WebKitWebDriver'
export const XVFB_PATH = '/usr/bin/Xvfb'
export const MINIBROWSER_PATH =
  MULTIARCH_LIBS.map((lib) => `/usr/lib/${lib}/webkit2gtk-4.1/MiniBrowser`).find(existsSync) ??
  '/usr/lib/<multiarch>/webkit2gtk-4.1/MiniBrowser'

/** What each engine needs on disk, and the Debian packages that install it. */
const ENGINE_BINARIES: Record<EngineName, { paths: string[]; apt: string }> = {
  chromium: { paths: [CHROMIUM_PATH], apt: 'chromium' },
  firefox: { paths: [FIREFOX_PATH], apt: 'firefox-esr' },
  webkit: {
    paths: [WEBKIT_DRIVER_PATH, XVFB_PATH, MINIBROWSER_PATH],
    apt: 'webkit2gtk-driver xvfb',
  },
}

export function engineInstalled(name: EngineName): boolean {
  return ENGINE_BINARIES[name].paths.every((path) => existsSync(path))
}

/** Which engines to run, which to skip (and why), or why the run must fail. */
export interface EngineSelection {
  run: EngineName[]
  skipped: { name: EngineName; reason: string }[]
  /** Set when tests must fail instead: a missing engine under CI, or an unknown name. */
  fail?: string
}

/**
 * `BROWSERS` (comma- or space-separated, e.g. `chromium,webkit`) picks engines; unset means all
 * three. An engine that is not installed fails the run under CI (`CI` set), so a green run never
 * hides a missing install; elsewhere it is skipped and the reason says what to install.
 */
export function selectEngines(
  env: Record<string, string | undefined> = process.env,
  installed: (name: EngineName) => boolean = engineInstalled,
): EngineSelection {
  const asked = (env.BROWSERS ?? '').split(/[\s,]+/).filter(Boolean)
  const unknown = asked.filter((name) => !(ENGINES as readonly string[]).includes(name))
  if (unknown.length > 0) {
    return { run: [], skipped: [], fail: `BROWSERS names unknown engines: ${unknown.join(', ')}` }
  }
  const wanted = asked.length > 0 ? (asked as EngineName[]) : [...ENGINES]
  const selection: EngineSelection = { run: [], skipped: [] }
  const missing: string[] = []
  for (const name of new Set(wanted)) {
    if (installed(name)) {
      selection.run.push(name)
      continue
    }
    const reason = `${name} is not installed (apt-get install ${ENGINE_BINARIES[name].apt})`
    missing.push(reason)
    selection.skipped.push({ name, reason })
  }
  if (env.CI && missing.length > 0) {
    return { run: [], skipped: [], fail: `${missing.join('; ')}; browser tests must run in CI` }
  }
  return selection
}

/**
 * `describe` once per selected engine (`${title} in ${engine}`); skipped engines show as
 * skipped blocks with the reason, and a missing engine under CI throws so the file fails.
 */
export function describeEngines(title: string, body: (name: EngineName) => void): void {
  const { run, skipped, fail } = selectEngines()
  if (fail) throw new Error(`${title}: ${fail}.`)
  for (const { name, reason } of skipped) {
    console.warn(`Skipping "${title}" in ${name}: ${reason}.`)
    describe.skip(`${title} in ${name} (skipped: ${reason})`, () => body(name))
  }
  // Generous bounds, as safety nets only: a busy 2-core machine makes browsers slow.
  for (const name of run) describe(`${title} in ${name}`, { timeout: 60_000 }, () => body(name))
}

/** Launches `name` in `beforeAll` and closes it in `afterAll`; call the result inside tests. */
export function useEngine(name: EngineName): () => Engine {
  let engine: Engine | undefined
  let launching: Promise<Engine> | undefined
  beforeAll(async () => {
    launching = launch(name)
    engine = await launching
  }, 120_000)
  afterAll(async () => {
    // Also a launch that outlived its hook's timeout: its browser must not be left running.
    await launching?.then(
      (started) => started.close(),
      () => undefined,
    )
  })
  return () => {
    if (!engine) throw new Error(`${name} was not launched (did beforeAll fail?)`)
    return engine
  }
}

/** Starts one engine. */
export async function launch(name: EngineName): Promise<Engine> {
  if (name === 'webkit') {
    const { launchWebKit } = await import('./engine-webkit.js')
    return launchWebKit()
  }
  const { launchPuppeteer } = await import('./engine-puppeteer.js')
  return launchPuppeteer(name)
}

/** `waitFor` in terms of `evaluate`: the same polling in every engine. */
export async function pollUntil<A>(
  tab: Pick<Tab, 'evaluate'>,
  fn: (arg: A) => unknown,
  arg: A | undefined,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (await tab.evaluate(fn, arg)) return
    if (Date.now() > deadline) {
      throw new Error(`waitFor: still false after ${timeoutMs} ms: ${String(fn)}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}
