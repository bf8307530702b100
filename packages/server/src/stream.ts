import { encodeEventBytes, SprinklerError } from '@sprinkler/core'
import { concatBytes } from './bytes.js'
import { joinHeartbeat, leaveHeartbeat } from './heartbeat.js'
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

/** Why a stream ended: its `signal.reason` (and `closeReason`). */
export type DisconnectCode =
  | 'ERR_SSE_CLIENT_CLOSED'
  | 'ERR_SSE_SLOW_CLIENT'
  | 'ERR_SSE_SERVER_CLOSED'

/** Called once when a stream ends, for any reason. */
export type CloseListener = (stream: SseStream) => void

export interface StreamInit {
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
 * subscriptions, your own timers) ends with it: tie yours to `signal` (or `onClose`), which
 * fires exactly once, with a `SprinklerError` reason saying why, whoever ends the stream.
 *
 * A stream is one of thousands, so what costs memory is made only when asked for: the
 * connection id and the AbortSignal are created on first use.
 */
export class SseStream {
  readonly request: SseRequest
  /** What `authorize` returned for this request. */
  readonly principal: Principal
  /** The Last-Event-ID the client resumed from (header, or the configured query parameter). */
  readonly lastEventId: string | undefined

  readonly #transport: SseTransport
  readonly #maxBufferBytes: number
  readonly #heartbeatMs: number
  #id: string | undefined
  #controller: AbortController | undefined
  #reason: SprinklerError | undefined
  #closeListeners: CloseListener[] | undefined
  /** Bytes waiting for the next flush: one chunk, or several. */
  #pending: Uint8Array | Uint8Array[] | undefined
  #pendingBytes = 0
  #flushScheduled = false
  #paused = false
  #wroteSinceHeartbeat = false
  #finished = false
  #finishWaiters: (() => void)[] | undefined

  constructor(init: StreamInit) {
    this.request = init.request
    this.principal = init.principal
    this.lastEventId = init.lastEventId
    this.#transport = init.transport
    this.#maxBufferBytes = init.maxBufferBytes
    this.#heartbeatMs = init.heartbeatMs
    if (init.heartbeatMs > 0) joinHeartbeat(init.heartbeatMs, this)
  }

  /** Connection id: unique per stream, the target of `to: { connection }`. */
  get id(): string {
    this.#id ??= crypto.randomUUID()
    return this.#id
  }

  /** Aborts when the stream ends, for any reason; `signal.reason.code` says which. */
  get signal(): AbortSignal {
    if (!this.#controller) {
      this.#controller = new AbortController()
      if (this.#reason) this.#controller.abort(this.#reason)
    }
    return this.#controller.signal
  }

  get closed(): boolean {
    return this.#reason !== undefined
  }

  /** Why the stream ended (`signal.reason`), or undefined while it is open. */
  get closeReason(): SprinklerError | undefined {
    return this.#reason
  }

  /** Bytes waiting for this client: queued here plus accepted by the transport but unsent. */
  get bufferedBytes(): number {
    return this.#pendingBytes + this.#transport.bufferedBytes()
  }

  /**
   * Runs `listener` once when the stream ends (at once if it has ended). The same as an
   * `abort` listener on `signal`, without creating the signal.
   */
  onClose(listener: CloseListener): void {
    if (this.#reason) listener(this)
    else if (this.#closeListeners) this.#closeListeners.push(listener)
    else this.#closeListeners = [listener]
  }

  /** Removes a listener added with {@link onClose}. */
  offClose(listener: CloseListener): void {
    const listeners = this.#closeListeners
    const index = listeners ? listeners.indexOf(listener) : -1
    if (index !== -1) listeners?.splice(index, 1)
  }

  /** Settles when the connection itself is gone (after the response ended or was dropped). */
  whenFinished(): Promise<void> {
    if (this.#finished) return Promise.resolve()
    return new Promise((resolve) => {
      if (this.#finishWaiters) this.#finishWaiters.push(resolve)
      else this.#finishWaiters = [resolve]
    })
  }

  /**
   * Queues one event (`data` that is not a string is sent as JSON). Sends made in the same
   * tick leave in one socket write. Returns false when the stream is closed (nothing is
   * queued then). Throws `ERR_SSE_INVALID_FIELD` for an `event` or `id` that would inject
   * fields, before anything is queued.
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
    if (this.#reason) return false
    const pending = this.#pending
    if (pending === undefined) this.#pending = frames
    else if (Array.isArray(pending)) pending.push(frames)
    else this.#pending = [pending, frames]
    this.#pendingBytes += frames.byteLength
    this.#wroteSinceHeartbeat = true
    if (this.#paused) {
      // The socket is full: past the bound, this client costs more than it may.
      if (this.bufferedBytes > this.#maxBufferBytes) this.#slowClient()
    } else if (!this.#flushScheduled) {
      this.#flushScheduled = true
      SseStream.#scheduleFlush(this)
    }
    return true
  }

  /**
   * Ends the stream gracefully: an optional last event, everything queued, then the end of
   * the response. The stream ends with `ERR_SSE_SERVER_CLOSED`.
   */
  close(finalEvent?: ServerEvent): void {
    if (this.#reason) return
    if (finalEvent) this.send(finalEvent)
    this.#writePending()
    this.#end('ERR_SSE_SERVER_CLOSED', 'The server closed the stream.')
    this.#transport.end()
  }

  /** Adapter hook: the transport can take more bytes. */
  drained(): void {
    this.#paused = false
    if (this.#pendingBytes > 0 && !this.#flushScheduled && !this.#reason) {
      this.#flushScheduled = true
      SseStream.#scheduleFlush(this)
    }
  }

  /** Adapter hook: the connection is gone (client went away, or the response finished). */
  disconnected(): void {
    this.#end('ERR_SSE_CLIENT_CLOSED', 'The client closed the connection.')
    this.#finish()
  }

  /** Forcibly drops the connection (used at the shutdown deadline). */
  destroy(): void {
    this.#end('ERR_SSE_SERVER_CLOSED', 'The server dropped the stream.')
    this.#transport.destroy()
    this.#finish()
  }

  /** @internal Called by the shared heartbeat timer. */
  heartbeat(): void {
    if (!this.#wroteSinceHeartbeat && !this.#paused) this.write(HEARTBEAT)
    this.#wroteSinceHeartbeat = false
  }

  // One microtask flushes every stream written to in this tick (not one microtask each).
  static #dirty: SseStream[] = []
  static #flushQueued = false

  static #scheduleFlush(stream: SseStream): void {
    SseStream.#dirty.push(stream)
    if (SseStream.#flushQueued) return
    SseStream.#flushQueued = true
    queueMicrotask(SseStream.#flushDirty)
  }

  static #flushDirty(): void {
    const dirty = SseStream.#dirty
    SseStream.#dirty = []
    SseStream.#flushQueued = false
    for (const stream of dirty) {
      stream.#flushScheduled = false
      if (!stream.#paused && !stream.#reason) stream.#writePending()
    }
  }

  #writePending(): void {
    const pending = this.#pending
    if (pending === undefined) return
    const chunk = Array.isArray(pending) ? concatBytes(pending, this.#pendingBytes) : pending
    this.#pending = undefined
    this.#pendingBytes = 0
    if (!this.#transport.write(chunk)) this.#paused = true
  }

  #slowClient(): void {
    this.#end(
      'ERR_SSE_SLOW_CLIENT',
      `The client fell more than maxBufferBytes (${this.#maxBufferBytes}) behind and was disconnected; it can resume with Last-Event-ID.`,
    )
    this.#transport.destroy()
  }

  #end(code: DisconnectCode, message: string): void {
    if (this.#reason) return
    const reason = new SprinklerError(code, message)
    this.#reason = reason
    this.#pending = undefined
    this.#pendingBytes = 0
    if (this.#heartbeatMs > 0) leaveHeartbeat(this.#heartbeatMs, this)
    const listeners = this.#closeListeners
    this.#closeListeners = undefined
    if (listeners) {
      for (const listener of listeners) {
        try {
          listener(this)
        } catch (error) {
          // As with a throwing `abort` listener: the others still run, the error is uncaught.
          queueMicrotask(() => {
            throw error
          })
        }
      }
    }
    this.#controller?.abort(reason)
  }

  #finish(): void {
    if (this.#finished) return
    this.#finished = true
    const waiters = this.#finishWaiters
    this.#finishWaiters = undefined
    if (waiters) for (const resolve of waiters) resolve()
  }
}
