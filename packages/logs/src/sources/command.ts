import { type ChildProcess, spawn } from 'node:child_process'
import type { SourceSink } from '../feed.js'
import { LineSplitter } from '../line-splitter.js'
import type { Source } from './source.js'

export type RestartPolicy = 'never' | 'on-failure' | 'always'

export interface RunCommandOptions {
  /** When to start the command again after it ends. Default `never`. */
  restart?: RestartPolicy
  /** First restart delay; doubled after each quick failure. Default 1 000 ms. */
  initialDelayMs?: number
  /** Longest restart delay. Default 30 000 ms. */
  maxDelayMs?: number
  /** A run at least this long resets the delay to `initialDelayMs`. Default 10 000 ms. */
  healthyAfterMs?: number
  /** How long `close()` waits after SIGTERM before SIGKILL. Default 2 000 ms. */
  killAfterMs?: number
}

/**
 * Runs `command` through the shell and streams its stdout and stderr, line by line, into
 * their own sources. Each start and exit is a status of the stdout source (`started` with
 * its pid, `exited` with its code or signal, `restarting` with the delay). The process runs in
 * its own process group, so `close()` ends the command and whatever it started.
 */
export function runCommand(
  stdout: SourceSink,
  stderr: SourceSink,
  command: string,
  options: RunCommandOptions = {},
): Source {
  const runner = new CommandRunner(stdout, stderr, command, options)
  runner.start()
  return runner
}

class CommandRunner implements Source {
  readonly #out: SourceSink
  readonly #err: SourceSink
  readonly #command: string
  readonly #options: Required<RunCommandOptions>
  #child: ChildProcess | undefined
  #exited: Promise<void> = Promise.resolve()
  #restartTimer: NodeJS.Timeout | undefined
  #quickFailures = 0
  #closed = false

  constructor(out: SourceSink, err: SourceSink, command: string, options: RunCommandOptions) {
    this.#out = out
    this.#err = err
    this.#command = command
    this.#options = {
      restart: options.restart ?? 'never',
      initialDelayMs: options.initialDelayMs ?? 1000,
      maxDelayMs: options.maxDelayMs ?? 30_000,
      healthyAfterMs: options.healthyAfterMs ?? 10_000,
      killAfterMs: options.killAfterMs ?? 2000,
    }
  }

  start(): void {
    this.#restartTimer = undefined
    if (this.#closed) return
    const startedAt = performance.now()
    const child = spawn(this.#command, {
      shell: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    })
    this.#child = child
    const outLines = new LineSplitter(this.#out.maxLineBytes, this.#out.line)
    const errLines = new LineSplitter(this.#err.maxLineBytes, this.#err.line)
    child.stdout?.on('data', (chunk: Buffer) => outLines.push(chunk))
    child.stderr?.on('data', (chunk: Buffer) => errLines.push(chunk))
    if (child.pid !== undefined) this.#out.status({ state: 'started', pid: child.pid })
    this.#exited = new Promise((resolve) => {
      // 'close' comes after both pipes ended, so every line is in before `exited`.
      child.once('close', (code, signal) => {
        outLines.end()
        errLines.end()
        this.#child = undefined
        this.#out.status({ state: 'exited', code, signal })
        this.#ended(code === 0 && signal === null, performance.now() - startedAt)
        resolve()
      })
      child.once('error', (error: NodeJS.ErrnoException) => {
        // Could not start (no shell, too many processes): no 'close' follows.
        if (child.pid !== undefined) return
        this.#child = undefined
        this.#out.status({ state: 'exited', code: null, signal: null, reason: error.code })
        this.#ended(false, 0)
        resolve()
      })
    })
  }

  async close(): Promise<void> {
    this.#closed = true
    clearTimeout(this.#restartTimer)
    const child = this.#child
    if (child?.pid !== undefined) {
      this.#signal(child.pid, 'SIGTERM')
      const kill = setTimeout(
        () => this.#signal(child.pid as number, 'SIGKILL'),
        this.#options.killAfterMs,
      )
      await this.#exited
      clearTimeout(kill)
    }
  }

  /** Signals the command's process group (it and what it started), by its id. */
  #signal(pid: number, signal: NodeJS.Signals): void {
    try {
      process.kill(-pid, signal)
    } catch {
      // Already gone.
    }
  }

  #ended(succeeded: boolean, ranMs: number): void {
    const { restart, initialDelayMs, maxDelayMs, healthyAfterMs } = this.#options
    if (this.#closed || restart === 'never' || (restart === 'on-failure' && succeeded)) return
    this.#quickFailures = ranMs >= healthyAfterMs ? 0 : this.#quickFailures + 1
    const delayMs = Math.min(maxDelayMs, initialDelayMs * 2 ** Math.max(0, this.#quickFailures - 1))
    this.#out.status({ state: 'restarting', delayMs })
    this.#restartTimer = setTimeout(() => this.start(), delayMs)
  }
}
