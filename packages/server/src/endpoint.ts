import {
  checkOptions,
  type ErrorCode,
  encodeEventBytes,
  integer,
  ofType,
  SprinklerError,
  timerMs,
} from '@sprinkler/core'
import type { ServerEvent } from './message.js'
import { SseStream, type SseTransport } from './stream.js'
import { type Principal, Refusal, type SseOptions, type SseRequest } from './types.js'

/** The response headers of an event stream. spec: the MIME type is `text/event-stream`. */
export function eventStreamHeaders(httpVersionMajor: number): Record<string, string> {
  const headers: Record<string, string> = {
    'content-type': 'text/event-stream; charset=utf-8',
    // no-transform: compression middleware and proxies leave the stream alone.
    'cache-control': 'no-cache, no-transform',
    // nginx: don't buffer this response.
    'x-accel-buffering': 'no',
  }
  // Connection-specific headers are illegal on HTTP/2 (RFC 9113 §8.2.2).
  if (httpVersionMajor < 2) headers.connection = 'keep-alive'
  return headers
}

/** The outcome of checking a request, before any byte of the response is written. */
export type Admission =
  | {
      ok: true
      principal: Principal
      lastEventId: string | undefined
      /** The event-stream headers plus the endpoint's `responseHeaders`. */
      headers: Record<string, string>
    }
  | { ok: false; status: number; headers: Record<string, string>; body: string }

export interface EndpointStats {
  /** Streams open now. */
  active: number
  /** Streams opened since start. */
  opened: number
  /** Requests refused (401/403/400/405/503) or failed in `authorize` (500). */
  refused: number
  /** Streams ended because the client went away. */
  clientClosed: number
  /** Streams dropped because the client fell more than `maxBufferBytes` behind. */
  slowClientDisconnects: number
}

/** What is done with an accepted stream: subscribe it to channels, send to it, tie timers to its signal. */
export type StreamHandler = (stream: SseStream) => void | Promise<void>

export interface SseEndpointOptions extends SseOptions {
  /** Called with every accepted stream. */
  onStream?: StreamHandler
}

export interface CloseOptions {
  /** A last event sent to every stream before it ends. */
  event?: ServerEvent
  /** Streams whose connection has not ended by then are dropped. Default 5 000 ms. */
  timeoutMs?: number
}

const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/
const INVALID_VALUE = /[^\t\x20-\x7e\x80-\xff]/

/** Statuses whose response has no body. */
const NO_BODY = new Set([204, 205, 304])

const DEFAULTS = { heartbeatMs: 15_000, maxBufferBytes: 1024 * 1024, maxLastEventIdLength: 1024 }

const hook = ofType('function')
/** What every adapter's options may hold: checked once, when the endpoint is made. */
export const ENDPOINT_OPTIONS = {
  authorize: hook,
  responseHeaders: hook,
  onStream: hook,
  // A heartbeat timer over 2³¹−1 ms would fire every millisecond.
  heartbeatMs: timerMs,
  retryMs: integer(0),
  // NaN or Infinity would remove the per-client bound; 0 would drop every client at once.
  maxBufferBytes: integer(1),
  lastEventIdParam: ofType('string'),
  maxLastEventIdLength: integer(0),
}
/** What {@link SseEndpoint.close} takes. */
export const CLOSE_OPTIONS = { event: ofType('object'), timeoutMs: timerMs }

/**
 * What every adapter shares: admission (method, Last-Event-ID, `authorize`), the set of open
 * streams, statistics and graceful shutdown. Adapters only convert requests and bytes.
 *
 * Events (EventTarget): `open` and `close` (detail: the stream), `error` (detail: a
 * SprinklerError whose `cause` is what an app hook threw). The library never logs.
 */
export class SseEndpoint extends EventTarget {
  readonly options: Readonly<SseEndpointOptions>
  readonly stats: EndpointStats = {
    active: 0,
    opened: 0,
    refused: 0,
    clientClosed: 0,
    slowClientDisconnects: 0,
  }
  readonly #streams = new Set<SseStream>()
  #closing = false

  /** The `retry:` hint, encoded once for every stream. */
  readonly #retryFrame: Uint8Array | undefined

  /** Throws `ERR_SSE_INVALID_OPTION` for an option of the wrong type or range. */
  constructor(options: SseEndpointOptions = {}) {
    super()
    checkOptions('SseEndpoint', options, ENDPOINT_OPTIONS)
    this.options = options
    this.#retryFrame =
      options.retryMs === undefined ? undefined : encodeEventBytes({ retry: options.retryMs })
  }

  /** The streams open now. */
  get streams(): ReadonlySet<SseStream> {
    return this.#streams
  }

  /** Decides whether a request gets a stream. Never throws. */
  async admit(request: SseRequest, httpVersionMajor = 1): Promise<Admission> {
    if (this.#closing) {
      return this.#refuse(request, 503, 'ERR_SSE_SERVER_CLOSED', 'The server is shutting down.')
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return this.#refuse(
        request,
        405,
        'ERR_SSE_METHOD_NOT_ALLOWED',
        'Event streams are read with GET.',
        {
          allow: 'GET',
        },
      )
    }
    const lastEventId = this.lastEventId(request)
    const max = this.maxLastEventIdLength
    if (lastEventId !== undefined && lastEventId.length > max) {
      return this.#refuse(
        request,
        400,
        'ERR_SSE_INVALID_LAST_EVENT_ID',
        `Last-Event-ID is longer than ${max} characters.`,
      )
    }
    let verdict: Principal | Refusal
    try {
      verdict = this.options.authorize ? await this.options.authorize(request) : {}
    } catch (cause) {
      this.#report('ERR_SSE_AUTHORIZE_FAILED', 'The authorize hook threw.', cause)
      // Nothing of the hook's error reaches the client.
      return this.#refuse(request, 500, 'ERR_SSE_AUTHORIZE_FAILED', 'Internal Server Error')
    }
    if (verdict instanceof Refusal) {
      const code =
        verdict.code ?? (verdict.status === 401 ? 'ERR_SSE_UNAUTHORIZED' : 'ERR_SSE_FORBIDDEN')
      const auth: Record<string, string> =
        verdict.status === 401 ? { 'www-authenticate': 'Bearer' } : {}
      const own = this.#checked('refuse(…, { headers })', () => verdict.headers)
      if (own === null) {
        return this.#refuse(
          request,
          500,
          'ERR_SSE_HANDLER_FAILED',
          'Internal Server Error',
          {},
          false,
        )
      }
      return this.#refuse(request, verdict.status, code, verdict.reason, { ...auth, ...own })
    }
    if (typeof verdict !== 'object' || verdict === null) {
      this.#report(
        'ERR_SSE_AUTHORIZE_FAILED',
        'The authorize hook must return a principal object or refuse(status, reason).',
      )
      return this.#refuse(request, 500, 'ERR_SSE_AUTHORIZE_FAILED', 'Internal Server Error')
    }
    const extra = this.#appHeaders(request, verdict)
    if (extra === null) {
      return this.#refuse(
        request,
        500,
        'ERR_SSE_HANDLER_FAILED',
        'Internal Server Error',
        {},
        false,
      )
    }
    const headers = { ...eventStreamHeaders(httpVersionMajor), ...extra }
    return { ok: true, principal: verdict, lastEventId, headers }
  }

  /**
   * Opens the stream on a transport whose response headers are already sent, then hands it
   * to the endpoint's `onStream` and then to `handler` (a per-route hook, such as a Fastify
   * route handler). A hook that throws or rejects closes the stream and is reported as
   * `ERR_SSE_HANDLER_FAILED`. The adapter forwards `drained` and `disconnected` to the stream.
   */
  open(
    request: SseRequest,
    admission: Admission & { ok: true },
    transport: SseTransport,
    handler?: StreamHandler,
  ): SseStream {
    const stream = new SseStream({
      request,
      principal: admission.principal,
      lastEventId: admission.lastEventId,
      transport,
      heartbeatMs: this.options.heartbeatMs ?? DEFAULTS.heartbeatMs,
      maxBufferBytes: this.options.maxBufferBytes ?? DEFAULTS.maxBufferBytes,
    })
    this.#streams.add(stream)
    this.stats.active++
    this.stats.opened++
    stream.onClose(this.#forget)
    // spec: "retry" sets the event stream's reconnection time.
    if (this.#retryFrame) stream.write(this.#retryFrame)
    this.dispatchEvent(new CustomEvent('open', { detail: stream }))
    this.#run(stream, this.options.onStream)
    this.#run(stream, handler)
    return stream
  }

  /**
   * Ends every stream (each gets `event` first, when given), refuses new ones with 503, and
   * resolves once every connection has ended or, at `timeoutMs`, been dropped.
   */
  async close(options: CloseOptions = {}): Promise<void> {
    checkOptions('close', options, CLOSE_OPTIONS)
    this.#closing = true
    const streams = [...this.#streams]
    for (const stream of streams) stream.close(options.event)
    let timer: ReturnType<typeof setTimeout> | undefined
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, options.timeoutMs ?? 5_000)
    })
    await Promise.race([Promise.all(streams.map((s) => s.whenFinished())), deadline])
    clearTimeout(timer)
    for (const stream of streams) stream.destroy()
  }

  #run(stream: SseStream, onStream: StreamHandler | undefined): void {
    if (!onStream || stream.closed) return
    try {
      const result = onStream(stream)
      if (result && typeof result.then === 'function') {
        result.then(undefined, (cause: unknown) => this.#streamFailed(stream, cause))
      }
    } catch (cause) {
      this.#streamFailed(stream, cause)
    }
  }

  #streamFailed(stream: SseStream, cause: unknown): void {
    this.#report('ERR_SSE_HANDLER_FAILED', 'The onStream hook threw; the stream was closed.', cause)
    stream.close()
  }

  readonly #forget = (stream: SseStream): void => {
    this.#streams.delete(stream)
    this.stats.active--
    const code = stream.closeReason?.code
    if (code === 'ERR_SSE_CLIENT_CLOSED') this.stats.clientClosed++
    else if (code === 'ERR_SSE_SLOW_CLIENT') this.stats.slowClientDisconnects++
    this.dispatchEvent(new CustomEvent('close', { detail: stream }))
  }

  /** The longest Last-Event-ID admitted (400 past it): `maxLastEventIdLength`, default 1 024. */
  get maxLastEventIdLength(): number {
    return this.options.maxLastEventIdLength ?? DEFAULTS.maxLastEventIdLength
  }

  /** The request's Last-Event-ID: the header, else the `lastEventIdParam` query parameter. */
  lastEventId(request: SseRequest): string | undefined {
    const header = request.header('last-event-id')
    if (header !== null) return header
    const param = this.options.lastEventIdParam
    return param ? (request.url.searchParams.get(param) ?? undefined) : undefined
  }

  #refuse(
    request: SseRequest,
    status: number,
    code: string,
    message: string,
    extraHeaders: Record<string, string> = {},
    withAppHeaders = true,
  ): Admission {
    this.stats.refused++
    const headers = { ...(withAppHeaders && this.#appHeaders(request)), ...extraHeaders }
    // RFC 9110 §15.3.5, §15.3.6, §15.4.5: 204, 205 and 304 end at their headers (and a web
    // `Response` with one of them cannot have a body at all).
    if (NO_BODY.has(status)) return { ok: false, status, headers, body: '' }
    return {
      ok: false,
      status,
      headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
      body: JSON.stringify({ error: { code, message } }),
    }
  }

  /** The app's `responseHeaders`, checked (see {@link #checked}). */
  #appHeaders(request: SseRequest, principal?: Principal): Record<string, string> | null {
    const hook = this.options.responseHeaders
    return hook ? this.#checked('responseHeaders', () => hook(request, principal)) : {}
  }

  /**
   * Headers from app code, checked once here for every adapter: a hook that throws, a name
   * that is not a token or a value node:http would refuse (a CR or LF could split the
   * response) is reported and gives null, and the request gets a bare 500.
   */
  #checked(
    source: string,
    make: () => Record<string, string> | undefined,
  ): Record<string, string> | null {
    try {
      const headers = make() ?? {}
      for (const [name, value] of Object.entries(headers)) {
        // RFC 9110 §5.1 field-name = token; §5.5 field-value: no CTL but HTAB (node's rule).
        if (!HEADER_NAME.test(name) || typeof value !== 'string' || INVALID_VALUE.test(value)) {
          throw new TypeError(`${source} gave an invalid header: ${JSON.stringify(name)}`)
        }
      }
      return headers
    } catch (cause) {
      this.#report('ERR_SSE_HANDLER_FAILED', `The app's ${source} failed.`, cause)
      return null
    }
  }

  #report(code: ErrorCode, message: string, cause?: unknown): void {
    this.dispatchEvent(
      new CustomEvent('error', { detail: new SprinklerError(code, message, { cause }) }),
    )
  }
}
