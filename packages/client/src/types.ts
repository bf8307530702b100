import type { SseErrorEvent } from './error-event.js'

/** The request options every connection attempt passes to `fetch` (the `eventsource` v3+ shape). */
export interface FetchLikeInit {
  method: string
  /** `Accept: text/event-stream`, `Last-Event-ID` when there is one, and the `headers` option. */
  headers: { [name: string]: string; Accept: 'text/event-stream' }
  body?: BodyInit | null
  credentials: RequestCredentials
  mode: 'cors'
  cache: 'no-store'
  redirect: 'follow'
  /** Aborted when the attempt ends: `close()`, the `signal` option, a read timeout. */
  signal: AbortSignal
}

/** What a reader of the response body must offer (a `ReadableStreamDefaultReader` does). */
export interface ReaderLike {
  /** `value` must be a `Uint8Array` when `done` is false. */
  read(): Promise<{ done: false; value: unknown } | { done: true; value?: unknown }>
  cancel(reason?: unknown): Promise<void>
}

/** The parts of a `Response` the client reads. */
export interface FetchLikeResponse {
  readonly status: number
  /** The final URL after redirects: events carry its origin. May be empty. */
  readonly url: string
  readonly headers: { get(name: string): string | null }
  readonly body: { getReader(): ReaderLike; cancel?(reason?: unknown): Promise<void> } | null
}

/** Any `fetch`: the global one, undici's, a wrapper adding headers or a proxy. */
export type FetchLike = (url: string, init: FetchLikeInit) => Promise<FetchLikeResponse>

/** Headers in any form `fetch` accepts. */
export type HeadersLike = HeadersInit

/**
 * Exponential backoff with jitter. Setting it (even to `{}`) turns it on; unset, the client
 * reconnects as the spec says (after the reconnection time, and never after a non-200).
 */
export interface RetryOptions {
  /** Delay after the first failure in a row; a server `retry:` field replaces it. Default 1000. */
  initialDelayMs?: number
  /** Upper bound of the delay before jitter. Default 30000. */
  maxDelayMs?: number
  /** Growth per consecutive failure. Default 2. */
  factor?: number
  /** Each delay varies by ±this fraction of itself (0.5 = ±50%). Default 0.5. */
  jitter?: number
  /**
   * How many reconnection attempts in a row may fail; when one more fails the source is
   * `CLOSED` with a final `ERR_SSE_RETRIES_EXHAUSTED` error event. Default `Infinity`.
   */
  maxRetries?: number
}

/** `new EventSource(url, init)`: the standard `withCredentials` plus Sprinkler's options. */
export interface EventSourceInit {
  /** As in the standard: credentials mode `include` instead of `same-origin`. */
  withCredentials?: boolean
  /**
   * Sent on every connection. A (sync or async) function is called before every attempt, so
   * it can return a fresh token; on 401/403 it is called once more and the request retried once.
   */
  headers?: HeadersLike | (() => HeadersLike | Promise<HeadersLike>)
  /** Default `GET`; sent again on every reconnection. */
  method?: string
  /** Sent again on every reconnection, so it must be re-readable (not a stream). */
  body?: BodyInit | null
  /** Default `same-origin`, or `include` with `withCredentials: true`. */
  credentials?: RequestCredentials
  /** Every request goes through it. Default: the global `fetch`. */
  fetch?: FetchLike
  /** Aborting it is `close()`; an already aborted signal gives a source that is `CLOSED` at once. */
  signal?: AbortSignal
  /** Backoff with jitter, `Retry-After` and a retry limit; see {@link RetryOptions}. */
  retry?: RetryOptions
  /** No bytes at all (not even a heartbeat) for this long → reconnect. 0 (default) = off. */
  readTimeoutMs?: number
  /**
   * Browsers: one connection per URL for all tabs of this origin (Web Locks + BroadcastChannel).
   * Where those are missing it is an ordinary connection.
   */
  shared?: boolean
}

/** The event types and what they carry, for typed `addEventListener`. */
export interface EventSourceEventMap {
  open: Event
  message: MessageEvent<string>
  error: SseErrorEvent
}
