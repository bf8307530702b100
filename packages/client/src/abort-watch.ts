// Many sources may share one AbortSignal, to close them all at once. A listener per source
// would grow the signal's listener list with the number of sources (and Node warns past ten:
// MaxListenersExceededWarning), so a signal gets ONE listener however many sources watch it,
// removed when the last of them stops watching.
const watches = new WeakMap<AbortSignal, { callbacks: Set<() => void>; fire: () => void }>()

/** Calls `onAbort` when `signal` aborts; the returned function stops watching. */
export function watchAbort(signal: AbortSignal, onAbort: () => void): () => void {
  let watch = watches.get(signal)
  if (!watch) {
    const callbacks = new Set<() => void>()
    // Each callback stops watching (close()), so the last one removes this listener.
    const fire = () => {
      for (const callback of callbacks) callback()
    }
    watch = { callbacks, fire }
    watches.set(signal, watch)
    signal.addEventListener('abort', fire)
  }
  const { callbacks, fire } = watch
  callbacks.add(onAbort)
  return () => {
    callbacks.delete(onAbort)
    if (callbacks.size === 0) {
      watches.delete(signal)
      signal.removeEventListener('abort', fire)
    }
  }
}
