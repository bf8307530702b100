import { EventStreamParser, type SseEvent } from '@sprinkler/core'

/** A test client: fetch + the core parser, with a queue to await events in order. */
export interface TestEventStream {
  readonly response: Response
  /** Every event received so far. */
  readonly events: SseEvent[]
  /** Comments received so far. */
  readonly comments: string[]
  /** `retry:` values received so far. */
  readonly retries: number[]
  /** Resolves when at least `count` events have arrived (rejects if the stream ends first). */
  waitForEvents(count: number): Promise<SseEvent[]>
  /** Resolves when the server ends the stream. */
  readonly ended: Promise<void>
  close(): void
}

export async function openEventStream(
  url: string,
  init: { headers?: Record<string, string>; fetch?: typeof fetch } = {},
): Promise<TestEventStream> {
  const controller = new AbortController()
  const response = await (init.fetch ?? fetch)(url, {
    headers: { accept: 'text/event-stream', ...init.headers },
    signal: controller.signal,
  })
  const events: SseEvent[] = []
  const comments: string[] = []
  const retries: number[] = []
  let waiters: { count: number; resolve: (e: SseEvent[]) => void; reject: (e: Error) => void }[] =
    []
  let done = false
  const settle = () => {
    waiters = waiters.filter((w) => {
      if (events.length >= w.count) w.resolve(events.slice())
      else if (done) w.reject(new Error(`stream ended after ${events.length}/${w.count} events`))
      else return true
      return false
    })
  }
  const ended = (async () => {
    if (!response.body || response.status !== 200) {
      done = true // nothing will come: waiting for events fails at once
      return
    }
    const reader = response.body
      .pipeThrough(
        new EventStreamParser({
          onComment: (c) => comments.push(c),
          onRetry: (ms) => retries.push(ms),
        }),
      )
      .getReader()
    try {
      for (;;) {
        const { value, done: finished } = await reader.read()
        if (finished) break
        events.push(value)
        settle()
      }
    } catch {
      // aborted by close(), or the server dropped us: either way the stream is over
    } finally {
      done = true
      settle()
    }
  })()
  return {
    response,
    events,
    comments,
    retries,
    ended,
    waitForEvents: (count) =>
      new Promise((resolve, reject) => {
        waiters.push({ count, resolve, reject })
        settle()
      }),
    close: () => controller.abort(),
  }
}

/**
 * Resolves once `check()` is true, checking every few milliseconds; `timeoutMs` is only the
 * safety net for a condition that never comes.
 */
export async function until(check: () => boolean, what = 'condition', timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 2))
  }
}
