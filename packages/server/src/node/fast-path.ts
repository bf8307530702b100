import type { Server as HttpServer } from 'node:http'
import { maxHeaderSize, STATUS_CODES } from 'node:http'
import { createServer, Server, type Socket } from 'node:net'
import { SseEndpoint } from '../endpoint.js'
import type { SseRequest } from '../types.js'
import { HeadReader, INCOMPLETE, NOT_OURS, type StreamHead, trimOws } from './head.js'
import { endSoon, forwardEvents, SocketTransport } from './socket.js'

export interface FastPathOptions {
  /** The event-stream path (the query is ignored), or a test on the path. */
  path: string | ((pathname: string) => boolean)
  /**
   * Time a connection has to send a whole request head to the fast path; past it, 408 and the
   * connection is closed. Default: the app's `headersTimeout` (node's default, 60 s); 0 turns
   * it off, as on node:http.
   */
  headersTimeoutMs?: number
  /**
   * After the fast path has answered and ended a connection (a refusal, a HEAD, a stream the
   * server closed), how long the client may keep its own half open before the socket is
   * destroyed. Default 1 000 ms.
   */
  endGraceMs?: number
}

/** The server to listen on: a net.Server that also drops every connection on demand. */
export interface FastPathServer extends Server {
  /** Drops every connection: event streams, heads being read and those handed to the app. */
  closeAllConnections(): void
}

/**
 * Serves event streams (GET and HEAD on `path`) from the socket itself, before node:http sees
 * them, and hands every other connection to `app` untouched (the bytes read so far are put
 * back first). Mount the same endpoint in `app` too, for the requests that reach it there
 * (other methods get its 405, and heads the fast path leaves to node, see `HeadReader`).
 *
 * An HTTP server keeps a parser, a request and a response alive for as long as a response
 * lasts; an event stream lasts for hours, so that machinery is most of what an idle stream
 * costs. Here a stream costs its socket, its parsed head and the stream itself. Plain
 * HTTP/1.x only (put TLS and HTTP/2 on a proxy in front, or use the regular adapters).
 *
 * The app is configured as usual and its settings hold on both paths: connections handed to
 * it get node's `headersTimeout` and `requestTimeout` checks (node starts them on
 * 'listening', which the app hears when this server listens; `close()` closes the app too),
 * and the fast path reads at most the app's `maxHeaderSize` and `maxHeadersCount`.
 *
 * `const server = createFastPath(app, events.endpoint, { path: '/events' }); server.listen(3000)`
 */
export function createFastPath(
  app: HttpServer,
  endpoint: SseEndpoint | { endpoint: SseEndpoint },
  options: FastPathOptions,
): FastPathServer {
  const sse = endpoint instanceof SseEndpoint ? endpoint : endpoint.endpoint
  const graceMs = options.endGraceMs ?? 1000
  // Sockets still the fast path's: heads being read and event streams.
  const owned = new Set<Socket>()
  // Shared, so a stream's socket holds no closure of its own (nor what it would capture).
  function forget(this: Socket) {
    owned.delete(this)
  }

  const server = createServer((socket) => {
    owned.add(socket)
    socket.on('error', ignore) // a reset before the head; afterwards the stream owns errors
    const reader = new HeadReader({
      path: options.path,
      maxBytes: (app as { maxHeaderSize?: number }).maxHeaderSize ?? maxHeaderSize,
      maxFields: app.maxHeadersCount ?? 2000,
    })
    const timeoutMs = options.headersTimeoutMs ?? app.headersTimeout
    const timer = timeoutMs > 0 ? setTimeout(() => judged(408), timeoutMs) : undefined
    const closed = () => {
      clearTimeout(timer)
      owned.delete(socket)
    }
    /** Whatever follows the head phase: its timer, listeners and state go. */
    const judged = (outcome: StreamHead | typeof NOT_OURS | 408) => {
      clearTimeout(timer)
      socket.off('data', onData)
      socket.off('close', closed)
      if (outcome === NOT_OURS) {
        owned.delete(socket)
        return handOff(app, socket, reader.bytes())
      }
      socket.once('close', forget)
      // Nothing more is expected from the client; keep reading so its FIN is seen.
      socket.on('data', ignore)
      // Node answers a head that is too slow with 408, and so does the fast path.
      if (outcome === 408) return respond(socket, 408, 'Request timeout.', graceMs)
      // Nothing thrown here may become an unhandled rejection (that ends a node process).
      serve(sse, new FastRequest(outcome, socket), socket, graceMs).catch(() => socket.destroy())
    }
    const onData = (chunk: Buffer) => {
      const head = reader.feed(chunk)
      if (head !== INCOMPLETE) judged(head)
    }
    socket.once('close', closed)
    socket.on('data', onData)
  }) as FastPathServer

  server.on('listening', () => app.emit('listening'))
  server.close = function close(this: FastPathServer, callback?: (error?: Error) => void) {
    app.close()
    return Server.prototype.close.call(this, callback) as FastPathServer
  }
  server.closeAllConnections = () => {
    for (const socket of owned) socket.destroy()
    app.closeAllConnections()
  }
  return server
}

/** Gives node:http the connection as if it had accepted it, the bytes read so far put back. */
function handOff(app: HttpServer, socket: Socket, bytes: Buffer): void {
  socket.off('error', ignore)
  socket.pause()
  socket.unshift(bytes)
  app.emit('connection', socket)
  socket.resume()
}

// node:http keeps the first of these fields when a request repeats them, joins repeated
// Cookie lines with "; " and every other repeated field with ", ".
const FIRST_ONLY = new Set([
  'age',
  'authorization',
  'content-length',
  'content-type',
  'etag',
  'expires',
  'from',
  'host',
  'if-modified-since',
  'if-unmodified-since',
  'last-modified',
  'location',
  'max-forwards',
  'proxy-authorization',
  'referer',
  'retry-after',
  'server',
  'user-agent',
])

/**
 * The request as the toolkit sees it; `raw` is the socket. The head is kept as the one string
 * it arrived as and searched when a header is asked for (a few times, at admission): cheaper
 * than a map held for the life of the stream.
 */
class FastRequest implements SseRequest {
  readonly method: string
  readonly target: string
  /** The header lines, CRLF-separated. */
  readonly head: string
  #url: URL | undefined
  constructor(
    head: StreamHead,
    readonly raw: Socket,
  ) {
    this.method = head.method
    this.target = head.target
    this.head = head.fields
  }

  get url(): URL {
    this.#url ??= new URL(this.target, 'http://localhost')
    return this.#url
  }

  get remoteAddress(): string | undefined {
    return this.raw.remoteAddress
  }

  /** Case-insensitive; repeated fields read as node:http reads them. */
  header(name: string): string | null {
    const wanted = name.toLowerCase()
    const separator = wanted === 'cookie' ? '; ' : ', '
    let found: string | null = null
    let start = 0
    const head = this.head
    while (start < head.length) {
      let end = head.indexOf('\r\n', start)
      if (end === -1) end = head.length
      const colon = head.indexOf(':', start)
      if (colon - start === wanted.length && head.slice(start, colon).toLowerCase() === wanted) {
        const value = trimOws(head.slice(colon + 1, end))
        if (found === null) found = value
        else if (FIRST_ONLY.has(wanted)) break
        else found = `${found}${separator}${value}`
      }
      start = end + 2
    }
    return found
  }
}

function ignore(): void {}

async function serve(
  endpoint: SseEndpoint,
  request: FastRequest,
  socket: Socket,
  graceMs: number,
): Promise<void> {
  const admission = await endpoint.admit(request, 1)
  if (socket.destroyed) return
  if (!admission.ok) {
    return respond(socket, admission.status, admission.body, graceMs, admission.headers)
  }
  if (request.method === 'HEAD') {
    // The connection ends here, so the response says so.
    const headers = { ...admission.headers, connection: 'close' }
    return endSoon(socket, statusLine(200) + headerLines(headers), graceMs)
  }
  socket.write(statusLine(200) + headerLines(admission.headers))
  const stream = endpoint.open(request, admission, new SocketTransport(socket, undefined, graceMs))
  forwardEvents(stream, socket, socket)
}

/** A complete response, then the connection ends (destroyed `graceMs` later at the latest). */
function respond(
  socket: Socket,
  status: number,
  body: string,
  graceMs: number,
  headers: Record<string, string> = {},
): void {
  // RFC 9110 §8.6, §15.3.5, §15.4.5: a 204 or 304 ends at its headers and sends no
  // Content-Length (nor a type for content it cannot have).
  const all: Record<string, string> =
    status === 204 || status === 304
      ? { ...headers }
      : {
          'content-type': 'text/plain; charset=utf-8',
          ...headers,
          'content-length': String(Buffer.byteLength(body)),
        }
  all.connection = 'close'
  endSoon(socket, statusLine(status) + headerLines(all) + body, graceMs)
}

const statusLine = (status: number) => `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n`

/** Header lines. The endpoint has checked every header from app code (no CR/LF can split). */
function headerLines(headers: Record<string, string>): string {
  let out = ''
  for (const [name, value] of Object.entries(headers)) out += `${name}: ${value}\r\n`
  return `${out}\r\n`
}
