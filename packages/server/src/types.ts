import { checkOptions, integer, ofType, required } from '@sprinkler/core'

/** What an adapter tells the toolkit about an incoming request, whatever the framework. */
export interface SseRequest {
  readonly method: string
  /** The full request URL (path and query), parsed. */
  readonly url: URL
  /** Header lookup by case-insensitive name; `null` when absent. */
  header(name: string): string | null
  /** The peer's IP address, where the runtime tells it. */
  readonly remoteAddress?: string | undefined
  /** The framework's own request object (node IncomingMessage, web Request, …). */
  readonly raw: unknown
}

/** Who the connection belongs to: what `authorize` returns to accept a request. */
export interface Principal {
  /** The user id that `to: { user }` targeting and per-user replay compare against. */
  user?: string
  [key: string]: unknown
}

const REFUSAL = {
  // 200 would be a stream, 1xx is not a final answer.
  status: required(integer(201, 599)),
  reason: required(ofType('string')),
  code: ofType('string'),
  headers: ofType('object'),
}

/**
 * A refusal returned by `authorize`; build it with {@link refuse}. Throws
 * `ERR_SSE_INVALID_OPTION` for a status outside 201–599 or a reason that is not a string.
 */
export class Refusal {
  constructor(
    readonly status: number,
    readonly reason: string,
    /** Stable error code in the JSON body; defaults by status (401, 403). */
    readonly code?: string,
    /** Extra response headers (e.g. `retry-after`). */
    readonly headers?: Record<string, string>,
  ) {
    checkOptions('refuse', this, REFUSAL)
  }
}

/**
 * Refuse a request from `authorize`: 401 (who are you?), 403 (not you), or any other 4xx/5xx
 * with your own stable `code` (e.g. 429 for a per-IP limit). The client gets
 * `{ "error": { "code", "message": reason } }`, except after a status that has no body (204,
 * which tells an EventSource to stop reconnecting, 205 and 304): then only the headers.
 */
export function refuse(
  status: number,
  reason: string,
  options: { code?: string; headers?: Record<string, string> } = {},
): Refusal {
  return new Refusal(status, reason, options.code, options.headers)
}

/** The hook where cookies or Bearer tokens are checked. */
export type Authorize = (request: SseRequest) => Principal | Refusal | Promise<Principal | Refusal>

/** Options shared by every adapter. */
export interface SseOptions {
  /** Accept (return a principal) or refuse (return `refuse(401|403, reason)`). Default: accept all. */
  authorize?: Authorize
  /**
   * Extra headers for every response of this endpoint, stream or refusal (CORS, for one). The
   * principal is there when the request was accepted.
   */
  responseHeaders?: (
    request: SseRequest,
    principal?: Principal,
  ) => Record<string, string> | undefined
  /** Comment heartbeat interval; 0 turns heartbeats off. Default 15 000 ms. */
  heartbeatMs?: number
  /** Reconnection delay hint sent as `retry:` when the stream opens. Default: none sent. */
  retryMs?: number
  /** Per-client bound on bytes waiting for a slow socket; past it the client is disconnected. Default 1 MiB. */
  maxBufferBytes?: number
  /** A query parameter also read as the Last-Event-ID (e.g. `lastEventId`), for clients that cannot set headers. */
  lastEventIdParam?: string
  /** Longest Last-Event-ID accepted; longer gets 400. Default 1024. */
  maxLastEventIdLength?: number
}
