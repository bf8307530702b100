import type { Server as HttpServer } from 'node:http'
import { STATUS_CODES } from 'node:http'
import { createServer, type Server, type Socket } from 'node:net'
import { SseEndpoint } from '../endpoint.js'
import type { SseRequest } from '../types.js'
import { forwardEvents, SocketTransport } from './socket.js'

export interface FastPathOptions {
  /** The event-stream path (the query is ignored), or a test on the path. */
  path: string | ((pathname: string) => boolean)
  /** Largest request head accepted (431 past it). Default 16 KiB, as node:http. */
  maxHeaderBytes?: number
  /** A connection that has not sent its request head by then is dropped. Default 30 s. */
  headersTimeoutMs?: number
}

/** The server to listen on: a net.Server that also drops every connection on demand. */
export interface FastPathServer extends Server {
  /** Drops every connection: event streams and those handed to the app. */
  closeAllConnections(): void
}

/**
 * Serves event streams (GET and HEAD on `path`) from the socket itself, before node:http sees
 * them, and hands every other connection to `app` untouched (the bytes read so far are put
 * back first). Mount the same endpoint in `app` too, for the requests that reach it there
 * (other methods get its 405).
 *
 * An HTTP server keeps a parser, a request and a response alive for as long as a response
 * lasts; an event stream lasts for hours, so that machinery is most of what an idle stream
 * costs. Here a stream costs its socket, its parsed head and the stream itself. Plain
 * HTTP/1.x only (put TLS and HTTP/2 on a proxy in front, or use the regular adapters).
 *
 * `const server = createFastPath(app, events.endpoint, { path: '/events' }); server.listen(3000)`
 */
export function createFastPath(
  app: HttpServer,
  endpoint: SseEndpoint | { endpoint: SseEndpoint },
  options: FastPathOptions,
): FastPathServer {
  const sse = endpoint instanceof SseEndpoint ? endpoint : endpoint.endpoint
  const matches =
    typeof options.path === 'string'
      ? (pathname: string) => pathname === options.path
      : options.path
  const maxHeaderBytes = options.maxHeaderBytes ?? 16 * 1024
  const headersTimeoutMs = options.headersTimeoutMs ?? 30_000
  const streaming = new Set<Socket>()

  const server = createServer((socket) => {
    let head: Buffer | undefined
    const timer = setTimeout(() => socket.destroy(), headersTimeoutMs)
    socket.on('error', ignore) // a reset before the head; afterwards the stream owns errors
    const onData = (chunk: Buffer) => {
      head = head ? Buffer.concat([head, chunk]) : chunk
      const lineEnd = head.indexOf('\r\n')
      if (lineEnd === -1) {
        // Not even a request line yet: let node:http judge anything this long.
        if (head.length > 8192) handOff()
        return
      }
      const target = streamTarget(head.toString('latin1', 0, lineEnd), matches)
      if (!target) return handOff()
      const end = head.indexOf('\r\n\r\n')
      if (end === -1 ? head.length > maxHeaderBytes : end > maxHeaderBytes) {
        clearTimeout(timer)
        socket.off('data', onData)
        return respond(socket, 431, 'Request header fields too large.')
      }
      if (end === -1) return
      clearTimeout(timer)
      socket.off('data', onData)
      // Nothing more is expected from the client; keep reading so its FIN is seen.
      socket.on('data', ignore)
      const request = parseHead(head.toString('latin1', lineEnd + 2, end), target, socket)
      if (!request) return respond(socket, 400, 'Malformed request head.')
      // Nothing thrown here may become an unhandled rejection (that ends a node process).
      serve(sse, request, socket, streaming).catch(() => socket.destroy())
    }
    const handOff = () => {
      clearTimeout(timer)
      socket.off('data', onData)
      socket.off('error', ignore)
      socket.pause()
      if (head) socket.unshift(head)
      app.emit('connection', socket)
      socket.resume()
    }
    socket.on('data', onData)
  }) as FastPathServer

  server.closeAllConnections = () => {
    for (const socket of streaming) socket.destroy()
    app.closeAllConnections()
  }
  return server
}

interface Target {
  method: string
  target: string
}

/**
 * `GET /events?x HTTP/1.1` (or HEAD) for a matching path → the method and target; else
 * undefined, and the app gets the connection (a POST to the same path, a CORS preflight).
 */
function streamTarget(line: string, matches: (pathname: string) => boolean): Target | undefined {
  const m = /^(GET|HEAD) (\/\S*) HTTP\/1\.[01]$/.exec(line)
  if (!m) return undefined
  const target = m[2] as string
  const query = target.indexOf('?')
  return matches(query === -1 ? target : target.slice(0, query))
    ? { method: m[1] as string, target }
    : undefined
}

// RFC 9110 §5.1: field-name = token.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/

/** Header lines → a request; undefined when a line is malformed or a body is announced. */
function parseHead(
  lines: string,
  { method, target }: Target,
  socket: Socket,
): FastRequest | undefined {
  const request = new FastRequest(method, target, lines, socket)
  for (const line of lines === '' ? [] : lines.split('\r\n')) {
    const colon = line.indexOf(':')
    if (colon <= 0 || !TOKEN.test(line.slice(0, colon))) return undefined
  }
  // A GET for a stream has no body; one announced would be smuggled into nothing. (Other
  // methods are refused with 405 and the connection closed, body unread.)
  const length = request.header('content-length')
  const hasBody =
    request.header('transfer-encoding') !== null || (length !== null && length !== '0')
  if (hasBody && (method === 'GET' || method === 'HEAD')) return undefined
  return request
}

/**
 * The request as the toolkit sees it; `raw` is the socket. The head is kept as the one string
 * it arrived as and searched when a header is asked for (a few times, at admission): cheaper
 * than a map held for the life of the stream.
 */
class FastRequest implements SseRequest {
  #url: URL | undefined
  constructor(
    readonly method: string,
    readonly target: string,
    /** The header lines, CRLF-separated. */
    readonly head: string,
    readonly raw: Socket,
  ) {}

  get url(): URL {
    this.#url ??= new URL(this.target, 'http://localhost')
    return this.#url
  }

  get remoteAddress(): string | undefined {
    return this.raw.remoteAddress
  }

  /** Case-insensitive; repeated fields are joined with `, `. */
  header(name: string): string | null {
    const wanted = name.toLowerCase()
    let found: string | null = null
    let start = 0
    const head = this.head
    while (start < head.length) {
      let end = head.indexOf('\r\n', start)
      if (end === -1) end = head.length
      const colon = head.indexOf(':', start)
      if (colon !== -1 && colon < end && colon - start === wanted.length) {
        if (head.slice(start, colon).toLowerCase() === wanted) {
          const value = head.slice(colon + 1, end).trim()
          found = found === null ? value : `${found}, ${value}`
        }
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
  streaming: Set<Socket>,
) {
  streaming.add(socket)
  socket.once('close', () => streaming.delete(socket))
  const admission = await endpoint.admit(request, 1)
  if (socket.destroyed) return
  if (!admission.ok) return respond(socket, admission.status, admission.body, admission.headers)
  socket.write(statusLine(200) + headerLines(admission.headers))
  if (request.method === 'HEAD') {
    socket.end()
    return
  }
  const stream = endpoint.open(request, admission, new SocketTransport(socket))
  forwardEvents(stream, socket, socket)
}

function respond(
  socket: Socket,
  status: number,
  body: string,
  headers: Record<string, string> = {},
): void {
  const all: Record<string, string> = { 'content-type': 'text/plain; charset=utf-8', ...headers }
  all['content-length'] = String(Buffer.byteLength(body))
  all.connection = 'close'
  socket.end(statusLine(status) + headerLines(all) + body)
}

const statusLine = (status: number) => `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n`

/** Header lines. The endpoint has checked every header from app code (no CR/LF can split). */
function headerLines(headers: Record<string, string>): string {
  let out = ''
  for (const [name, value] of Object.entries(headers)) out += `${name}: ${value}\r\n`
  return `${out}\r\n`
}
