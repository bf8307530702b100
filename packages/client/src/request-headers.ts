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
  const headers: Record<string, string> = Object.fromEntries(new Headers(user))
  delete headers.accept
  // spec: "User agents may set (`Accept`, `text/event-stream`) in request's header list."
  headers.Accept = 'text/event-stream'
  // spec: "If the EventSource object's last event ID string is not the empty string, ... set
  // (`Last-Event-ID`, lastEventIDValue) in request's header list."
  if (lastEventId !== '') {
    delete headers['last-event-id']
    headers['Last-Event-ID'] = lastEventIdValue(lastEventId)
  }
  return headers as FetchLikeInit['headers']
}

// spec: "Let lastEventIDValue be the EventSource object's last event ID string, encoded as
// UTF-8." Header values are byte strings, one character per byte, so each UTF-8 byte becomes
// the character with that code: the server receives exactly the UTF-8 bytes a browser sends.
// WebKitGTK and WPE WebKit (libsoup; user agent "… Linux … AppleWebKit/605…"; Chromium's is 537)
// send header strings UTF-8 encoded instead: `'ü'` leaves as `c3 bc` where the Fetch spec,
// Chromium, Firefox and Node send `fc`. There text within U+0000–U+00FF goes as it is and
// arrives as the same UTF-8 bytes; wider text cannot go right (their fetch refuses it), so it is
// packed and arrives encoded twice. (Safari on Apple's network stack was not tested.)
export function lastEventIdValue(
  text: string,
  userAgent: string | undefined = globalThis.navigator?.userAgent,
): string {
  // encodeURIComponent gives the UTF-8 bytes as %XX escapes; unescape turns each back into the
  // character with that code. (A decoded stream never holds the lone surrogates it rejects.)
  return /Linux.*AppleWebKit\/605/.test(userAgent as string) && /^[\0-\xff]*$/.test(text)
    ? text
    : unescape(encodeURIComponent(text))
}

/**
 * spec: "if res's `Content-Type` is not `text/event-stream`, then fail the connection". The
 * MIME type's essence is compared, so parameters (`; charset=utf-8`) and case don't matter.
 */
export function isEventStream(contentType: string | null): boolean {
  return contentType?.split(';')[0]?.trim().toLowerCase() === 'text/event-stream'
}
