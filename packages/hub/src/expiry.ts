import type { SseStream } from '@sprinkler/server'

// setTimeout holds at most ~24.8 days; longer tokens re-arm until their time comes.
const MAX_TIMEOUT = 2 ** 31 - 1

/** Closes the stream at `atMs` (epoch ms): a subscriber token's `exp`. */
export function closeAt(stream: SseStream, atMs: number): void {
  const delay = atMs - Date.now()
  if (delay <= 0) {
    stream.close()
    return
  }
  const timer = setTimeout(
    () => (delay > MAX_TIMEOUT ? closeAt(stream, atMs) : stream.close()),
    Math.min(delay, MAX_TIMEOUT),
  )
  stream.onClose(() => clearTimeout(timer))
}
