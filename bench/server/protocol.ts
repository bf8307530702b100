/**
 * Messages between the `server` suite (the parent) and its child processes: the servers under
 * test and the load generators. Every request carries an `id`; the child answers with the same
 * `id`. Children may also send unsolicited events (`kind: 'event'`).
 */

/** The implementations under test, in table order. */
export const IMPLEMENTATIONS = [
  'sprinkler',
  'sprinkler-fast-path',
  'sprinkler-coalesced',
  'express-loop',
  'hono-streamSSE',
  'better-sse',
  'fastify-sse',
  'raw-node-http',
  'ws',
  'floor-net-socket',
] as const
/** The hub benchmark's implementations: the bare toolkit at its best, and the hub over HTTP. */
export const HUB_IMPLEMENTATIONS = ['sprinkler-fast-path', 'hub'] as const

export type Implementation = (typeof IMPLEMENTATIONS)[number] | (typeof HUB_IMPLEMENTATIONS)[number]

/** How a client speaks to an implementation. */
export type Protocol = 'sse' | 'ws'

/** Not a library: the cost floor of an SSE stream on Node (see impls.ts). */
export const REFERENCE: readonly Implementation[] = ['floor-net-socket']

export function protocolOf(impl: Implementation): Protocol {
  return impl === 'ws' ? 'ws' : 'sse'
}

export interface Request {
  id: number
  kind: 'request'
  cmd: string
  args?: Record<string, unknown>
}

export interface Reply {
  id: number
  kind: 'reply'
  ok: boolean
  result?: unknown
  error?: string
}

export interface ChildEvent {
  kind: 'event'
  event: string
  data?: unknown
}

export type ChildMessage = Reply | ChildEvent

/** What a server process reports about itself. */
export interface ServerInfo {
  pid: number
  /** Connections the implementation counts as subscribed (its own notion). */
  subscribers: number
  rss: number
  heapUsed: number
  external: number
  arrayBuffers: number
  /** CPU time (user + system) used by the process so far, in microseconds. */
  cpuUs: number
  /** `process.hrtime` now, in microseconds (one clock for every process of the machine). */
  nowUs: number
  /** Errors the server saw (e.g. EMFILE on accept), by code. */
  errors: Record<string, number>
}

export interface PublishResult {
  /** hrtime (µs) just before the first publish and just after the last publish call returned. */
  startUs: number
  endUs: number
  /** Process CPU time (µs) at the first publish. */
  cpuStartUs: number
  published: number
}

/** A group of connections as one load generator sees it. */
export interface GroupStats {
  /** Connections that got their response head (200, or 101 for WebSocket). */
  open: number
  /** Connections the server closed after they opened. */
  closedByPeer: number
  /** Attempts that never opened, by error. */
  failed: Record<string, number>
  frames: number
  minFrames: number
  maxFrames: number
}

/** The monotonic clock shared by every process on the machine, in microseconds. */
export function nowUs(): number {
  return Number(process.hrtime.bigint() / 1000n)
}

/** Width of the timestamp written after `@` at the start of every payload. */
export const STAMP_DIGITS = 15

/** A payload of exactly `size` bytes (ASCII): `@`, the publish time in µs, then padding. */
export function makePayload(size: number, stampUs: number): string {
  const stamp = `@${String(stampUs).padStart(STAMP_DIGITS, '0')}`
  return stamp + 'x'.repeat(Math.max(0, size - stamp.length))
}

/** A child's commands, by name; each gets the request's `args` and may return a promise. */
export type Handlers = Record<string, (args: Record<string, unknown>) => unknown>

/**
 * Answers the parent's requests with `handlers` (one reply per request, with its `id`), and
 * ends this process when the parent goes away, so no orphan holds thousands of sockets.
 */
export function serveRequests(handlers: Handlers): void {
  const reply = (message: Reply) => process.send?.(message)
  process.on('message', (message: Request) => {
    const handler = handlers[message.cmd]
    Promise.resolve()
      .then(() => {
        if (!handler) throw new Error(`unknown command ${message.cmd}`)
        return handler(message.args ?? {})
      })
      .then(
        (result) => reply({ id: message.id, kind: 'reply', ok: true, result }),
        (error: unknown) =>
          reply({ id: message.id, kind: 'reply', ok: false, error: String(error) }),
      )
  })
  process.on('disconnect', () => process.exit(0))
}
