import type { EventSource, SseErrorEvent } from '../src/index.js'

/** One event a source dispatched, with the readyState it had at that moment. */
export interface Seen {
  type: string
  readyState: number
  data?: string
  lastEventId?: string
  origin?: string
  code?: string
  status?: number | undefined
  cause?: unknown
}

/** Every `open`, `message`, `error` (and any other listed type) a source dispatches, in order. */
export interface Recording {
  readonly log: Seen[]
  /** The `message` data so far. */
  data(): string[]
  /** Resolves with the `count`-th event of `type` (1-based), now or when it arrives. */
  wait(type: string, count: number): Promise<Seen>
}

export function record(source: EventSource, types: string[] = []): Recording {
  const log: Seen[] = []
  const waiters = new Set<() => void>()
  const listener = (event: Event) => {
    const seen: Seen = { type: event.type, readyState: source.readyState }
    if (event instanceof MessageEvent) {
      seen.data = event.data
      seen.lastEventId = event.lastEventId
      seen.origin = event.origin
    }
    if ('code' in event) {
      const error = event as SseErrorEvent
      seen.code = error.code
      seen.status = error.status
      seen.cause = error.cause
    }
    log.push(seen)
    for (const wake of waiters) wake()
  }
  for (const type of ['open', 'message', 'error', ...types]) {
    source.addEventListener(type, listener)
  }
  return {
    log,
    data: () => log.filter((e) => e.type === 'message').map((e) => e.data ?? ''),
    wait: (type, count) =>
      new Promise((resolve) => {
        const check = () => {
          const found = log.filter((e) => e.type === type)[count - 1]
          if (!found) return
          waiters.delete(check)
          resolve(found)
        }
        waiters.add(check)
        check()
      }),
  }
}
