import type { SseRequest } from '@sprinkler/server'
import type { HubResponse } from './response.js'

const EXPOSE = 'last-event-id, link'

/**
 * CORS for the hub's URLs. An origin named in the list may read answers with credentials
 * (cookies); `*` lets any other origin read them without credentials, so a page from anywhere
 * can use a token it holds but never the user's cookie.
 */
export class Cors {
  constructor(readonly origins: readonly string[]) {}

  /**
   * Whether a page from `origin` may act with the user's cookie: only an origin named in the
   * list; never through `*`, and never `null` (sandboxed frames and files, which any site can
   * produce).
   */
  trustsCredentials(origin: string): boolean {
    return origin !== 'null' && this.origins.includes(origin)
  }

  /** The CORS headers for a request's `Origin` (none when it is not allowed). */
  headers(request: SseRequest): Record<string, string> {
    const origin = request.header('origin')
    if (origin === null) return {}
    if (this.trustsCredentials(origin)) {
      return {
        'access-control-allow-origin': origin,
        'access-control-allow-credentials': 'true',
        'access-control-expose-headers': EXPOSE,
        vary: 'Origin',
      }
    }
    if (this.origins.includes('*')) {
      // fetch standard (CORS check): `*` never admits a credentialed response.
      return {
        'access-control-allow-origin': '*',
        'access-control-expose-headers': EXPOSE,
        vary: 'Origin',
      }
    }
    return {}
  }

  /** Answers a CORS preflight. */
  preflight(request: SseRequest): HubResponse {
    const cors = this.headers(request)
    if (!cors['access-control-allow-origin']) return { status: 204, headers: {}, body: '' }
    return {
      status: 204,
      headers: {
        ...cors,
        'access-control-allow-methods': 'GET, POST, OPTIONS',
        'access-control-allow-headers': 'authorization, cache-control, content-type, last-event-id',
        'access-control-max-age': '600',
      },
      body: '',
    }
  }
}
