import { EventSource, type EventSourceInit } from '../src/index.js'

/**
 * The sources a test opens against its server, to close them all in `afterEach` (before the
 * server closes, so no connection holds it open).
 */
export function trackSources(url: (path: string) => string) {
  const open: EventSource[] = []
  return {
    connect(path: string, init?: EventSourceInit): EventSource {
      const source = new EventSource(url(path), init)
      open.push(source)
      return source
    },
    /** Tracks a source the test made itself (e.g. for a URL off the test server). */
    adopt(source: EventSource): void {
      open.push(source)
    },
    closeAll(): void {
      for (const source of open.splice(0)) source.close()
    },
  }
}

/** Lets pending I/O callbacks and microtasks run (setImmediate is never faked in these tests). */
export const settle = () => new Promise((resolve) => setImmediate(resolve))
