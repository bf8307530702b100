import type { FetchLikeInit, HeadersLike } from './types.js'

/**
 * The header list of one connection attempt, as a plain object (what fetch wrappers written
 * for the `eventsource` package spread): the caller's headers, then `Accept`, then
 * `Last-Event-ID` when the source has one. A caller's own `Last-Event-ID` is kept only while
 * the source has none, so it can resume a stream it read before.
 */
export function requestHeaders(
  user: HeadersLike | undefined,
  lastEventId: string,
): FetchLikeInit['headers'] {
  const headers: Record<string, string> = {}
  if (user) {
    new Headers(user).forEach((value, name) => {
      headers[name] = value
    })
  }
  delete headers.accept
  // spec: "User agents may set (`Accept`, `text/event-stream`) in request's header list."
  headers.Accept = 'text/event-stream'
  // spec: "If the EventSource object's last event ID string is not the empty string, ... set
  // (`Last-Event-ID`, lastEventIDValue) in request's header list."
  if (lastEventId !== '') {
    delete headers['last-event-id']
    headers['Last-Event-ID'] = asByteString(lastEventId)
  }
  return headers as FetchLikeInit['headers']
}

// spec: "Let lastEventIDValue be the EventSource object's last event ID string, encoded as
// UTF-8." Header values are byte strings, one character per byte, so each UTF-8 byte becomes
// the character with that code: the server receives exactly the UTF-8 bytes a browser sends.
export function asByteString(text: string): string {
  // encodeURIComponent gives the UTF-8 bytes as %XX escapes; unescape turns each back into the
  // character with that code. (A decoded stream never holds the lone surrogates it rejects.)
  return unescape(encodeURIComponent(text))
}

/**
 * spec: "if res's `Content-Type` is not `text/event-stream`, then fail the connection". The
 * MIME type's essence is compared, so parameters (`; charset=utf-8`) and case don't matter.
 */
export function isEventStream(contentType: string | null): boolean {
  if (contentType === null) return false
  const semicolon = contentType.indexOf(';')
  const essence = semicolon === -1 ? contentType : contentType.slice(0, semicolon)
  return essence.trim().toLowerCase() === 'text/event-stream'
}
