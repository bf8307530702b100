import type { ErrorCode } from '@sprinkler/core'
import { hostName, hostOf, isLoopbackName } from '@sprinkler/logs/internal'
import type { NodeRequest } from '@sprinkler/server/node'

/** A refusal to answer with `{ error: { code, message } }`. */
export interface Refusal {
  status: number
  code: ErrorCode
  message: string
}

export const COOKIE_NAME = 'mercureAuthorization'
export const CSRF_HEADER = 'x-sprinkler-csrf'

/**
 * Protection of the state-changing endpoints (console, dev login, badge) against cross-site
 * requests and DNS rebinding: the Host must be a loopback name, the Origin must be this very
 * origin, the browser must not call it cross-site, and the page's CSRF token must come back in
 * a header (which a cross-origin page cannot set without a preflight this server never allows).
 */
export function checkSameOrigin(req: NodeRequest, csrfToken: string, secure: boolean) {
  const refuse = (message: string): Refusal => ({
    status: 403,
    code: 'ERR_SERVE_CROSS_SITE',
    message,
  })
  const host = hostOf(req)
  if (host === undefined || !isLoopbackName(hostName(host))) {
    return refuse('This endpoint answers only requests addressed to a loopback host name.')
  }
  const origin = req.headers.origin
  if (origin !== `${secure ? 'https' : 'http'}://${host}`) {
    return refuse('This request did not come from a page of this server (Origin mismatch).')
  }
  const site = req.headers['sec-fetch-site']
  if (site !== undefined && site !== 'same-origin') {
    return refuse('This request was made cross-site (Sec-Fetch-Site).')
  }
  if (req.headers[CSRF_HEADER] !== csrfToken) {
    return refuse(`The ${CSRF_HEADER} header is missing or wrong; reload the page.`)
  }
  return undefined
}
