import type { IncomingMessage } from 'node:http'
import {
  type NodeRequest,
  type NodeResponse,
  NodeSseRequest,
  serveSse,
} from '@sprinkler/server/node'
import type { Hub } from '../hub.js'
import { errorResponse, type HubResponse } from '../response.js'
import { bodyTooLarge, notAllowed, pageResponse, resolveRoute } from '../routes.js'
import { originFormPath } from '../target.js'
import { createHubMetrics } from './metrics.js'

export * from '../api.js'
export { createHubMetrics } from './metrics.js'

/** Handles the hub's routes; resolves false for any other path, so apps can add their own. */
export type HubRoutes = (req: NodeRequest, res: NodeResponse) => Promise<boolean>

export interface HubRoutesOptions {
  /** Serve `/` (welcome page), `/healthz` and `/metrics` too. Default true. */
  extras?: boolean
}

/**
 * Mounts a hub on node:http / node:http2:
 * `http.createServer(async (req, res) => { if (!(await routes(req, res))) res.writeHead(404).end() })`.
 */
export function createHubRoutes(hub: Hub, options: HubRoutesOptions = {}): HubRoutes {
  const metrics = createHubMetrics(hub)
  const extras = options.extras ?? true
  return async (req, res) => {
    // Express rewrites `url` below a mount path and keeps the whole of it in `originalUrl`.
    const target = (req as { originalUrl?: string }).originalUrl ?? req.url ?? '/'
    let path: string
    try {
      path = originFormPath(target)
    } catch (error) {
      send(res, errorResponse(error, {}))
      return true
    }
    const request = new NodeSseRequest(req)
    const route = resolveRoute(req.method ?? 'GET', path, extras)
    if (!route) return false
    switch (route.kind) {
      case 'subscribe':
        await serveSse(hub.endpoint, req, res)
        break
      case 'publish':
        send(res, await hub.handlePublish(request, (max) => readBody(req, max)))
        break
      case 'preflight':
        send(res, hub.preflight(request))
        break
      case 'subscriptions':
        send(res, await hub.handleSubscriptions(request))
        break
      case 'page':
        send(res, await pageResponse(hub, metrics, route.page))
        break
      case 'not-allowed':
        send(res, notAllowed(route.allow))
    }
    return true
  }
}

function send(res: NodeResponse, response: HubResponse): void {
  if (res.headersSent) return
  res.writeHead(response.status, response.headers)
  res.end(response.body)
}

/** Reads a request body as UTF-8, refusing (413) anything larger than `maxBytes`. */
function readBody(req: NodeRequest, maxBytes: number): Promise<string> {
  const declared = Number(req.headers['content-length'])
  if (declared > maxBytes) return Promise.reject(bodyTooLarge(maxBytes))
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    const stream = req as IncomingMessage
    stream.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > maxBytes) {
        stream.removeAllListeners('data')
        stream.resume()
        reject(bodyTooLarge(maxBytes))
      } else chunks.push(chunk)
    })
    stream.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    stream.on('error', reject)
  })
}
