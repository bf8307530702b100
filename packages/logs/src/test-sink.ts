/** Test helper: a source sink that keeps what it is given and lets tests wait for it. */
import type { SourceInfo, SourceSink, SourceStatus } from './feed.js'

export class CollectingSink implements SourceSink {
  readonly info: SourceInfo
  readonly maxLineBytes: number
  readonly lines: string[] = []
  readonly statuses: SourceStatus[] = []
  #waiters = new Set<() => void>()

  constructor(name = 'test', maxLineBytes = 1024 * 1024) {
    this.info = { id: '0', name, kind: 'file' }
    this.maxLineBytes = maxLineBytes
  }

  line = (text: string): void => {
    this.lines.push(text)
    this.#notify()
  }

  status = (status: SourceStatus): void => {
    this.statuses.push(status)
    this.#notify()
  }

  /** Resolves once `done()` holds. */
  until(done: (sink: this) => boolean): Promise<void> {
    return new Promise((resolve) => {
      const check = () => {
        if (!done(this)) return
        this.#waiters.delete(check)
        resolve()
      }
      this.#waiters.add(check)
      check()
    })
  }

  states(): string[] {
    return this.statuses.map((s) => s.state)
  }

  #notify(): void {
    for (const check of this.#waiters) check()
  }
}
