import type { SseRequest } from '@sprinkler/server'
import type { HubResponse } from './response.js'

/** CORS for the hub's URLs: which browser origins may read its answers. */
export class Cors {
  constructor(readonly origins: readonly string[]) {}

  /** Whether `origin` is in the list (or the list has `*`). */
  allows(origin: string): boolean {
    return this.origins.includes('*') || this.origins.includes(origin)
  }

  /** CORS headers for a request from an allowed origin (credentials allowed). */
  headers(request: SseRequest): Record<string, string> {
    const origin = request.header('origin')
    if (origin === null || !this.allows(origin)) return {}
    return {
      'access-control-allow-origin': origin,
      'access-control-allow-credentials': 'true',
      'access-control-expose-headers': 'last-event-id, link',
      vary: 'Origin',
    }
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
