import { serveSse, WebSseRequest } from '@sprinkler/server/web'
import type { Hub } from '../hub.js'
import { errorResponse, type HubResponse } from '../response.js'
import {
  bodyTooLarge,
  type MetricsSource,
  notAllowed,
  notFound,
  pageResponse,
  resolveRoute,
} from '../routes.js'
import { originFormPath } from '../target.js'

export * from '../api.js'

export interface HubFetchOptions {
  /** Serve `/` (welcome page), `/healthz` and `/metrics` too. Default true. */
  extras?: boolean
  /**
   * What `/metrics` serves, e.g. `createHubMetrics(hub)` from `@sprinkler/hub/node` where
   * prom-client runs. Without it `/metrics` is 404: this mount never loads prom-client itself.
   */
  metrics?: MetricsSource
}

/**
 * Mounts a hub on any web-standard runtime (Bun, Deno, Workers, Hono):
 * `(request) => Response`, 404 for paths that are not the hub's. The runtime gives no peer
 * address here, so per-IP limits do not apply on this mount.
 */
export function createHubFetchHandler(
  hub: Hub,
  options: HubFetchOptions = {},
): (request: Request) => Promise<Response> {
  const { metrics } = options
  const extras = options.extras ?? true
  return async (request) => {
    const sseRequest = new WebSseRequest(request, request)
    let path: string
    try {
      path = originFormPath(sseRequest.url.pathname)
    } catch (error) {
      return toResponse(errorResponse(error, {}))
    }
    const route = resolveRoute(request.method, path, extras)
    if (!route) return toResponse(notFound())
    switch (route.kind) {
      case 'subscribe':
        return serveSse(hub.endpoint, request)
      case 'publish':
        return toResponse(await hub.handlePublish(sseRequest, (max) => readBody(request, max)))
      case 'preflight':
        return toResponse(hub.preflight(sseRequest))
      case 'subscriptions':
        return toResponse(await hub.handleSubscriptions(sseRequest))
      case 'page':
        return toResponse(await pageResponse(hub, metrics, route.page))
      case 'not-allowed':
        return toResponse(notAllowed(route.allow))
    }
  }
}

function toResponse({ status, headers, body }: HubResponse): Response {
  return new Response(status === 204 ? null : body, { status, headers })
}

/** Reads a request body as UTF-8, refusing (413) anything larger than `maxBytes`. */
async function readBody(request: Request, maxBytes: number): Promise<string> {
  if (Number(request.headers.get('content-length')) > maxBytes) throw bodyTooLarge(maxBytes)
  if (!request.body) return ''
  const decoder = new TextDecoder()
  let text = ''
  let size = 0
  for await (const chunk of request.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength
    if (size > maxBytes) throw bodyTooLarge(maxBytes)
    text += decoder.decode(chunk, { stream: true })
  }
  return text + decoder.decode()
}
