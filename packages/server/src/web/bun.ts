/** Bun's `Server`, as `Bun.serve` passes it to `fetch`: the part the adapters use. */
interface BunServer {
  timeout(request: Request, seconds: number): void
}

/** Told apart by its shape: Deno passes connection info second, Workers their `env`. */
function isBunServer(value: unknown): value is BunServer {
  const server = value as Partial<Record<'timeout' | 'requestIP' | 'upgrade', unknown>> | null
  return (
    typeof server?.timeout === 'function' &&
    typeof server.requestIP === 'function' &&
    typeof server.upgrade === 'function'
  )
}

/**
 * Bun.serve closes a connection that sent nothing for `idleTimeout` (10 s by default), sooner
 * than the default heartbeat; an event stream is idle by design, so on Bun it gets no limit.
 * `server`: what the runtime passed `fetch` second (anything else is left alone).
 */
export function liftBunIdleTimeout(request: Request, server: unknown): void {
  if (isBunServer(server)) server.timeout(request, 0)
}
