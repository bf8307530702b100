/**
 * The fast path's request-head reader. It recognises one narrow shape of request, a plain
 * `GET`/`HEAD` of the event-stream path, and says "not ours" to everything else at the first
 * byte that rules it out: node:http then parses those bytes again and answers as it always
 * does (its 400, 431, 417, or the app). So the fast path is never laxer than node's parser
 * (llhttp): it serves only heads that node accepts and reads the same way, and it never
 * refuses a head itself.
 */

/** A head the fast path serves. */
export interface StreamHead {
  method: 'GET' | 'HEAD'
  /** The request target in origin-form: the path, then the query if any. */
  target: string
  /** The header lines, CRLF-separated, without the final empty line (latin1, as node reads). */
  fields: string
}

export interface HeadLimits {
  /**
   * The event-stream path, or a test given the target's path exactly as sent. A path is
   * matched byte by byte as it arrives, so another path goes to node:http at its first
   * differing byte (node's header timeout then counts from there).
   */
  path: string | ((pathname: string) => boolean)
  /** Bytes buffered at most; a longer head goes to node:http, which applies its own limit. */
  maxBytes: number
  /** Field lines at most; node:http ignores the lines past its `maxHeadersCount`. */
  maxFields: number
}

/** `feed` goes on while this is returned: the head is not complete yet. */
export const INCOMPLETE = 0
/** Not a head the fast path serves: hand every byte read to node:http. */
export const NOT_OURS = 1

const CR = 0x0d
const LF = 0x0a
const SP = 0x20
const SLASH = 0x2f
const COLON = 0x3a
const QUESTION = 0x3f

function charClass(chars: string, ranges: [number, number][] = []): Uint8Array {
  const table = new Uint8Array(256)
  for (let i = 0; i < chars.length; i++) table[chars.charCodeAt(i)] = 1
  for (const [from, to] of ranges) table.fill(1, from, to + 1)
  return table
}

// RFC 9110 §5.6.2: token = 1*tchar.
const TCHAR = charClass("!#$%&'*+-.^_`|~", [
  [0x30, 0x39],
  [0x41, 0x5a],
  [0x61, 0x7a],
])
// RFC 9112 §3.2.1: origin-form = absolute-path [ "?" query ], built of RFC 3986 pchar, "/" and
// "?". No control character, space, backslash, "#", quote or byte above 0x7F is served here.
const TARGET = charClass("-._~!$&'()*+,;=:@%/?", [
  [0x30, 0x39],
  [0x41, 0x5a],
  [0x61, 0x7a],
])
// RFC 9110 §5.5: field-value characters are VCHAR, obs-text, SP and HTAB. NUL, CR, LF and
// every other control character make a value invalid.
const VALUE = charClass('\t', [
  [0x20, 0x7e],
  [0x80, 0xff],
])

// Where the reader is in the head.
const METHOD = 0
const TARGET_START = 1
const IN_TARGET = 2
const VERSION = 3
const LINE_LF = 4
const FIELD_START = 5
const NAME = 6
const IN_VALUE = 7
const HEAD_LF = 8

// RFC 9112 §3: request-line = method SP request-target SP HTTP-version, one SP each; §3.1: the
// method is case-sensitive. §2.3: HTTP-version = "HTTP/" DIGIT "." DIGIT; node takes others
// too, the fast path HTTP/1.0 and HTTP/1.1 only.
const VERSION_PREFIX = 'HTTP/1.'

/**
 * Reads one request head from chunks as they arrive, byte by byte, once each (work linear in
 * the head's length; the bytes are kept in a buffer that doubles). A byte that cannot belong to
 * a stream head ends the reading at once, so a malformed head (bare LF, bare CR, NUL) goes to
 * node:http without waiting for more.
 */
export class HeadReader {
  #buffer: Buffer | undefined
  #length = 0
  #state = METHOD
  /** Where the line being read starts. */
  #lineStart = 0
  /** How far into METHOD's, the path's or VERSION's expected text the reader is. */
  #matched = 0
  /** In the query part of the target. */
  #inQuery = false
  #method: 'GET ' | 'HEAD ' = 'GET '
  #fieldsStart = -1
  #target = ''
  #http11 = true
  #fields = 0
  #hosts = 0
  #contentLength = false

  constructor(readonly limits: HeadLimits) {}

  /** Every byte read so far, to put back in front of the socket for node:http. */
  bytes(): Buffer {
    return this.#buffer ? this.#buffer.subarray(0, this.#length) : Buffer.alloc(0)
  }

  feed(chunk: Buffer): StreamHead | typeof INCOMPLETE | typeof NOT_OURS {
    const from = this.#length
    this.#append(chunk)
    const buffer = this.#buffer as Buffer
    for (let i = from; i < this.#length; i++) {
      const c = buffer[i] as number
      switch (this.#state) {
        case METHOD:
          if (!this.#readMethod(c)) return NOT_OURS
          break
        case TARGET_START:
          // RFC 9112 §3.2.1: an absolute path starts with "/".
          if (c !== SLASH) return NOT_OURS
          this.#matched = 0
          this.#state = IN_TARGET
          if (!this.#pathByte(c)) return NOT_OURS
          break
        case IN_TARGET:
          if (c === SP) {
            if (!this.#pathByte(c)) return NOT_OURS
            this.#target = buffer.toString('latin1', this.#lineStart + this.#method.length, i)
            this.#state = VERSION
            this.#matched = 0
          } else if (TARGET[c] !== 1 || !this.#pathByte(c)) return NOT_OURS
          break
        case VERSION:
          if (this.#matched < VERSION_PREFIX.length) {
            if (c !== VERSION_PREFIX.charCodeAt(this.#matched++)) return NOT_OURS
          } else if (this.#matched === VERSION_PREFIX.length && (c === 0x30 || c === 0x31)) {
            this.#http11 = c === 0x31
            this.#matched++
          } else if (c === CR && this.#matched > VERSION_PREFIX.length) {
            this.#state = LINE_LF
          } else return NOT_OURS
          break
        case LINE_LF:
          // RFC 9112 §2.2: a CR not followed by LF (bare CR) is invalid.
          if (c !== LF) return NOT_OURS
          if (!this.#lineDone(buffer, i)) return NOT_OURS
          this.#lineStart = i + 1
          this.#state = FIELD_START
          break
        case FIELD_START:
          // RFC 9112 §5.2: a line starting with SP or HTAB (obs-fold) is not a field line.
          if (c === CR) this.#state = HEAD_LF
          else if (TCHAR[c] === 1) this.#state = NAME
          else return NOT_OURS
          break
        case NAME:
          // RFC 9112 §5.1: no whitespace between the field name and the colon.
          if (c === COLON) this.#state = IN_VALUE
          else if (TCHAR[c] !== 1) return NOT_OURS
          break
        case IN_VALUE:
          if (c === CR) this.#state = LINE_LF
          else if (VALUE[c] !== 1) return NOT_OURS
          break
        case HEAD_LF:
          if (c !== LF || i >= this.limits.maxBytes) return NOT_OURS
          return this.#complete(buffer)
      }
      // RFC 9112 §2.2: lines end in CRLF. node:http refuses a bare LF (a recipient MAY take
      // it as a line end): no state above accepts LF but after a CR, so it goes to node.
    }
    return this.#length > this.limits.maxBytes ? NOT_OURS : INCOMPLETE
  }

  #append(chunk: Buffer): void {
    if (this.#buffer === undefined) {
      // Usually the whole head comes in one chunk: kept as it is, no copy.
      this.#buffer = chunk
      this.#length = chunk.length
      return
    }
    const needed = this.#length + chunk.length
    if (needed > this.#buffer.length) {
      const grown = Buffer.allocUnsafe(Math.max(needed, this.#buffer.length * 2))
      this.#buffer.copy(grown, 0, 0, this.#length)
      this.#buffer = grown
    }
    chunk.copy(this.#buffer, this.#length)
    this.#length = needed
  }

  /** RFC 9112 §3.1: GET and HEAD only, case-sensitive, then one SP. */
  #readMethod(c: number): boolean {
    if (this.#matched === 0) {
      if (c === 0x47) this.#method = 'GET '
      else if (c === 0x48) this.#method = 'HEAD '
      else return false
    } else if (c !== this.#method.charCodeAt(this.#matched)) return false
    if (++this.#matched === this.#method.length) this.#state = TARGET_START
    return true
  }

  /** Whether a target byte (or the SP after it) can still be part of the path wanted. */
  #pathByte(c: number): boolean {
    const path = this.limits.path
    if (typeof path !== 'string' || this.#inQuery) return true
    if (c === QUESTION || c === SP) {
      this.#inQuery = true
      return this.#matched === path.length
    }
    return c === path.charCodeAt(this.#matched++)
  }

  /** A complete line (its CRLF at `lf`): the request line, or a field line. */
  #lineDone(buffer: Buffer, lf: number): boolean {
    if (this.#fieldsStart === -1) {
      this.#fieldsStart = lf + 1
      const query = this.#target.indexOf('?')
      const path = query === -1 ? this.#target : this.#target.slice(0, query)
      const wanted = this.limits.path
      // A string path has been matched byte by byte already.
      return isNormalPath(path) && (typeof wanted === 'string' || wanted(path))
    }
    if (++this.#fields > this.limits.maxFields) return false
    const line = buffer.toString('latin1', this.#lineStart, lf - 1)
    const colon = line.indexOf(':')
    switch (line.slice(0, colon).toLowerCase()) {
      // RFC 9112 §3.2: more than one Host is a 400, node's to give.
      case 'host':
        return ++this.#hosts === 1
      // RFC 9112 §6.3: a body, or several Content-Length lines (alike or not), are framing for
      // node:http to read or refuse; a stream request has no body.
      case 'content-length':
        if (this.#contentLength) return false
        this.#contentLength = true
        return trimOws(line.slice(colon + 1)) === '0'
      // RFC 9112 §6.1: a body in chunks, or Transfer-Encoding with Content-Length (§6.3).
      case 'transfer-encoding':
      // RFC 9110 §10.1.1: node answers 100 Continue, or 417 to other expectations.
      case 'expect':
      // RFC 9110 §7.8: node emits 'upgrade' to the app when it listens for it.
      case 'upgrade':
        return false
      default:
        return true
    }
  }

  #complete(buffer: Buffer): StreamHead | typeof NOT_OURS {
    // RFC 9112 §3.2: an HTTP/1.1 request without Host is a 400 (node's `requireHostHeader`).
    if (this.#http11 && this.#hosts === 0) return NOT_OURS
    const fieldsEnd = Math.max(this.#fieldsStart, this.#lineStart - 2)
    return {
      method: this.#method === 'GET ' ? 'GET' : 'HEAD',
      target: this.#target,
      fields: buffer.toString('latin1', this.#fieldsStart, fieldsEnd),
    }
  }
}

/**
 * RFC 3986 §3.3, §5.2.4: a path a URL parser reads as written, so the path matched is the path
 * the app sees: `//evil/events` starts with an authority to a URL parser, and `/a/../events` is
 * `/events` after dot-segment removal. Those go to node:http and the app's own routing.
 */
function isNormalPath(path: string): boolean {
  if (path.startsWith('//')) return false
  for (const segment of path.split('/')) {
    const dots = segment.replace(/%2e/gi, '.')
    if (dots === '.' || dots === '..') return false
  }
  return true
}

/** RFC 9110 §5.5: leading and trailing OWS (SP, HTAB) is not part of a field value. */
export function trimOws(value: string): string {
  let start = 0
  let end = value.length
  while (start < end && isOws(value.charCodeAt(start))) start++
  while (end > start && isOws(value.charCodeAt(end - 1))) end--
  return value.slice(start, end)
}

const isOws = (code: number) => code === 0x20 || code === 0x09
