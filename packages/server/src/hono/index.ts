import type { Context, Env } from 'hono'
import { type CloseOptions, SseEndpoint, type SseEndpointOptions } from '../endpoint.js'
import { liftBunIdleTimeout } from '../web/bun.js'
import { serveSse } from '../web/index.js'

/** A Hono handler that turns requests into event streams: `app.get('/events', events)`. */
export interface HonoSseHandler<E extends Env = Env> {
  (c: Context<E>): Promise<Response>
  readonly endpoint: SseEndpoint
  /** Ends every stream (see {@link SseEndpoint.close}); then the server can close. */
  close(options?: CloseOptions): Promise<void>
}

/** What @hono/node-server passes as `c.env`: the node request and response. */
interface NodeBindings {
  incoming: { httpVersionMajor: number }
  outgoing: { destroy(): void }
}

function nodeBindings(env: unknown): NodeBindings | undefined {
  const bindings = env as Partial<NodeBindings> | undefined
  return typeof bindings?.outgoing?.destroy === 'function' &&
    typeof bindings.incoming?.httpVersionMajor === 'number'
    ? (bindings as NodeBindings)
    : undefined
}

/**
 * Serves event streams (from an endpoint's options, or an {@link SseEndpoint} shared with other
 * code) from a Hono app, on any runtime Hono runs on (the web adapter does the
 * work). In `authorize` and on the stream, `request.raw` is the Hono `Context`, so what earlier
 * middleware set (`c.get('jwtPayload')`) is at hand.
 *
 * On @hono/node-server it also reads the HTTP version (so `Connection` is sent on HTTP/1.x
 * only) and drops a connection by destroying the node response, which node-server does not log.
 */
export function sse<E extends Env = Env>(
  options: SseEndpointOptions | SseEndpoint = {},
): HonoSseHandler<E> {
  const endpoint = options instanceof SseEndpoint ? options : new SseEndpoint(options)
  const handler = (c: Context<E>): Promise<Response> => {
    const node = nodeBindings(c.env)
    // On Bun, `c.env` is the server `Bun.serve` passed to `app.fetch`.
    liftBunIdleTimeout(c.req.raw, c.env)
    return serveSse(endpoint, c.req.raw, {
      raw: c,
      ...(node && {
        httpVersionMajor: node.incoming.httpVersionMajor,
        destroy: () => node.outgoing.destroy(),
      }),
    })
  }
  return Object.assign(handler, {
    endpoint,
    close: (closeOptions?: CloseOptions) => endpoint.close(closeOptions),
  })
}
