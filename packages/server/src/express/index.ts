import type { IncomingMessage, ServerResponse } from 'node:http'
import { type CloseOptions, SseEndpoint, type SseEndpointOptions } from '../endpoint.js'
import { serveSse } from '../node/index.js'

/** Express 5 middleware that turns requests into event streams: `app.get('/events', events)`. */
export interface ExpressSseHandler {
  (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void): void
  readonly endpoint: SseEndpoint
  /** Ends every stream (see {@link SseEndpoint.close}); then `server.close()` can finish. */
  close(options?: CloseOptions): Promise<void>
}

/**
 * Serves event streams (from an endpoint's options, or an {@link SseEndpoint} shared with other
 * code) from an Express 5 app. In `authorize` and on the stream,
 * `request.raw` is Express's `req` (with `req.user`, cookies, … set by earlier middleware).
 * A `compression()` middleware in front leaves the stream alone: it honours
 * `Cache-Control: no-transform`.
 */
export function sse(options: SseEndpointOptions | SseEndpoint = {}): ExpressSseHandler {
  const endpoint = options instanceof SseEndpoint ? options : new SseEndpoint(options)
  const middleware = (
    req: IncomingMessage,
    res: ServerResponse,
    next: (error?: unknown) => void,
  ): void => {
    // serveSse never rejects for a bad request (that is a 4xx response); anything else is
    // Express's to handle.
    serveSse(endpoint, req, res).then(undefined, next)
  }
  return Object.assign(middleware, {
    endpoint,
    close: (closeOptions?: CloseOptions) => endpoint.close(closeOptions),
  })
}
