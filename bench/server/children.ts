/**
 * The parent's side of the child processes: start one with IPC, send it commands and wait for
 * answers (each with a deadline), wait for its events, and kill it by PID — every child is
 * killed when the suite ends, whether it ended well or not.
 */
import { type ChildProcess, fork } from 'node:child_process'
import type { ChildEvent, ChildMessage, Reply } from './protocol.js'

const live = new Set<Child>()

export class Child {
  readonly process: ChildProcess
  readonly name: string
  #nextId = 1
  readonly #pending = new Map<
    number,
    { resolve: (value: unknown) => void; reject: (error: Error) => void; timer: NodeJS.Timeout }
  >()
  readonly #waiters: { event: string; resolve: (data: unknown) => void }[] = []
  readonly #events: ChildEvent[] = []
  exit: { code: number | null; signal: string | null } | undefined

  constructor(name: string, script: URL, args: string[], execArgv: string[] = []) {
    this.name = name
    this.process = fork(script, args, {
      execArgv: ['--conditions=sprinkler-source', '--import', 'tsx', ...execArgv],
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    })
    live.add(this)
    this.process.on('message', (message: ChildMessage) => {
      if (message.kind === 'reply') this.#settle(message)
      else {
        const i = this.#waiters.findIndex((w) => w.event === message.event)
        if (i >= 0) this.#waiters.splice(i, 1)[0]?.resolve(message.data)
        else this.#events.push(message)
      }
    })
    this.process.on('exit', (code, signal) => {
      this.exit = { code, signal }
      live.delete(this)
      const error = new Error(`${this.name} exited (code ${code}, signal ${signal})`)
      for (const [, p] of this.#pending) {
        clearTimeout(p.timer)
        p.reject(error)
      }
      this.#pending.clear()
    })
  }

  get pid(): number {
    return this.process.pid as number
  }

  #settle(reply: Reply): void {
    const pending = this.#pending.get(reply.id)
    if (!pending) return
    this.#pending.delete(reply.id)
    clearTimeout(pending.timer)
    if (reply.ok) pending.resolve(reply.result)
    else pending.reject(new Error(`${this.name}: ${reply.error}`))
  }

  request<T>(cmd: string, args: Record<string, unknown> = {}, timeoutMs = 30_000): Promise<T> {
    if (this.exit) return Promise.reject(new Error(`${this.name} has exited`))
    const id = this.#nextId++
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id)
        reject(new Error(`${this.name}: ${cmd} timed out after ${timeoutMs} ms`))
      }, timeoutMs)
      this.#pending.set(id, { resolve: resolve as (value: unknown) => void, reject, timer })
      this.process.send({ id, kind: 'request', cmd, args })
    })
  }

  /** Resolves with the data of the next `event` (or one that already came), or undefined at the deadline. */
  waitEvent<T>(event: string, timeoutMs: number): Promise<T | undefined> {
    const i = this.#events.findIndex((e) => e.event === event)
    if (i >= 0) return Promise.resolve(this.#events.splice(i, 1)[0]?.data as T)
    return new Promise((resolve) => {
      const waiter = {
        event,
        resolve: (data: unknown) => {
          clearTimeout(timer)
          resolve(data as T)
        },
      }
      const timer = setTimeout(() => {
        const at = this.#waiters.indexOf(waiter)
        if (at >= 0) this.#waiters.splice(at, 1)
        resolve(undefined)
      }, timeoutMs)
      this.#waiters.push(waiter)
    })
  }

  /** Forgets queued events of this name (e.g. a late `reached` from a timed-out phase). */
  drop(event: string): void {
    for (let i = this.#events.length - 1; i >= 0; i--) {
      if (this.#events[i]?.event === event) this.#events.splice(i, 1)
    }
  }

  /** Kills the process by PID and waits (bounded) until it is gone. */
  async kill(): Promise<void> {
    if (this.exit) return
    const gone = new Promise<void>((resolve) => this.process.once('exit', () => resolve()))
    try {
      process.kill(this.pid, 'SIGKILL')
    } catch {
      // Already gone.
    }
    await Promise.race([gone, new Promise((resolve) => setTimeout(resolve, 5_000))])
  }
}

/** Kills every child still alive (by PID): call it in `finally`, and it also runs at exit. */
export async function killAll(): Promise<void> {
  await Promise.all([...live].map((child) => child.kill()))
}

process.on('exit', () => {
  for (const child of live) {
    try {
      process.kill(child.pid, 'SIGKILL')
    } catch {
      // Already gone.
    }
  }
})
