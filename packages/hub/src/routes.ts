import type { Registry } from 'prom-client'
import { HubError } from './errors.js'
import { HUB_PATH, type Hub, type HubResponse, SUBSCRIPTIONS_PATH } from './hub.js'
import { welcomePage } from './welcome.js'

/** What a request to the hub's URL space asks for; each mount (node, web) does the I/O. */
export type HubRoute =
  | { kind: 'subscribe' }
  | { kind: 'publish' }
  | { kind: 'preflight' }
  | { kind: 'subscriptions' }
  | { kind: 'page'; page: 'welcome' | 'healthz' | 'metrics' }
  | { kind: 'not-allowed'; allow: string }

/** The route for a method and path; undefined for paths the hub does not serve. */
export function resolveRoute(method: string, path: string, extras: boolean): HubRoute | undefined {
  if (path === HUB_PATH) {
    if (method === 'GET' || method === 'HEAD') return { kind: 'subscribe' }
    if (method === 'POST') return { kind: 'publish' }
    if (method === 'OPTIONS') return { kind: 'preflight' }
    return { kind: 'not-allowed', allow: 'GET, POST, OPTIONS' }
  }
  if (path === SUBSCRIPTIONS_PATH || path.startsWith(`${SUBSCRIPTIONS_PATH}/`)) {
    if (method === 'GET') return { kind: 'subscriptions' }
    if (method === 'OPTIONS') return { kind: 'preflight' }
    return { kind: 'not-allowed', allow: 'GET, OPTIONS' }
  }
  if (!extras || method !== 'GET') return undefined
  if (path === '/') return { kind: 'page', page: 'welcome' }
  if (path === '/healthz') return { kind: 'page', page: 'healthz' }
  if (path === '/metrics') return { kind: 'page', page: 'metrics' }
  return undefined
}

/** The welcome page, `/healthz` or `/metrics`. */
export async function pageResponse(
  hub: Hub,
  metrics: Registry,
  page: 'welcome' | 'healthz' | 'metrics',
): Promise<HubResponse> {
  if (page === 'healthz') {
    return {
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ status: 'ok', connections: hub.connections }),
    }
  }
  if (page === 'metrics') {
    return {
      status: 200,
      headers: { 'content-type': metrics.contentType },
      body: await metrics.metrics(),
    }
  }
  return {
    status: 200,
    headers: { 'content-type': 'text/html; charset=utf-8' },
    body: welcomePage(hub),
  }
}

export function notAllowed(allow: string): HubResponse {
  return {
    status: 405,
    headers: { allow, 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify({
      error: { code: 'ERR_HUB_METHOD_NOT_ALLOWED', message: `Use ${allow}.` },
    }),
  }
}

/** A publish body over `maxBytes` (413), as every mount reports it. */
export function bodyTooLarge(maxBytes: number): HubError {
  return new HubError(
    413,
    'ERR_HUB_BODY_TOO_LARGE',
    `The body is larger than ${maxBytes} bytes, the hub's limit (maxBodyBytes; \`sprinkler hub --max-body\`).`,
  )
}
