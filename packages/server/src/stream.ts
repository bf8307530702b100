import { encodeEventBytes, SprinklerError } from '@sprinkler/core'
import { concatBytes } from './bytes.js'
import { joinHeartbeat } from './heartbeat.js'
import { type ServerEvent, toEventInput } from './message.js'
import type { Principal, SseRequest } from './types.js'

/** The byte sink an adapter provides for one response. */
export interface SseTransport {
  /** Writes bytes; `false` means the client is not keeping up: wait for `drained()`. */
  write(chunk: Uint8Array): boolean
  /** Bytes accepted by `write` that the socket has not taken yet (counted in the bound). */
  bufferedBytes(): number
  /** Ends the response gracefully, after everything written so far. */
  end(): void
  /** Drops the connection at once (slow client, shutdown deadline). */
  destroy(): void
}

/** Why a stream ended: its `signal.reason`. */
export type DisconnectCode =
  | 'ERR_SSE_CLIENT_CLOSED'
  | 'ERR_SSE_SLOW_CLIENT'
  | 'ERR_SSE_SERVER_CLOSED'

export interface StreamInit {
  id: string
  request: SseRequest
  principal: Principal
  lastEventId: string | undefined
  transport: SseTransport
  heartbeatMs: number
  maxBufferBytes: number
}

const HEARTBEAT = new TextEncoder().encode(':\n')

/**
 * One client's event stream. Everything tied to the connection (heartbeat, channel
 * subscriptions, your own timers) hangs off `signal`, which aborts exactly once, with a
 * `SprinklerError` reason saying why, whoever ends the stream.
 */
export class SseStream {
  /** Connection id: unique per stream, the target of `to: { connection }`. */
  readonly id: string
  readonly request: SseRequest
  /** What `authorize` returned for this request. */
  readonly principal: Principal
  /** The Last-Event-ID the client resumed from (header, or the configured query parameter). */
  readonly lastEventId: string | undefined

  readonly #controller = new AbortController()
  readonly #transport: SseTransport
  readonly #maxBufferBytes: number
  #pending: Uint8Array[] = []
  #pendingBytes = 0
  #flushScheduled = false
  #paused = false
  #wroteSinceHeartbeat = false
  #markFinished!: () => void
  /** Settles when the connection itself is gone (after the response ended or was dropped). */
  readonly finished: Promise<void> = new Promise((resolve) => {
    this.#markFinished = resolve
  })

  constructor(init: StreamInit) {
    this.id = init.id
    this.request = init.request
    this.principal = init.principal
    this.lastEventId = init.lastEventId
    this.#transport = init.transport
    this.#maxBufferBytes = init.maxBufferBytes
    if (init.heartbeatMs > 0) {
      this.#controller.signal.addEventListener('abort', joinHeartbeat(init.heartbeatMs, this), {
        once: true,
      })
    }
  }

  /** Aborts when the stream ends, for any reason; `signal.reason.code` says which. */
  get signal(): AbortSignal {
    return this.#controller.signal
  }

  get closed(): boolean {
    return this.#controller.signal.aborted
  }

  /** Bytes waiting for this client: queued here plus accepted by the transport but unsent. */
  get bufferedBytes(): number {
    return this.#pendingBytes + this.#transport.bufferedBytes()
  }

  /**
   * Queues one event (`data` that is not a string is sent as JSON). Sends made in the same tick leave in one socket write. Returns false
   * when the stream is closed (nothing is queued then). Throws `ERR_SSE_INVALID_FIELD` for
   * an `event` or `id` that would inject fields, before anything is queued.
   */
  send(event: ServerEvent): boolean {
    return this.write(encodeEventBytes(toEventInput(event)))
  }

  /** Sends a comment line (ignored by clients; keeps proxies from timing out). */
  comment(text = ''): boolean {
    return this.write(encodeEventBytes({ comment: text }))
  }

  /**
   * Queues bytes that are already whole `text/event-stream` frames (what channels use to
   * write one pre-encoded buffer to every subscriber).
   */
  write(frames: Uint8Array): boolean {
    if (this.closed) return false
    this.#pending.push(frames)
    this.#pendingBytes += frames.byteLength
    this.#wroteSinceHeartbeat = true
    if (this.#paused) {
      // The socket is full: past the bound, this client costs more than it may.
      if (this.bufferedBytes > this.#maxBufferBytes) this.#slowClient()
    } else if (!this.#flushScheduled) {
      this.#flushScheduled = true
      queueMicrotask(this.#flush)
    }
    return true
  }

  /**
   * Ends the stream gracefully: an optional last event, everything queued, then the end of
   * the response. `signal` aborts with `ERR_SSE_SERVER_CLOSED`.
   */
  close(finalEvent?: ServerEvent): void {
    if (this.closed) return
    if (finalEvent) this.send(finalEvent)
    this.#writePending()
    this.#abort('ERR_SSE_SERVER_CLOSED', 'The server closed the stream.')
    this.#transport.end()
  }

  /** Adapter hook: the transport can take more bytes. */
  drained(): void {
    this.#paused = false
    if (this.#pendingBytes > 0 && !this.#flushScheduled && !this.closed) {
      this.#flushScheduled = true
      queueMicrotask(this.#flush)
    }
  }

  /** Adapter hook: the connection is gone (client went away, or the response finished). */
  disconnected(): void {
    this.#abort('ERR_SSE_CLIENT_CLOSED', 'The client closed the connection.')
    this.#markFinished()
  }

  /** Forcibly drops the connection (used at the shutdown deadline). */
  destroy(): void {
    this.#abort('ERR_SSE_SERVER_CLOSED', 'The server dropped the stream.')
    this.#transport.destroy()
    this.#markFinished()
  }

  /** @internal Called by the shared heartbeat timer. */
  heartbeat(): void {
    if (!this.#wroteSinceHeartbeat && !this.#paused) this.write(HEARTBEAT)
    this.#wroteSinceHeartbeat = false
  }

  readonly #flush = (): void => {
    this.#flushScheduled = false
    if (this.#paused || this.closed) return
    this.#writePending()
  }

  #writePending(): void {
    if (this.#pendingBytes === 0) return
    const chunk = concatBytes(this.#pending, this.#pendingBytes)
    this.#pending = []
    this.#pendingBytes = 0
    if (!this.#transport.write(chunk)) this.#paused = true
  }

  #slowClient(): void {
    this.#pending = []
    this.#pendingBytes = 0
    this.#abort(
      'ERR_SSE_SLOW_CLIENT',
      `The client fell more than maxBufferBytes (${this.#maxBufferBytes}) behind and was disconnected; it can resume with Last-Event-ID.`,
    )
    this.#transport.destroy()
  }

  #abort(code: DisconnectCode, message: string): void {
    if (this.closed) return
    this.#pending = []
    this.#pendingBytes = 0
    this.#controller.abort(new SprinklerError(code, message))
  }
}
