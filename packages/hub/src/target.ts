import { HubError } from './errors.js'

// RFC 3986 §3.3: absolute-path = 1*( "/" segment ), segment = *pchar,
// pchar = unreserved / pct-encoded / sub-delims / ":" / "@". Each repetition starts at a `/`
// that the inner class cannot match, so the test is linear.
const ABSOLUTE_PATH = /^(?:\/(?:[\w\-.~!$&'()*+,;=:@]|%[0-9A-Fa-f]{2})*)+$/
const DOT_SEGMENT = /(?:^|\/)\.\.?(?:\/|$)/

/**
 * The path of a request target, which must be in origin-form (RFC 9112 §3.2.1:
 * `absolute-path [ "?" query ]`) and mean exactly what it says: a `//` start (which URL
 * parsers take for a host), a backslash, a dot segment or a malformed escape would make a
 * router see another path than a proxy in front did. Throws `ERR_HUB_INVALID_TARGET` (400).
 */
export function originFormPath(target: string): string {
  const query = target.indexOf('?')
  const path = query === -1 ? target : target.slice(0, query)
  if (path.startsWith('//')) {
    throw invalidTarget('The request target starts with `//` (a host, not a path).')
  }
  if (!ABSOLUTE_PATH.test(path)) {
    throw invalidTarget(
      'The request target is not an origin-form path: `/` segments of RFC 3986 path characters and %XX escapes.',
    )
  }
  if (DOT_SEGMENT.test(path)) {
    throw invalidTarget('The request target has a `.` or `..` segment.')
  }
  return path
}

/** A path segment, percent-decoded; a malformed escape or invalid UTF-8 is a 400. */
export function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment)
  } catch {
    throw invalidTarget('The path has a malformed percent-escape.')
  }
}

function invalidTarget(message: string): HubError {
  return new HubError(400, 'ERR_HUB_INVALID_TARGET', message)
}
