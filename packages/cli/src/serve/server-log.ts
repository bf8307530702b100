// `sprinkler serve`'s own log, for the `/logs` page: the requests it answers, what the demos
// publish and what it logs (pino's JSON lines), kept in the log terminal's bounded rings. Lines never carry secrets: no header is
// logged, and query values are kept only for parameters that are known to be harmless.
import { Socket } from 'node:net'
import { PassThrough, type Writable } from 'node:stream'
import type { UpdateInput } from '@sprinkler/hub'
import { createLogApp, type LogApp, LogFeed, readLines, type SourceSink } from '@sprinkler/logs'
import type { SseEndpoint, SseStream } from '@sprinkler/server'
import type { Listener } from '../listen.js'

/** Where the page is served. */
export const LOGS_PATH = '/logs'

/** Query parameters whose values are shown; every other value is replaced by `***`. */
const SHOWN_QUERY_VALUES = new Set(['topic', 'lastEventID', 'Last-Event-ID'])
/** Longest method, path and query shown; longer ones are cut with a marker. */
const MAX_METHOD = 16
const MAX_PATH = 256
const MAX_QUERY = 256
const MAX_DATA = 160

/** Lines kept per source: a demo server's log is small. */
const LINES = 5000

export interface ServerLog {
  /** The `/logs` page, its assets and its stream. */
  app: LogApp
  /** Wraps the server's listener: every request answered through it is logged when it ends. */
  logRequests(listener: Listener): Listener
  /** Logs the streams an endpoint serves from the socket (the fast path), when they end. */
  logStreams(endpoint: SseEndpoint): void
  /** Logs a demo's publish. */
  logPublish(input: UpdateInput): void
  /** Where the server's logger writes too (one line per entry). */
  output: Writable
  close(): Promise<void>
}

export async function createServerLog(): Promise<ServerLog> {
  const feed = new LogFeed({ lines: LINES, ringBytes: 4 * 1024 * 1024, maxLineBytes: 4096 })
  const requests = feed.addSource({ name: 'requests', kind: 'app' })
  const demos = feed.addSource({ name: 'demos', kind: 'app' })
  // Left open when the log closes: the logger may still write, and a closed feed drops lines.
  const output = new PassThrough()
  readLines(feed.addSource({ name: 'server', kind: 'app' }), output)
  const app = await createLogApp({ feed, basePath: LOGS_PATH })
  return {
    app,
    logRequests: (listener) => (req, res) => {
      const started = performance.now()
      res.once('close', () => {
        const status = res.headersSent ? res.statusCode : undefined
        const closedEarly = !res.writableFinished
        push(
          requests,
          requestLine(req.method ?? '', req.url ?? '', status, performance.now() - started) +
            (closedEarly ? ' (closed before the end)' : ''),
        )
      })
      listener(req, res)
    },
    logStreams: (endpoint) => {
      const opened = new WeakMap<SseStream, number>()
      endpoint.addEventListener('open', (event) => {
        const stream = (event as CustomEvent<SseStream>).detail
        // Streams node:http served are logged by `logRequests`.
        if (stream.request.raw instanceof Socket) opened.set(stream, performance.now())
      })
      endpoint.addEventListener('close', (event) => {
        const stream = (event as CustomEvent<SseStream>).detail
        const started = opened.get(stream)
        if (started === undefined) return
        const { method, url } = stream.request
        const line = requestLine(
          method,
          url.pathname + url.search,
          200,
          performance.now() - started,
        )
        push(requests, `${line} (stream)`)
      })
    },
    logPublish: (input) => push(demos, publishLine(input)),
    output,
    close: async () => {
      feed.close()
      await app.events.close({ timeoutMs: 1000 })
    },
  }
}

function push(sink: SourceSink, line: string): void {
  sink.line(line, Buffer.byteLength(line))
}

/**
 * One request as a log line: `info GET /ticker 200 3 ms` (`warn` for 4xx, `error` for 5xx,
 * `-` for a request that got no answer). The target is shown with query values redacted (see
 * `redactTarget`); headers (Authorization, Cookie) are never shown.
 */
export function requestLine(
  method: string,
  target: string,
  status: number | undefined,
  durationMs: number,
): string {
  const level = status === undefined || status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info'
  const ms = durationMs < 10 ? durationMs.toFixed(1) : Math.round(durationMs).toString()
  return `${level} ${visible(method, MAX_METHOD)} ${redactTarget(target)} ${status ?? '-'} ${ms} ms`
}

/**
 * A request target safe to show: the path (of an absolute-form target, without its scheme,
 * host and credentials), then the query with every value replaced by `***` except those of
 * `SHOWN_QUERY_VALUES`. Bytes outside printable ASCII are percent-encoded, and long parts cut.
 */
export function redactTarget(target: string): string {
  if (target === '*') return target
  const mark = target.indexOf('?')
  let path = mark === -1 ? target : target.slice(0, mark)
  // `GET http://user:secret@host/path`: only the path is the server's business.
  if (!path.startsWith('/')) path = URL.canParse(path) ? new URL(path).pathname : '/?'
  if (mark === -1) return visible(path, MAX_PATH)
  // Split at `;` as well as `&`: some servers take either, and a value must not hide a pair.
  const query = target
    .slice(mark + 1)
    .replace(/([^&;=]*)=([^&;]*)/g, (pair, key: string) =>
      SHOWN_QUERY_VALUES.has(decodeKey(key)) ? pair : `${key}=***`,
    )
  return `${visible(path, MAX_PATH)}?${visible(query, MAX_QUERY)}`
}

/** One publish as a log line: topics, type, and the data of public updates only. */
export function publishLine(input: UpdateInput): string {
  const topics = input.topics.map((topic) => visible(topic, MAX_PATH)).join(' ')
  const type = input.type === undefined ? '' : ` (${visible(input.type, MAX_METHOD)})`
  const size = `${Buffer.byteLength(input.data)} bytes`
  if (input.private) return `info publish ${topics}${type} private, ${size}`
  return `info publish ${topics}${type} ${visible(input.data, MAX_DATA, CONTROL)}`
}

function decodeKey(key: string): string {
  try {
    return decodeURIComponent(key.replace(/\+/g, ' '))
  } catch {
    return key
  }
}

const utf8 = new TextEncoder()
const percentEncoded = (run: string) =>
  Array.from(utf8.encode(run), (b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('')

/** Not printable ASCII: request targets show anything else percent-encoded, as in a URL. */
const NOT_ASCII = /[^\x20-\x7e]+/g
/** Control characters (escape sequences included) and bidirectional overrides, in published text. */
const CONTROL = /[\p{Cc}\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]+/gu

/** At most `max` characters of `text` (then a marker), with `unsafe` runs percent-encoded. */
function visible(text: string, max: number, unsafe = NOT_ASCII): string {
  const cut = text.length > max ? text.slice(0, max) : text
  const shown = cut.replace(unsafe, percentEncoded)
  return text.length > max ? `${shown}… (${text.length - max} more characters)` : shown
}
