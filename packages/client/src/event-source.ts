import {
  checkOptions,
  createParser,
  createUtf8Decoder,
  ofType,
  oneOf,
  type Parser,
  SprinklerError,
  timerMs,
} from '@sprinkler/core'
import { watchAbort } from './abort-watch.js'
import {
  backoffDelay,
  clampDelay,
  parseRetryAfter,
  type RetryPolicy,
  retryPolicy,
} from './backoff.js'
import { type ClientErrorCode, SseErrorEvent } from './error-event.js'
import { isEventStream, requestHeaders } from './request-headers.js'
import type { EventSourceEventMap, EventSourceInit, FetchLike } from './types.js'

const CONNECTING = 0
const OPEN = 1
const CLOSED = 2

// spec: "A reconnection time, in milliseconds. This must initially be an implementation-defined
// value, probably in the region of a few seconds." Chromium and the `eventsource` package use 3 s.
const DEFAULT_RECONNECTION_TIME = 3000

// [NON-SPEC] While async iterators hold this many events between them, the source stops
// reading the response: TCP pushes back to the server instead of memory growing without bound.
const BACKLOG_LIMIT = 1024

type Handler = EventHandler<Event>

const flag = ofType('boolean')
const object = ofType('object')
/** What `init` may hold; `body` is whatever `fetch` accepts. */
const INIT_OPTIONS = {
  withCredentials: flag,
  headers: ofType('object', 'function'),
  method: ofType('string'),
  credentials: oneOf('omit', 'same-origin', 'include'),
  fetch: ofType('function'),
  signal: object,
  retry: object,
  readTimeoutMs: timerMs,
  shared: flag,
}

/**
 * What an event handler attribute accepts. (Reading one gives a plain `(event) => unknown`,
 * so that a source stays assignable to the DOM's `EventSource` type.)
 */
export type EventHandler<E extends Event> = ((this: EventSource, event: E) => unknown) | null

/** How one connection attempt ended, when the source must do something about it. */
interface Outcome {
  error: SprinklerError<ClientErrorCode>
  status?: number
  /** Fail the connection (no reconnection) instead of reestablishing it. */
  fatal?: boolean
  /** A server's `Retry-After`, in ms: replaces the computed delay. */
  delay?: number | undefined
}

/**
 * @internal How the shared-tabs module (`./shared.js`) drives a source whose connection lives
 * in another tab: it announces, dispatches and fails through these instead of a fetch.
 */
export interface SharedBridge {
  readonly init: EventSourceInit
  /** No Web Locks or BroadcastChannel here: connect as an ordinary source. */
  solo(): void
  open(): void
  error(code: ClientErrorCode, message: string, status: number | undefined, fatal: boolean): void
}

const err = (code: ClientErrorCode, message: string, cause?: unknown) =>
  new SprinklerError(code, message, { cause })

/**
 * The WHATWG `EventSource` over `fetch`, for browsers and Node: the standard interface and
 * processing model, plus request headers refreshed before every connection, any method and
 * body, backoff with jitter, a read timeout, an `AbortSignal` and async iteration.
 * @see https://html.spec.whatwg.org/multipage/server-sent-events.html
 */
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: the interface below only adds typed overloads of EventTarget's methods
export class EventSource extends EventTarget {
  static readonly CONNECTING = CONNECTING
  static readonly OPEN = OPEN
  static readonly CLOSED = CLOSED
  declare readonly CONNECTING: 0
  declare readonly OPEN: 1
  declare readonly CLOSED: 2

  readonly #url: string
  readonly #init: EventSourceInit
  readonly #fetch: FetchLike
  readonly #retry: RetryPolicy | undefined
  readonly #parser: Parser
  #state: number = CONNECTING
  /** Owns the current attempt: aborting it ends the fetch, the body and the read timer. */
  #attempt: AbortController | undefined
  #timer: ReturnType<typeof setTimeout> | undefined
  /** The reconnection time a server's `retry:` field set; unset until one does. */
  #reconnectionTime: number | undefined
  #failures = 0
  #refreshed = false
  #lastRead = 0
  #origin: string
  #fatal: SprinklerError | undefined
  #handlers: Record<string, { fn: Handler; listener: (event: Event) => void }> = {}
  #onClose = new Set<() => void>()
  /** Events queued by async iterators, not yet taken. */
  #backlog = 0
  #resume: (() => void) | undefined
  #unshare: (() => void) | undefined
  /** Stops watching `init.signal` (set while a source watches one). */
  #unwatch: (() => void) | undefined

  constructor(url: string | URL, init: EventSourceInit = {}) {
    super()
    // spec: "Let urlRecord be the result of encoding-parsing a URL given url, relative to
    // settings. If urlRecord is failure, then throw a "SyntaxError" DOMException." The base is
    // the document's base URL, or a worker's location.
    let record: URL
    try {
      record = new URL(url, globalThis.document?.baseURI ?? globalThis.location?.href)
    } catch {
      throw new DOMException(`Invalid URL ${url}`, 'SyntaxError')
    }
    this.#url = record.href
    this.#origin = record.origin
    // [NON-SPEC] every option is checked before anything happens (ERR_SSE_INVALID_OPTION).
    checkOptions('EventSource', init, INIT_OPTIONS)
    this.#init = init
    this.#fetch = init.fetch ?? ((url, init) => fetch(url, init))
    this.#retry = init.retry && retryPolicy(init.retry)
    this.#parser = createParser({
      onEvent: (event) =>
        // spec: "Queue a task which, if the readyState attribute is set to a value other than
        // CLOSED, dispatches the newly created event at the EventSource object."
        this.#state !== CLOSED &&
        this.dispatchEvent(
          // spec: "Initialize event's type attribute to "message", its data attribute to data,
          // its origin attribute to the serialization of the origin of the event stream's final
          // URL ..., and its lastEventId attribute to the last event ID string".
          new MessageEvent(event.type, {
            data: event.data,
            lastEventId: event.lastEventId,
            origin: this.#origin,
          }),
        ),
      // spec: "set the event stream's reconnection time to that integer."
      onRetry: (ms) => {
        this.#reconnectionTime = ms
      },
    })
    const { signal } = init
    if (signal) {
      // [NON-SPEC] the `signal` option: aborting it is `close()`.
      if (signal.aborted) {
        this.#state = CLOSED
        return
      }
      this.#unwatch = watchAbort(signal, () => this.close())
    }
    if (init.shared) this.#share()
    else this.#connect()
  }

  /** `CONNECTING` (0), `OPEN` (1) or `CLOSED` (2). */
  get readyState(): number {
    return this.#state
  }

  /** The URL of the event stream, resolved against the document's base URL. */
  get url(): string {
    return this.#url
  }

  /** Whether requests send credentials cross-origin (`credentials: 'include'`). */
  get withCredentials(): boolean {
    return this.#init.withCredentials === true
  }

  get onopen(): ((event: Event) => unknown) | null {
    return this.#handler('open')
  }
  set onopen(fn: EventHandler<Event>) {
    this.#setHandler('open', fn)
  }
  get onmessage(): ((event: MessageEvent<string>) => unknown) | null {
    return this.#handler('message') as EventHandler<MessageEvent<string>>
  }
  set onmessage(fn: EventHandler<MessageEvent<string>>) {
    this.#setHandler('message', fn as Handler)
  }
  get onerror(): ((event: Event) => unknown) | null {
    return this.#handler('error')
  }
  set onerror(fn: EventHandler<SseErrorEvent>) {
    this.#setHandler('error', fn as Handler)
  }

  /**
   * spec: "The close() method must abort any instances of the fetch algorithm started for this
   * EventSource object, and must set the readyState attribute to CLOSED."
   */
  close(): void {
    this.#state = CLOSED
    this.#attempt?.abort()
    this.#attempt = undefined
    this.#stopWaiting()
    this.#unwatch?.()
    this.#unwatch = undefined
    this.#unshare?.()
    this.#unshare = undefined
    for (const wake of this.#onClose) wake()
    this.#resume?.()
  }

  /**
   * [NON-SPEC] `for await (const event of source)`: the `message` events in order, queued
   * while the loop body is busy. Ends when the source is closed (`close()`, the signal) after
   * the queue is drained; throws the `SprinklerError` if the source failed for good. Leaving
   * the loop early closes the source, as leaving a `ReadableStream`'s loop cancels it.
   */
  async *[Symbol.asyncIterator](): AsyncGenerator<MessageEvent<string>, void, undefined> {
    const queue: MessageEvent<string>[] = []
    let wake: (() => void) | undefined
    const onMessage = (event: MessageEvent<string>) => {
      queue.push(event)
      this.#backlog++
      wake?.()
    }
    const onClose = () => wake?.()
    this.addEventListener('message', onMessage)
    this.#onClose.add(onClose)
    try {
      for (;;) {
        const event = queue.shift()
        if (event) {
          this.#taken(1)
          yield event
        } else if (this.#state === CLOSED) break
        else {
          await new Promise<void>((resolve) => {
            wake = resolve
          })
        }
      }
      if (this.#fatal) throw this.#fatal
    } finally {
      this.removeEventListener('message', onMessage)
      this.#onClose.delete(onClose)
      this.#taken(queue.length)
      this.close()
    }
  }

  #taken(count: number): void {
    this.#backlog -= count
    if (this.#backlog < BACKLOG_LIMIT) this.#resume?.()
  }

  #handler(type: string): Handler {
    return this.#handlers[type]?.fn ?? null
  }

  // spec (HTML event handlers): the first handler set adds one event listener, in the order of
  // registration; setting another replaces the callback in place; setting null removes it.
  #setHandler(type: string, fn: Handler): void {
    const current = this.#handlers[type]
    if (typeof fn !== 'function') {
      if (current) this.removeEventListener(type, current.listener)
      delete this.#handlers[type]
    } else if (current) current.fn = fn
    else {
      const entry = {
        fn,
        listener: (event: Event) => {
          entry.fn?.call(this, event)
        },
      }
      this.#handlers[type] = entry
      this.addEventListener(type, entry.listener)
    }
  }

  /** One connection attempt, from the headers to the end of the body. */
  #connect(): void {
    // spec: "If the EventSource object's readyState attribute is not set to CONNECTING, then
    // return."
    if (this.#state !== CONNECTING) return
    const attempt = new AbortController()
    this.#attempt = attempt
    const { signal } = attempt
    const timeout = this.#init.readTimeoutMs ?? 0
    if (timeout > 0) this.#watchReads(attempt, timeout)
    this.#run(signal).then(
      (outcome) => this.#settle(attempt, outcome),
      (cause: unknown) =>
        this.#settle(attempt, {
          error:
            signal.reason instanceof SprinklerError
              ? signal.reason
              : err('ERR_SSE_NETWORK', `Network error: ${cause}`, cause),
        }),
    )
  }

  async #run(signal: AbortSignal): Promise<Outcome> {
    const init = this.#init
    const headers = init.headers
    const response = await this.#fetch(this.#url, {
      method: init.method ?? 'GET',
      body: init.body,
      headers: requestHeaders(
        typeof headers === 'function' ? await headers() : headers,
        this.#parser.lastEventId,
      ),
      // spec: "Let corsAttributeState be Anonymous", or "Use Credentials" with withCredentials:
      // a potential-CORS request, credentials "same-origin" or "include"; cache mode "no-store".
      credentials: init.credentials ?? (init.withCredentials ? 'include' : 'same-origin'),
      mode: 'cors',
      cache: 'no-store',
      // spec: "Event stream requests can be redirected using HTTP 301 and 307 redirects as with
      // normal HTTP requests." fetch follows them (and 302, 303, 308, as browsers do).
      redirect: 'follow',
      signal,
    })
    signal.throwIfAborted()
    const status = response.status
    if (status !== 200) {
      void response.body?.cancel?.().catch(noop)
      // [NON-SPEC] a `headers` function gets one chance to refresh a rejected token.
      if ((status === 401 || status === 403) && typeof headers === 'function' && !this.#refreshed) {
        this.#refreshed = true
        return this.#run(signal)
      }
      // [NON-SPEC] with `retry` set, 5xx and 429 are retried like network errors.
      const retryable = this.#retry !== undefined && (status >= 500 || status === 429)
      return {
        // spec: "if res's status is not 200 ... then fail the connection." (This includes 204,
        // which the spec names as the way to tell a client to stop reconnecting.)
        error: err('ERR_SSE_STATUS', `HTTP ${status}`),
        status,
        fatal: !retryable,
        delay: retryable ? parseRetryAfter(response.headers.get('retry-after')) : undefined,
      }
    }
    const type = response.headers.get('content-type')
    if (!isEventStream(type)) {
      void response.body?.cancel?.().catch(noop)
      return {
        error: err('ERR_SSE_CONTENT_TYPE', `Content-Type ${type}`),
        status,
        fatal: true,
      }
    }
    // spec: events carry "the origin of the event stream's final URL (i.e., the URL after
    // redirects)".
    this.#announce(response.url ? new URL(response.url).origin : this.#origin)
    // spec: "interpret res's body line by line". A new stream: the parser drops any unfinished
    // event of the last one but keeps the last event ID string, and the decoder strips a BOM
    // at the start of every stream.
    const body = response.body
    if (body) {
      const reader = body.getReader()
      const decoder = createUtf8Decoder()
      const timed = init.readTimeoutMs
      this.#parser.reset()
      for (;;) {
        while (this.#backlog >= BACKLOG_LIMIT && !signal.aborted) {
          await new Promise<void>((resolve) => {
            this.#resume = resolve
          })
        }
        const chunk = await reader.read()
        if (chunk.done) break
        if (timed) this.#lastRead = Date.now()
        this.#parser.feed(decoder.decode(chunk.value as Uint8Array))
        if (signal.aborted) {
          void reader.cancel().catch(noop)
          signal.throwIfAborted()
        }
      }
      // spec: "Once the end of the file is reached, any pending data must be discarded."
      this.#parser.feed(decoder.flush())
    }
    // spec: processEventSourceEndOfBody: "if res is not a network error, then reestablish the
    // connection."
    return { error: err('ERR_SSE_NETWORK', 'Stream ended') }
  }

  // spec: "announce the connection": "if the readyState attribute is set to a value other than
  // CLOSED, sets the readyState attribute to OPEN and fires an event named open".
  #announce(origin: string): void {
    this.#origin = origin
    this.#failures = 0
    this.#refreshed = false
    if (this.#state === CLOSED) return
    this.#state = OPEN
    this.dispatchEvent(new Event('open'))
  }

  /** Ends an attempt (it owns its timers and body) and reconnects or fails, as it asks. */
  #settle(attempt: AbortController, outcome: Outcome): void {
    attempt.abort()
    if (this.#attempt !== attempt) return
    this.#attempt = undefined
    if (outcome.fatal) this.#fail(outcome.error, outcome.status)
    else this.#reestablish(outcome.error, outcome.status, outcome.delay)
  }

  /** [NON-SPEC] `readTimeoutMs`: no bytes for that long aborts the attempt, which reconnects. */
  #watchReads(attempt: AbortController, timeout: number): void {
    this.#lastRead = Date.now()
    let timer: ReturnType<typeof setTimeout>
    const check = () => {
      // Not reading because iterators are behind is not the server's silence.
      if (this.#backlog >= BACKLOG_LIMIT) this.#lastRead = Date.now()
      const idle = Date.now() - this.#lastRead
      if (idle < timeout) timer = setTimeout(check, timeout - idle)
      else attempt.abort(err('ERR_SSE_READ_TIMEOUT', `Nothing read for ${timeout} ms`))
    }
    timer = setTimeout(check, timeout)
    attempt.signal.addEventListener('abort', () => clearTimeout(timer))
  }

  // spec: "reestablish the connection".
  #reestablish(error: SprinklerError<ClientErrorCode>, status?: number, retryAfter?: number) {
    // spec: "If the readyState attribute is set to CLOSED, abort the task."
    if (this.#state === CLOSED) return
    const failures = ++this.#failures
    const retry = this.#retry
    if (retry && failures > retry.maxRetries) {
      this.#fail(err('ERR_SSE_RETRIES_EXHAUSTED', `${failures} failures in a row`, error), status)
      return
    }
    // spec: "Set the readyState attribute to CONNECTING. Fire an event named error at the
    // EventSource object."
    this.#state = CONNECTING
    this.#fireError(error, status)
    if (this.#state !== CONNECTING) return
    // spec: "Wait a delay equal to the reconnection time of the event source. Optionally, wait
    // some more. In particular, if the previous attempt failed, then user agents might
    // introduce an exponential backoff delay". [NON-SPEC] `retry` and `Retry-After`, and
    // never more than MAX_RECONNECT_DELAY_MS (a longer timer would fire after 1 ms).
    const delay =
      retryAfter ??
      (retry
        ? backoffDelay(failures, this.#reconnectionTime ?? retry.initialDelayMs, retry)
        : (this.#reconnectionTime ?? DEFAULT_RECONNECTION_TIME))
    this.#timer = setTimeout(this.#reconnect, clampDelay(delay))
    // spec: "if the operating system has reported that there is no network connectivity, user
    // agents might wait for the operating system to announce that the network connection has
    // returned before retrying." [NON-SPEC] Back online: reconnect at once.
    globalThis.addEventListener?.('online', this.#reconnect)
  }

  #reconnect = () => {
    this.#stopWaiting()
    this.#connect()
  }

  #stopWaiting(): void {
    clearTimeout(this.#timer)
    this.#timer = undefined
    globalThis.removeEventListener?.('online', this.#reconnect)
  }

  // spec: "fail the connection": "if the readyState attribute is set to a value other than
  // CLOSED, sets the readyState attribute to CLOSED and fires an event named error".
  #fail(error: SprinklerError<ClientErrorCode>, status?: number): void {
    if (this.#state === CLOSED) return
    this.#fatal = error
    this.close()
    this.#fireError(error, status)
  }

  #fireError(error: SprinklerError<ClientErrorCode>, status: number | undefined): void {
    this.dispatchEvent(
      new SseErrorEvent('error', {
        code: error.code,
        message: error.message,
        status,
        cause: error.cause,
      }),
    )
  }

  /** [NON-SPEC] `shared: true`: the connection may live in another tab; see `./shared.ts`. */
  #share(): void {
    const bridge: SharedBridge = {
      init: this.#init,
      solo: () => this.#connect(),
      open: () => this.#announce(this.#origin),
      error: (code, message, status, fatal) => {
        const error = err(code, message)
        if (fatal) this.#fail(error, status)
        else if (this.#state !== CLOSED) {
          this.#state = CONNECTING
          this.#fireError(error, status)
        }
      },
    }
    import('./shared.js').then(
      (shared) => {
        if (this.#state !== CLOSED) this.#unshare = shared.share(this, bridge)
      },
      () => this.#connect(),
    )
  }
}

for (const [name, value] of Object.entries({ CONNECTING, OPEN, CLOSED })) {
  Object.defineProperty(EventSource.prototype, name, { value, enumerable: true })
}
// How code written for the `eventsource` package (v3+) detects that `fetch` can be given.
Object.defineProperty(EventSource, Symbol.for('eventsource.supports-fetch-override'), {
  value: true,
})

/** Typed listeners for the standard events; any other type gets a `MessageEvent`. */
export interface EventSource {
  addEventListener<K extends keyof EventSourceEventMap>(
    type: K,
    listener: (this: EventSource, event: EventSourceEventMap[K]) => unknown,
    options?: boolean | AddEventListenerOptions,
  ): void
  addEventListener(
    type: string,
    listener: (this: EventSource, event: MessageEvent<string>) => unknown,
    options?: boolean | AddEventListenerOptions,
  ): void
  addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | AddEventListenerOptions,
  ): void
  removeEventListener<K extends keyof EventSourceEventMap>(
    type: K,
    listener: (this: EventSource, event: EventSourceEventMap[K]) => unknown,
    options?: boolean | EventListenerOptions,
  ): void
  removeEventListener(
    type: string,
    listener: (this: EventSource, event: MessageEvent<string>) => unknown,
    options?: boolean | EventListenerOptions,
  ): void
  removeEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | EventListenerOptions,
  ): void
}

function noop(): void {}
