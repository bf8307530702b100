import { SprinklerError } from '@sprinkler/core'
import {
  type CloseOptions,
  SseEndpoint,
  type SseEndpointOptions,
  type StreamHandler,
} from '../endpoint.js'
import type { SseStream, SseTransport } from '../stream.js'
import type { SseRequest } from '../types.js'
import { liftBunIdleTimeout } from './bun.js'

/** A web-standard handler: `(Request) → Promise<Response>` (Bun, Deno, Workers, Next.js, Hono). */
export interface WebSseHandler {
  /** `server`: what the runtime passes second; Bun's server lifts its idle timeout (below). */
  (request: Request, server?: unknown): Promise<Response>
  readonly endpoint: SseEndpoint
  /** Ends every stream (see {@link SseEndpoint.close}). */
  close(options?: CloseOptions): Promise<void>
}

/** What a framework adapter adds when it serves a request through {@link serveSse}. */
export interface WebServeOptions {
  /** `request.raw` in `authorize` and on the stream: the framework's request. Default: the `Request`. */
  raw?: unknown
  /** Runs with the open stream after the endpoint's `onStream` (e.g. a route handler). */
  onStream?: StreamHandler
  /**
   * The HTTP major version, when the runtime tells it. Without it no `Connection` header is
   * sent: the runtime owns the connection (and HTTP/2 forbids the header).
   */
  httpVersionMajor?: number
  /**
   * Drops the connection at once (slow client, shutdown deadline). Default: error the body
   * stream, which is how a web response is aborted; a runtime that can reset the socket
   * itself may do it more quietly.
   */
  destroy?: () => void
}

/** Bytes queued in the body stream before `write()` says "wait" (at most `maxBufferBytes`). */
const QUEUE_HIGH_WATER_MARK = 64 * 1024

/** A web `Request` seen through the toolkit's eyes; the URL is parsed only if asked for. */
export class WebSseRequest implements SseRequest {
  #url: URL | undefined
  constructor(
    readonly request: Request,
    readonly raw: unknown,
  ) {}

  get method(): string {
    return this.request.method
  }

  get url(): URL {
    this.#url ??= new URL(this.request.url)
    return this.#url
  }

  header(name: string): string | null {
    return this.request.headers.get(name)
  }
}

/**
 * A response body stream as the transport. The runtime reads it as fast as its socket takes
 * bytes; what it has not read yet waits in the stream's queue, counted in bytes. Past the
 * queue's high-water mark `write()` returns false, and the runtime's next read (`pull`)
 * says "drained". Cancelling the body means the client went away.
 */
class WebTransport implements SseTransport {
  readonly body: ReadableStream<Uint8Array>
  #stream: SseStream | undefined
  readonly #highWaterMark: number
  readonly #destroy: (() => void) | undefined
  #controller!: ReadableStreamDefaultController<Uint8Array>
  /** `write()` said "wait": the next pull is a drain. */
  #blocked = false
  /** `end()` was called: close once the runtime has read everything. */
  #ending = false
  /** Closed, cancelled or errored: nothing more goes in. */
  #done = false

  constructor(highWaterMark: number, destroy: (() => void) | undefined) {
    this.#highWaterMark = highWaterMark
    this.#destroy = destroy
    this.body = new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          this.#controller = controller
        },
        pull: () => this.#pulled(),
        cancel: () => this.#gone(),
      },
      { highWaterMark, size: (chunk) => chunk.byteLength },
    )
  }

  /** Connects the stream this transport serves (it exists only once the transport does). */
  attach(stream: SseStream): void {
    this.#stream = stream
    // `onStream` may have closed it already.
    if (this.#done) stream.disconnected()
  }

  write(chunk: Uint8Array): boolean {
    if (this.#done) return false
    this.#controller.enqueue(chunk)
    if ((this.#controller.desiredSize ?? 0) > 0) return true
    this.#blocked = true
    return false
  }

  bufferedBytes(): number {
    if (this.#done) return 0
    return this.#highWaterMark - (this.#controller.desiredSize ?? this.#highWaterMark)
  }

  end(): void {
    this.#ending = true
    // Closing now would be fine for the bytes (a closed stream is still read to its end),
    // but then nothing would tell when the runtime has taken the last of them.
    if (this.bufferedBytes() === 0) this.#finish()
  }

  destroy(): void {
    if (this.#done) return
    this.#done = true
    if (this.#destroy) this.#destroy()
    else {
      // The runtime sees why: the stream's reason (a slow client, or shutdown).
      this.#controller.error(
        this.#stream?.closeReason ??
          new SprinklerError('ERR_SSE_SERVER_CLOSED', 'The server dropped the stream.'),
      )
    }
    this.#stream?.disconnected()
  }

  /** The runtime read from the queue and wants more. */
  #pulled(): void {
    if (this.#ending) {
      if (this.bufferedBytes() === 0) this.#finish()
    } else if (this.#blocked) {
      this.#blocked = false
      this.#stream?.drained()
    }
  }

  /** Everything written has been read by the runtime: the response is complete. */
  #finish(): void {
    if (this.#done) return
    this.#done = true
    this.#controller.close()
    this.#stream?.disconnected()
  }

  #gone(): void {
    this.#done = true
    this.#stream?.disconnected()
  }
}

/**
 * Serves event streams on any runtime with web `Request`/`Response` (Bun, Deno, Cloudflare
 * Workers, Next.js route handlers): `export const GET = createSseHandler({ … })`.
 */
export function createSseHandler(options: SseEndpointOptions | SseEndpoint = {}): WebSseHandler {
  const endpoint = options instanceof SseEndpoint ? options : new SseEndpoint(options)
  const handler = (request: Request, server?: unknown) => {
    liftBunIdleTimeout(request, server)
    return serveSse(endpoint, request)
  }
  return Object.assign(handler, {
    endpoint,
    close: (closeOptions?: CloseOptions) => endpoint.close(closeOptions),
  })
}

/** Serves one request on an endpoint: what every web-based adapter (Hono) calls. */
export async function serveSse(
  endpoint: SseEndpoint,
  request: Request,
  options: WebServeOptions = {},
): Promise<Response> {
  const sseRequest = new WebSseRequest(request, options.raw ?? request)
  const admission = await endpoint.admit(sseRequest, options.httpVersionMajor ?? 2)
  if (!admission.ok) {
    // A 204 (or 205, 304) refusal has no body, and a web Response must get null for it.
    const body = admission.body === '' ? null : admission.body
    return new Response(body, { status: admission.status, headers: admission.headers })
  }
  // The client may have gone while `authorize` ran, and a HEAD gets the headers only.
  if (request.signal.aborted || request.method === 'HEAD') {
    return new Response(null, { status: 200, headers: admission.headers })
  }
  const highWaterMark = Math.min(QUEUE_HIGH_WATER_MARK, endpoint.options.maxBufferBytes ?? Infinity)
  const transport = new WebTransport(highWaterMark, options.destroy)
  const stream = endpoint.open(sseRequest, admission, transport, options.onStream)
  transport.attach(stream)
  // Some runtimes abort the request's signal, rather than cancel the body, when the client
  // leaves; the listener goes with the stream.
  const onAbort = () => stream.disconnected()
  request.signal.addEventListener('abort', onAbort, { once: true })
  stream.onClose(() => request.signal.removeEventListener('abort', onAbort))
  return new Response(transport.body, { status: 200, headers: admission.headers })
}
