import { HubError } from './errors.js'
import type { Hub } from './hub.js'
import { HUB_PATH, SUBSCRIPTIONS_PATH } from './paths.js'
import type { HubResponse } from './response.js'
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

/**
 * Where `/metrics` comes from: a prom-client `Registry` (`createHubMetrics` on the node side)
 * or anything that renders Prometheus text. Web mounts get none unless given one, so web
 * runtimes never load prom-client.
 */
export interface MetricsSource {
  readonly contentType: string
  metrics(): Promise<string>
}

/** The welcome page, `/healthz` or `/metrics` (404 when there is no metrics source). */
export async function pageResponse(
  hub: Hub,
  metrics: MetricsSource | undefined,
  page: 'welcome' | 'healthz' | 'metrics',
): Promise<HubResponse> {
  if (page === 'healthz') {
    // Degraded: open streams go on, publishes fail until the transport's backend is back.
    const health = hub.health
    return {
      status: health.ok ? 200 : 503,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(
        health.ok
          ? { status: 'ok', connections: hub.connections }
          : { status: 'degraded', reason: health.reason, connections: hub.connections },
      ),
    }
  }
  if (page === 'metrics') {
    if (!metrics) return notFound()
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

export function notFound(): HubResponse {
  return { status: 404, headers: { 'content-type': 'text/plain' }, body: 'Not Found' }
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
