import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2'
import type { Socket } from 'node:net'
import {
  type CloseOptions,
  SseEndpoint,
  type SseEndpointOptions,
  type StreamHandler,
} from '../endpoint.js'
import type { SseStream, SseTransport } from '../stream.js'
import type { SseRequest } from '../types.js'
import { forwardEvents, SocketTransport } from './socket.js'

export type NodeRequest = IncomingMessage | Http2ServerRequest
export type NodeResponse = ServerResponse | Http2ServerResponse

/** A node:http / node:http2 request handler that turns requests into event streams. */
export interface NodeSseHandler {
  /** Resolves to the stream, or to undefined when the request was refused or left early. */
  (req: NodeRequest, res: NodeResponse): Promise<SseStream | undefined>
  readonly endpoint: SseEndpoint
  /** Ends every stream (see {@link SseEndpoint.close}); then `server.close()` can finish. */
  close(options?: CloseOptions): Promise<void>
}

/**
 * A node request seen through the toolkit's eyes; the URL is parsed only if asked for.
 * `raw` is the node request, or the framework's request object when an adapter passes one.
 */
export class NodeSseRequest<Raw = NodeRequest> implements SseRequest {
  #url: URL | undefined
  constructor(
    readonly req: NodeRequest,
    readonly raw: Raw = req as Raw,
  ) {}

  get method(): string {
    return this.req.method ?? 'GET'
  }

  get remoteAddress(): string | undefined {
    return this.req.socket?.remoteAddress
  }

  get url(): URL {
    // Express rewrites `url` below a mount path and keeps the whole of it in `originalUrl`.
    const path = (this.req as { originalUrl?: string }).originalUrl ?? this.req.url ?? '/'
    // Only the path and query matter here; a made-up origin keeps a bad Host header harmless.
    this.#url ??= new URL(path, 'http://localhost')
    return this.#url
  }

  header(name: string): string | null {
    const value = this.req.headers[name.toLowerCase()]
    if (value === undefined) return null
    return Array.isArray(value) ? value.join(', ') : value
  }
}

/** Writes into a node response; `write()` returning false is the backpressure signal. */
class ResponseTransport implements SseTransport {
  constructor(readonly res: NodeResponse) {}
  write(chunk: Uint8Array): boolean {
    return (this.res as ServerResponse).write(chunk)
  }
  bufferedBytes(): number {
    return this.res.writableLength
  }
  end(): void {
    this.res.end()
  }
  destroy(): void {
    ;(this.res as ServerResponse).destroy()
  }
}

/**
 * Serves event streams on node:http or node:http2 (compatibility API):
 * `http.createServer((req, res) => events(req, res))`.
 */
export function createSseHandler(options: SseEndpointOptions | SseEndpoint = {}): NodeSseHandler {
  const endpoint = options instanceof SseEndpoint ? options : new SseEndpoint(options)
  return Object.assign((req: NodeRequest, res: NodeResponse) => serveSse(endpoint, req, res), {
    endpoint,
    close: (closeOptions?: CloseOptions) => endpoint.close(closeOptions),
  })
}

/** What a framework adapter adds when it serves a request through {@link serveSse}. */
export interface ServeOptions {
  /** `request.raw` in `authorize` and on the stream: the framework's request. Default: `req`. */
  raw?: unknown
  /** Runs with the open stream after the endpoint's `onStream` (e.g. a route handler). */
  onStream?: StreamHandler
  /**
   * On HTTP/1.x, write frames straight to the socket with no chunked framing (the response
   * ends with the connection). Default true; false keeps `res.write`, e.g. for a middleware
   * that must see the body.
   */
  directWrites?: boolean
}

/** Serves one request on an endpoint: what every node-based adapter (Express, Fastify) calls. */
export async function serveSse(
  endpoint: SseEndpoint,
  req: NodeRequest,
  res: NodeResponse,
  options: ServeOptions = {},
): Promise<SseStream | undefined> {
  const request = new NodeSseRequest(req, options.raw ?? req)
  const admission = await endpoint.admit(request, req.httpVersionMajor)
  // The client may have gone while `authorize` ran.
  if (res.destroyed || res.writableEnded) return undefined
  if (!admission.ok) {
    res.writeHead(admission.status, admission.headers)
    res.end(admission.body)
    return undefined
  }
  const socket = req.httpVersionMajor === 1 ? (res as ServerResponse).socket : null
  const direct = socket !== null && options.directWrites !== false && req.method !== 'HEAD'
  // Without Transfer-Encoding (and Content-Length) node delimits the body by closing.
  if (direct) (res as ServerResponse).removeHeader('transfer-encoding')
  res.writeHead(200, admission.headers)
  if (req.method === 'HEAD') {
    res.end()
    return undefined
  }
  // Send the headers now: the client learns the stream is open before the first event
  // (HTTP/2's writeHead already sent them).
  if ('flushHeaders' in res) res.flushHeaders()
  const transport = direct
    ? new SocketTransport(socket as Socket, res as ServerResponse)
    : new ResponseTransport(res)
  const stream = endpoint.open(request, admission, transport, options.onStream)
  forwardEvents(stream, direct ? (socket as Socket) : res, res)
  return stream
}

export { createFastPath, type FastPathOptions, type FastPathServer } from './fast-path.js'
