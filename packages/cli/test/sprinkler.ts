import { type ChildProcess, spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

/** The CLI from source, as `npm start` runs it. */
export const BIN = fileURLToPath(new URL('../src/bin.ts', import.meta.url))
const NODE_ARGS = ['--conditions=sprinkler-source', '--import', 'tsx', BIN]

export interface Finished {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

/** Runs `sprinkler …args` to the end (killed after `timeoutMs`), with `input` on stdin. */
export function runSprinkler(
  args: string[],
  options: { input?: string; env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<Finished> {
  const child = spawn(process.execPath, [...NODE_ARGS, ...args], {
    env: { ...process.env, ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 20_000)
  child.stdin.end(options.input ?? '')
  return collect(child).finally(() => clearTimeout(timer))
}

export interface Running {
  /** `http://127.0.0.1:PORT`, from the `listening on` line. */
  url: string
  child: ChildProcess
  stdout(): string
  stderr(): string
  /** Resolves when stdout or stderr contains `text`. */
  waitFor(text: string | RegExp, stream?: 'stdout' | 'stderr'): Promise<void>
  /** Resolves when the process ends by itself. */
  finished: Promise<Finished>
  /** SIGTERM to this process (by PID), then its exit. */
  stop(): Promise<Finished>
}

const running = new Set<ChildProcess>()

/** Kills (by PID) every process started here that is still running: for `afterAll`. */
export async function stopAll(): Promise<void> {
  await Promise.all(
    [...running].map((child) => {
      const closed = new Promise((resolve) => child.once('close', resolve))
      child.kill('SIGKILL')
      return closed
    }),
  )
}

/** Starts a long-running command (`serve`, `hub`, `listen`) and keeps its output. */
export function startSprinkler(args: string[], env: Record<string, string> = {}): Running {
  const child = spawn(process.execPath, [...NODE_ARGS, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const finished = collect(child)
  running.add(child)
  void finished.then(() => running.delete(child))
  const out = { stdout: '', stderr: '' }
  const waiters = new Set<() => void>()
  for (const name of ['stdout', 'stderr'] as const) {
    child[name]?.on('data', (chunk: Buffer) => {
      out[name] += chunk.toString()
      for (const check of waiters) check()
    })
  }
  const waitFor = (text: string | RegExp, stream: 'stdout' | 'stderr' = 'stdout') =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        const seen = out[stream]
        if (typeof text === 'string' ? seen.includes(text) : text.test(seen)) {
          waiters.delete(check)
          resolve()
        }
      }
      waiters.add(check)
      check()
      finished.then((result) => {
        if (!waiters.has(check)) return
        waiters.delete(check)
        reject(
          new Error(
            `sprinkler ${args.join(' ')} exited (${result.code ?? result.signal}) before printing ${text}:\n${result.stderr}`,
          ),
        )
      })
    })
  return {
    url: '',
    child,
    stdout: () => out.stdout,
    stderr: () => out.stderr,
    waitFor,
    finished,
    stop: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
      return finished
    },
  }
}

/** Starts a server command with `--port 0` and resolves once it printed its URL. */
export async function startServer(
  args: string[],
  env: Record<string, string> = {},
): Promise<Running> {
  const server = startSprinkler([...args, '--port', '0'], env)
  try {
    await server.waitFor(/^listening on \S+\n/)
  } catch (error) {
    await server.stop()
    throw error
  }
  const url = /^listening on (\S+)/.exec(server.stdout())?.[1] as string
  return { ...server, url }
}

function collect(child: ChildProcess): Promise<Finished> {
  let stdout = ''
  let stderr = ''
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString()
  })
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString()
  })
  return new Promise((resolve) =>
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  )
}
