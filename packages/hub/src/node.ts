import type { IncomingMessage } from 'node:http'
import {
  type NodeRequest,
  type NodeResponse,
  NodeSseRequest,
  serveSse,
} from '@sprinkler/server/node'
import { HubError } from './errors.js'
import { HUB_PATH, type Hub, type HubResponse, SUBSCRIPTIONS_PATH } from './hub.js'
import { createHubMetrics } from './metrics.js'
import { welcomePage } from './welcome.js'

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
    const request = new NodeSseRequest(req)
    const path = request.url.pathname
    const method = req.method ?? 'GET'
    if (path === HUB_PATH) {
      if (method === 'GET' || method === 'HEAD') await serveSse(hub.endpoint, req, res)
      else if (method === 'POST')
        send(res, await hub.handlePublish(request, (max) => readBody(req, max)))
      else if (method === 'OPTIONS') send(res, hub.preflight(request))
      else send(res, methodNotAllowed('GET, POST, OPTIONS'))
      return true
    }
    if (path === SUBSCRIPTIONS_PATH || path.startsWith(`${SUBSCRIPTIONS_PATH}/`)) {
      if (method === 'OPTIONS') send(res, hub.preflight(request))
      else if (method === 'GET') send(res, await hub.handleSubscriptions(request))
      else send(res, methodNotAllowed('GET, OPTIONS'))
      return true
    }
    if (!extras || method !== 'GET') return false
    if (path === '/healthz') {
      send(res, {
        status: 200,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ status: 'ok', connections: hub.connections }),
      })
      return true
    }
    if (path === '/metrics') {
      send(res, {
        status: 200,
        headers: { 'content-type': metrics.contentType },
        body: await metrics.metrics(),
      })
      return true
    }
    if (path === '/') {
      send(res, {
        status: 200,
        headers: { 'content-type': 'text/html; charset=utf-8' },
        body: welcomePage(hub),
      })
      return true
    }
    return false
  }
}

function send(res: NodeResponse, response: HubResponse): void {
  if (res.headersSent) return
  res.writeHead(response.status, response.headers)
  res.end(response.body)
}

function methodNotAllowed(allow: string): HubResponse {
  return {
    status: 405,
    headers: { allow, 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify({
      error: { code: 'ERR_HUB_METHOD_NOT_ALLOWED', message: `Use ${allow}.` },
    }),
  }
}

/** Reads a request body as UTF-8, refusing (413) anything larger than `maxBytes`. */
function readBody(req: NodeRequest, maxBytes: number): Promise<string> {
  const tooLarge = () =>
    new HubError(413, 'ERR_HUB_BODY_TOO_LARGE', `The body is larger than ${maxBytes} bytes.`)
  const declared = Number(req.headers['content-length'])
  if (declared > maxBytes) return Promise.reject(tooLarge())
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    const stream = req as IncomingMessage
    stream.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > maxBytes) {
        stream.removeAllListeners('data')
        stream.resume()
        reject(tooLarge())
      } else chunks.push(chunk)
    })
    stream.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    stream.on('error', reject)
  })
}
