// WebKitGTK's MiniBrowser through WebKitWebDriver (W3C WebDriver classic, spoken over fetch),
// under an Xvfb started here: MiniBrowser is a GTK app with no headless mode. Every process
// started here is ended by PID on close, and on process exit if a test run dies first.
import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdir, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { dirname } from 'node:path'
import {
  type Engine,
  MINIBROWSER_PATH,
  pollUntil,
  type Tab,
  WEBKIT_DRIVER_PATH,
  XVFB_PATH,
} from './browser.js'

/** Without a display, `POST /session` hangs instead of failing: every command has a bound. */
const COMMAND_TIMEOUT_MS = 30_000
const ERRORS_KEY = '__engineErrors'

export async function launchWebKit(): Promise<Engine> {
  const children: ChildProcess[] = []
  try {
    const xvfb = spawnOwned(
      children,
      XVFB_PATH,
      ['-displayfd', '3', '-screen', '0', '1280x800x24', '-nolisten', 'tcp'],
      { stdio: ['ignore', 'ignore', 'ignore', 'pipe'] },
    )
    // -displayfd: Xvfb picks a free display number and writes it to fd 3 once it is ready.
    const display = await firstLine(xvfb, 3)
    const base = await startDriver(children, `:${display}`)
    const session = await command(base, 'POST', '/session', {
      capabilities: {
        alwaysMatch: {
          // The driver matches browserName against the binary's basename.
          browserName: 'MiniBrowser',
          'webkitgtk:browserOptions': { binary: MINIBROWSER_PATH, args: ['--automation'] },
        },
      },
    })
    return await webkitEngine(base, session as WebDriverSession, children)
  } catch (error) {
    await endAll(children)
    throw error
  }
}

interface WebDriverSession {
  sessionId: string
  capabilities: { browserVersion: string }
}

async function webkitEngine(
  base: string,
  { sessionId, capabilities }: WebDriverSession,
  children: ChildProcess[],
): Promise<Engine> {
  const session = `/session/${sessionId}`
  // The session's first window stays blank and open: closing a session's last window ends it.
  const home = (await command(base, 'GET', `${session}/window`)) as string
  // WebDriver addresses one window at a time: commands are queued and switch windows as needed.
  let queue: Promise<unknown> = Promise.resolve()
  let current = home
  const run = <T>(handle: string, step: () => Promise<T>): Promise<T> => {
    const next = queue.then(async () => {
      if (current !== handle) {
        await command(base, 'POST', `${session}/window`, { handle })
        current = handle
      }
      return step()
    })
    queue = next.catch(() => undefined)
    return next
  }
  let closed = false

  const newTab = async (url?: string): Promise<Tab> => {
    const { handle } = (await run(home, () =>
      command(base, 'POST', `${session}/window/new`, { type: 'window' }),
    )) as { handle: string }
    let tabClosed = false
    const evaluate: Tab['evaluate'] = (fn, arg) =>
      run(handle, async () => {
        const result = (await command(base, 'POST', `${session}/execute/async`, {
          script: `const [arg, done] = arguments;
Promise.resolve().then(() => (${String(fn)})(arg)).then(
  (value) => done({ value }),
  (error) => done({ error: String((error && error.stack) || error) }))`,
          args: [arg ?? null],
        })) as { value?: unknown; error?: string }
        if (result.error !== undefined) throw new Error(`evaluate in WebKit: ${result.error}`)
        return result.value as never
      })
    const tab: Tab = {
      goto: async (url) => {
        await run(handle, () => command(base, 'POST', `${session}/url`, { url }))
        // No console access in WebDriver classic: record errors from here on, in the page.
        await evaluate((key: string) => {
          const errors: string[] = []
          const w = window as unknown as Record<string, string[]>
          w[key] = errors
          window.addEventListener('error', (event) => errors.push(String(event.message)))
          window.addEventListener('unhandledrejection', (event) =>
            errors.push(String(event.reason)),
          )
          const original = console.error
          console.error = (...args: unknown[]) => {
            errors.push(args.map(String).join(' '))
            original.apply(console, args)
          }
        }, ERRORS_KEY)
      },
      evaluate,
      waitFor: (fn, arg, timeoutMs) => pollUntil(tab, fn, arg, timeoutMs),
      screenshot: async (path) => {
        const png = await run(handle, () => command(base, 'GET', `${session}/screenshot`))
        await mkdir(dirname(path), { recursive: true })
        await writeFile(path, Buffer.from(png as string, 'base64'))
      },
      errors: () =>
        evaluate(
          (key: string) => [...((window as unknown as Record<string, string[]>)[key] ?? [])],
          ERRORS_KEY,
        ),
      close: async () => {
        if (tabClosed) return
        tabClosed = true
        await run(handle, () => command(base, 'DELETE', `${session}/window`))
        current = '' // that window is gone: the next command switches
      },
      get closed() {
        return tabClosed
      },
    }
    if (url) await tab.goto(url)
    return tab
  }

  return {
    name: 'webkit',
    version: `WebKitGTK ${capabilities.browserVersion}`,
    newTab,
    close: async () => {
      if (closed) return
      closed = true
      await queue
      // Ends MiniBrowser; if that fails, killing the driver and X takes it down too.
      await command(base, 'DELETE', session).catch(() => undefined)
      await endAll(children)
    },
  }
}

/** Starts WebKitWebDriver on a free loopback port and waits until it answers. */
async function startDriver(children: ChildProcess[], display: string): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort()
    const driver = spawnOwned(
      children,
      WEBKIT_DRIVER_PATH,
      [`--port=${port}`, '--host=127.0.0.1'],
      {
        env: { ...process.env, DISPLAY: display },
        stdio: 'ignore',
      },
    )
    const base = `http://127.0.0.1:${port}`
    const deadline = Date.now() + 10_000
    while (driver.exitCode === null && Date.now() < deadline) {
      const ready = await fetch(`${base}/status`).then(
        (response) => response.ok,
        () => false,
      )
      if (ready) return base
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    await endAll([driver])
    // Another process took the port between freePort() and the driver's bind: try another.
    if (attempt === 3) throw new Error('WebKitWebDriver did not start on 127.0.0.1')
  }
}

/** One WebDriver command; its `value`, or an Error with the driver's message. */
async function command(
  base: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<unknown> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(COMMAND_TIMEOUT_MS),
  })
  const { value } = (await response.json()) as { value: unknown }
  if (!response.ok) {
    const { error, message } = value as { error: string; message: string }
    throw new Error(`WebDriver ${method} ${path}: ${error}: ${message}`)
  }
  return value
}

// Children of this process that are still running: ended when the process exits, should a
// test run die before its `afterAll`.
const running = new Set<ChildProcess>()
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL')
})

function spawnOwned(
  children: ChildProcess[],
  file: string,
  args: string[],
  options: Parameters<typeof spawn>[2],
): ChildProcess {
  const child = spawn(file, args, options)
  children.push(child)
  running.add(child)
  child.once('exit', () => running.delete(child))
  return child
}

/** The first line a child writes to file descriptor `fd`. */
async function firstLine(child: ChildProcess, fd: number): Promise<string> {
  const stream = child.stdio[fd]
  if (!stream) throw new Error(`no fd ${fd}`)
  let text = ''
  const exited = once(child, 'exit').then(() => {
    throw new Error(`${child.spawnfile} exited before it was ready`)
  })
  const line = new Promise<string>((resolve) => {
    stream.on('data', (chunk) => {
      text += chunk
      if (text.includes('\n')) resolve(text.trim())
    })
  })
  return Promise.race([line, exited])
}

/** Ends each child by PID (TERM, then KILL after 5 s) and waits for its exit, newest first. */
async function endAll(children: ChildProcess[]): Promise<void> {
  for (const child of [...children].reverse()) {
    if (child.exitCode !== null || child.signalCode !== null) continue
    const exited = once(child, 'exit')
    child.kill('SIGTERM')
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
    await exited
    clearTimeout(timer)
  }
}

async function freePort(): Promise<number> {
  const server = createServer()
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as { port: number }
  server.close()
  await once(server, 'close')
  return port
}
