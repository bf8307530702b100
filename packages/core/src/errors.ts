/**
 * Every error Sprinkler raises or reports carries a stable `code` from this registry.
 * The descriptions are the documentation: `docs/errors.md` is checked against them.
 */
export const errorCodes = {
  ERR_SSE_INVALID_FIELD:
    'An `event` or `id` contains CR or LF, an `id` contains NUL, or `retry` is not a non-negative integer.',
  ERR_SSE_EMPTY_EVENT: 'encodeEvent was given no field at all; an event needs at least one.',
  ERR_SSE_LINE_TOO_LONG:
    'A line in the event stream exceeded the parser’s `maxLineLength`; the line was discarded.',
  ERR_SSE_INVALID_OPTION:
    'An option passed to a Sprinkler factory has the wrong type or range (NaN, Infinity, a negative or fractional number where none is allowed, a delay over 2³¹−1 ms); the message names the option and what it allows. Thrown before anything is served or sent.',
  ERR_SSE_NETWORK:
    'The client lost its connection: the request failed or the server ended the stream; it reconnects.',
  ERR_SSE_STATUS:
    'The client got an HTTP status other than 200; it stops, unless `retry` is set and it was 5xx or 429.',
  ERR_SSE_CONTENT_TYPE:
    'The client got a 200 whose Content-Type is not `text/event-stream`; it stops for good.',
  ERR_SSE_READ_TIMEOUT:
    'The client received no bytes (not even a heartbeat) for `readTimeoutMs`; it reconnects.',
  ERR_SSE_RETRIES_EXHAUSTED:
    'The client failed `retry.maxRetries` reconnection attempts in a row; it is closed for good.',
  ERR_SSE_CLIENT_CLOSED: 'The client closed the connection (a stream’s signal reason).',
  ERR_SSE_SLOW_CLIENT:
    'A client stopped reading and its buffered bytes passed `maxBufferBytes`; it was disconnected and can resume with Last-Event-ID.',
  ERR_SSE_SERVER_CLOSED: 'The server closed the stream: `close()`, a closed channel, or shutdown.',
  ERR_SSE_UNAUTHORIZED: 'The `authorize` hook refused the request as unauthenticated (HTTP 401).',
  ERR_SSE_FORBIDDEN: 'The `authorize` hook refused the request as not allowed (HTTP 403).',
  ERR_SSE_AUTHORIZE_FAILED:
    'The `authorize` hook threw; the client got a bare 500 and the error is reported as a diagnostic.',
  ERR_SSE_INVALID_LAST_EVENT_ID:
    'The Last-Event-ID header or query parameter is too long (HTTP 400).',
  ERR_SSE_METHOD_NOT_ALLOWED:
    'An event stream was requested with a method other than GET (HTTP 405).',
  ERR_SSE_HANDLER_FAILED:
    'An app hook threw: `onStream` or a route’s stream handler (the stream is closed), or a channel filter (the event is withheld from that subscriber); reported as a diagnostic.',
  ERR_SSE_CHANNEL_CLOSED: 'A stream subscribed to, or an event was published on, a closed channel.',
  ERR_HUB_MISSING_TOPIC: 'A publish or subscribe request has no `topic` (HTTP 400).',
  ERR_HUB_TOO_MANY_TOPICS:
    'A request has more `topic` values than the hub’s `maxTopics` limit (HTTP 400).',
  ERR_HUB_INVALID_TOPIC_SELECTOR:
    'A topic selector looks like a URI Template but is not a valid one (HTTP 400).',
  ERR_HUB_TOPIC_SELECTOR_TOO_LARGE:
    'A topic selector is longer than 2,048 characters, or a URI Template selector has more than 16 variables (HTTP 400).',
  ERR_HUB_INVALID_UPDATE:
    'A published `id`, `type` or `retry` is invalid: an id empty, starting with `#` or holding CR/LF/NUL; a type with CR/LF; a retry that is not a non-negative integer (HTTP 400).',
  ERR_HUB_UNAUTHORIZED:
    'The request needs a JWT and has none, or the hub has no key for that role (HTTP 401).',
  ERR_HUB_INVALID_TOKEN:
    'The JWT is malformed, unsigned (`alg: none`), signed with another key or algorithm, or expired (HTTP 401).',
  ERR_HUB_QUERY_TOKEN_DISABLED:
    'A token came in the `authorization` query parameter, which this hub refuses (`--no-query-token`) (HTTP 401).',
  ERR_HUB_FORBIDDEN_TOPIC:
    'The JWT’s `mercure.publish` (or, for the subscriptions API, `mercure.subscribe`) claim does not cover the topic (HTTP 403).',
  ERR_HUB_FORBIDDEN_ORIGIN:
    'A publish authenticated by cookie came from an origin not named in the CORS list; `*` never allows it (HTTP 403).',
  ERR_HUB_UNSUPPORTED_MEDIA_TYPE:
    'A publish body is not `application/x-www-form-urlencoded` (HTTP 415).',
  ERR_HUB_BODY_TOO_LARGE: 'A publish body is larger than the hub’s `maxBodyBytes` (HTTP 413).',
  ERR_HUB_TOO_MANY_CONNECTIONS:
    'The hub is at its connection limit (HTTP 503) or admitting new connections at its rate limit (HTTP 503 with Retry-After), or the address or token is at its own limit (HTTP 429).',
  ERR_HUB_NOT_FOUND: 'No such subscription or resource in the subscriptions API (HTTP 404).',
  ERR_HUB_METHOD_NOT_ALLOWED:
    'The hub URL was requested with a method it does not serve (HTTP 405).',
  ERR_HUB_TRANSPORT_UNAVAILABLE:
    'The hub cannot reach Redis (its transport): a publish, a replay or the subscriptions API got no answer in time or found the connection down (HTTP 503); the hub reconnects with backoff and `/healthz` says `degraded` meanwhile.',
  ERR_HUB_INVALID_TARGET:
    'The request target is not a plain origin-form path: it starts with `//`, has a backslash, a `.` or `..` segment, or a malformed percent-escape (HTTP 400).',
  ERR_HUB_TRANSPORT_FAILED:
    'The hub’s transport failed where no request waits for the answer (recording a new subscriber’s or removing a closed subscriber’s subscriptions, publishing a subscription event); reported as the hub’s `error` event.',
  ERR_SERVE_CROSS_SITE:
    'A state-changing request to `sprinkler serve` (console, login, badge) lacked the page’s CSRF token, came from another origin or site, or named a non-loopback Host (HTTP 403).',
  ERR_SERVE_INVALID_REQUEST:
    'A `sprinkler serve` endpoint got a body it cannot act on: not JSON, a missing or invalid field, or no signed-in user (HTTP 400).',
  ERR_SERVE_LOOPBACK_ONLY:
    'The publish console, the development login and the server log (`/logs`) of `sprinkler serve` answer only when it listens on a loopback host (HTTP 403).',
  ERR_LOGS_UNAUTHORIZED:
    'A `sprinkler logs` page or stream was requested without a session or the Bearer password, when a password is set (HTTP 401).',
  ERR_LOGS_CROSS_SITE:
    'A request to `sprinkler logs` (or `/logs` of `sprinkler serve`) came from another origin or site (sign-in, sign-out), or, without a password, named a non-loopback Host (HTTP 403).',
  ERR_LOGS_TOO_MANY_ATTEMPTS:
    'Too many failed sign-ins to `sprinkler logs` from one address within a minute (HTTP 429).',
  ERR_LOGS_INVALID_REQUEST:
    'A `sprinkler logs` path got a method or a body it does not take: not a small sign-in form, or not GET (HTTP 400, 405).',
} as const

/** Every code of the registry, and nothing else: an unknown code does not compile. */
export type ErrorCode = keyof typeof errorCodes

const brand = Symbol.for('sprinkler.error')

/**
 * The one error class of every Sprinkler package. `instanceof` works across duplicate
 * copies of the package (it checks a global symbol, not the class identity).
 */
export class SprinklerError<C extends ErrorCode = ErrorCode> extends Error {
  readonly code: C
  readonly [brand] = true

  constructor(code: C, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'SprinklerError'
    this.code = code
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return (
      typeof value === 'object' &&
      value !== null &&
      (value as Record<symbol, unknown>)[brand] === true
    )
  }
}
