import { HubError } from './errors.js'

/** An HTTP answer of the hub that is not a stream. */
export interface HubResponse {
  status: number
  headers: Record<string, string>
  body: string
}

/** The JSON error answer for a `HubError`; anything else is rethrown (a bug, not bad input). */
export function errorResponse(error: unknown, headers: Record<string, string>): HubResponse {
  if (!(error instanceof HubError)) throw error
  return {
    status: error.status,
    headers: {
      ...headers,
      'content-type': 'application/json; charset=utf-8',
      ...(error.status === 401 && { 'www-authenticate': 'Bearer' }),
    },
    body: JSON.stringify({ error: { code: error.code, message: error.message } }),
  }
}
