import {
  checkOptions,
  encodeEventBytes,
  ofType,
  oneOf,
  SprinklerError,
  timerMs,
} from '@sprinkler/core'
import { concatBytes } from './bytes.js'
import { History, type HistoryEntry, type HistoryOptions } from './history.js'
import { type ServerEvent, toEventInput } from './message.js'
import type { SseStream } from './stream.js'

/** Who a targeted event is for. Anyone else never gets it, live or replayed. */
export interface Target {
  /** Streams whose principal has this user id (or one of these). */
  user?: string | readonly string[]
  /** One connection, by stream id. */
  connection?: string
}

/** What `publish` takes: an event, optionally targeted. */
export interface ChannelMessage extends ServerEvent {
  to?: Target
}

/** Decides, per subscriber, whether an event is delivered (live and on replay alike). */
export type ChannelFilter = (message: ChannelMessage, stream: SseStream) => boolean

export interface ChannelOptions {
  /** Keep recent events for Last-Event-ID replay. Without it nothing is replayed. */
  history?: HistoryOptions
  /**
   * What a subscriber whose Last-Event-ID is no longer in history gets: `gap` (default), one
   * `gap` event saying what was missed, then live events; or `replay-all`, every retained
   * event it may see, then live events.
   */
  onUnknownLastEventId?: 'gap' | 'replay-all'
  /**
   * Most milliseconds an event may wait to share a socket write with the events after it.
   * 0 (default): what is published in one tick leaves in one write per subscriber. Above 0:
   * a publish after a quiet spell still leaves at once, but under a steady stream the
   * channel writes at most once per `coalesceMs`, so each subscriber gets one write for many
   * events: fewer system calls (the cost of fan-out) for at most this much added latency.
   */
  coalesceMs?: number
}

export interface SubscribeOptions {
  /** Resume after this id. Default: the stream's own Last-Event-ID. */
  lastEventId?: string | undefined
  filter?: ChannelFilter
}

export interface Subscription {
  readonly stream: SseStream
  unsubscribe(): void
}

class ChannelSubscription implements Subscription {
  constructor(
    readonly channel: Channel,
    readonly stream: SseStream,
  ) {}
  unsubscribe(): void {
    this.channel.unsubscribe(this.stream)
  }
}

/** The data of a `gap` event (JSON). */
export interface GapInfo {
  lastEventId: string
  /** `expired`: the id was ours but left history; `unknown`: never seen here. */
  reason: 'expired' | 'unknown'
  /** How many events were published after it (all of them, not only those this subscriber may see); null when unknown. */
  missed: number | null
}

export interface ChannelStats {
  published: number
  /** Events written to subscribers, counting each subscriber. */
  deliveries: number
  /** Subscribers that resumed from a Last-Event-ID found in history. */
  replayHits: number
  /** Subscribers that got a `gap` (or a replay of everything) because their id was not found. */
  replayMisses: number
}

interface Subscriber {
  stream: SseStream
  filter: ChannelFilter | undefined
  /** Events up to this seq were published before the subscription (or replayed to it). */
  after: number
}

type Entry = HistoryEntry<ChannelMessage>

const CHANNEL_OPTIONS = {
  history: ofType('object'),
  onUnknownLastEventId: oneOf('gap', 'replay-all'),
  coalesceMs: timerMs,
}

/** With `coalesceMs`, a batch this large is written without waiting out the window. */
const COALESCE_MAX_BYTES = 64 * 1024

/**
 * Pub/sub over event streams. An event is encoded once; subscribers that may all see it get
 * the very same bytes, and everything published in one tick leaves in one write per
 * subscriber. Events: `subscribe` / `unsubscribe` (detail: `{ stream, size }`), `error`
 * (detail: a SprinklerError whose `cause` is what a filter threw).
 */
export class Channel extends EventTarget {
  readonly stats: ChannelStats = { published: 0, deliveries: 0, replayHits: 0, replayMisses: 0 }
  readonly #history: History<ChannelMessage> | undefined
  readonly #onUnknown: 'gap' | 'replay-all'
  readonly #subscribers = new Map<SseStream, Subscriber>()
  // Generated ids are `<nonce>-<seq>`: the nonce tells our ids (even evicted ones) from others.
  readonly #nonce = Math.random().toString(36).slice(2, 8)
  #seq = 0
  #batch: Entry[] = []
  #batchBytes = 0
  readonly #coalesceMs: number
  #lastFlushAt = Number.NEGATIVE_INFINITY
  #flushTimer: ReturnType<typeof setTimeout> | undefined
  #closed = false

  /** Throws `ERR_SSE_INVALID_OPTION` for an option of the wrong type or range. */
  constructor(options: ChannelOptions = {}) {
    super()
    checkOptions('createChannel', options, CHANNEL_OPTIONS)
    this.#history = options.history ? new History(options.history) : undefined
    this.#onUnknown = options.onUnknownLastEventId ?? 'gap'
    this.#coalesceMs = options.coalesceMs ?? 0
  }

  /** Subscribers now. */
  get size(): number {
    return this.#subscribers.size
  }

  /** Events retained for replay. */
  get retained(): number {
    return this.#history?.size ?? 0
  }

  /**
   * Adds a stream. A Last-Event-ID found in history first gets exactly the events after it
   * (those it may see), then live ones: no gap, no duplicate. Ends with the stream.
   */
  subscribe(stream: SseStream, options: SubscribeOptions = {}): Subscription {
    if (this.#closed) {
      throw new SprinklerError('ERR_SSE_CHANNEL_CLOSED', 'Cannot subscribe to a closed channel.')
    }
    // Subscribing a stream again replaces its subscription (a new filter, a new position).
    const again = this.#subscribers.delete(stream)
    const subscriber: Subscriber = { stream, filter: options.filter, after: this.#seq }
    const lastEventId = 'lastEventId' in options ? options.lastEventId : stream.lastEventId
    // Replay and joining happen in one synchronous step, so nothing published meanwhile can
    // be missed or sent twice: later events have seq > `after`.
    if (lastEventId !== undefined && this.#history) this.#replay(subscriber, lastEventId)
    this.#subscribers.set(stream, subscriber)
    if (!again) stream.onClose(this.#streamClosed)
    this.#emit('subscribe', stream)
    return new ChannelSubscription(this, stream)
  }

  /** Removes a stream's subscription (the stream stays open). */
  unsubscribe(stream: SseStream): void {
    if (!this.#subscribers.delete(stream)) return
    stream.offClose(this.#streamClosed)
    this.#emit('unsubscribe', stream)
  }

  readonly #streamClosed = (stream: SseStream): void => {
    if (this.#subscribers.delete(stream)) this.#emit('unsubscribe', stream)
  }

  /**
   * Publishes an event to every subscriber that may see it. Without an `id`, a channel with
   * history generates one. Throws `ERR_SSE_INVALID_FIELD` (nothing is published) for an
   * `event` or `id` that would inject fields.
   */
  publish(message: ChannelMessage): { id: string | undefined } {
    if (this.#closed) {
      throw new SprinklerError('ERR_SSE_CHANNEL_CLOSED', 'Cannot publish on a closed channel.')
    }
    const seq = this.#seq + 1
    const id = message.id ?? (this.#history ? `${this.#nonce}-${seq}` : undefined)
    const { to: _to, ...event } = message
    const frame = encodeEventBytes(toEventInput(id === undefined ? event : { ...event, id }))
    this.#seq = seq
    this.stats.published++
    const entry: Entry = { seq, id: id ?? '', time: Date.now(), frame, message }
    if (this.#history && id !== undefined) {
      this.#history.prune(entry.time)
      this.#history.push(entry)
    }
    this.#batchBytes += frame.byteLength
    if (this.#batch.push(entry) === 1) this.#scheduleFlush()
    else if (this.#flushTimer !== undefined && this.#batchBytes >= COALESCE_MAX_BYTES) {
      // Held long enough: a big batch leaves now (a slow client's share stays bounded).
      clearTimeout(this.#flushTimer)
      this.#flushTimer = undefined
      queueMicrotask(this.#flush)
    }
    return { id }
  }

  /** Ends every subscribed stream (each gets `finalEvent` first) and refuses new work. */
  close(finalEvent?: ServerEvent): void {
    this.#closed = true
    clearTimeout(this.#flushTimer)
    this.#flush()
    for (const stream of [...this.#subscribers.keys()]) stream.close(finalEvent)
  }

  #replay(subscriber: Subscriber, lastEventId: string): void {
    const history = this.#history as History<ChannelMessage>
    history.prune(Date.now())
    const found = history.since(lastEventId, this.#seqOf, this.#seq)
    if (found.kind === 'found') {
      this.stats.replayHits++
      this.#deliver(subscriber, found.after, 0)
      return
    }
    this.stats.replayMisses++
    if (this.#onUnknown === 'replay-all') {
      this.#deliver(subscriber, history.all(), 0)
      return
    }
    const gap: GapInfo =
      found.kind === 'evicted'
        ? { lastEventId, reason: 'expired', missed: found.missed }
        : { lastEventId, reason: 'unknown', missed: null }
    subscriber.stream.send({ event: 'gap', data: gap })
  }

  readonly #seqOf = (id: string): number | undefined => {
    const dash = id.lastIndexOf('-')
    if (dash === -1 || id.slice(0, dash) !== this.#nonce) return undefined
    const seq = Number(id.slice(dash + 1))
    return Number.isSafeInteger(seq) && seq > 0 ? seq : undefined
  }

  // The coalescing window opens when this flush's socket writes are done: the streams write
  // in a microtask queued by this flush, so one queued after it runs once they have.
  readonly #markFlushed = (): void => {
    this.#lastFlushAt = Date.now()
  }

  #scheduleFlush(): void {
    const wait =
      this.#coalesceMs === 0 || this.#batchBytes >= COALESCE_MAX_BYTES
        ? 0
        : this.#lastFlushAt + this.#coalesceMs - Date.now()
    if (wait <= 0) queueMicrotask(this.#flush)
    else this.#flushTimer = setTimeout(this.#flush, wait)
  }

  readonly #flush = (): void => {
    this.#flushTimer = undefined
    const batch = this.#batch
    if (batch.length === 0) return
    this.#batch = []
    this.#batchBytes = 0
    const firstSeq = (batch[0] as Entry).seq
    // One buffer for everyone who may see every event of the batch.
    const untargeted = batch.every((e) => e.message.to === undefined)
    let shared: Uint8Array | undefined
    for (const subscriber of this.#subscribers.values()) {
      if (untargeted && !subscriber.filter && subscriber.after < firstSeq) {
        shared ??= concatFrames(batch)
        subscriber.stream.write(shared)
        this.stats.deliveries += batch.length
      } else {
        this.#deliver(subscriber, batch)
      }
    }
    if (this.#coalesceMs > 0) queueMicrotask(this.#markFlushed)
  }

  /** Writes, in one piece, the entries after seq `after` that this subscriber may see. */
  #deliver(subscriber: Subscriber, entries: readonly Entry[], after = subscriber.after): void {
    const visible = entries.filter((e) => e.seq > after && this.#mayReceive(subscriber, e))
    if (visible.length === 0) return
    subscriber.stream.write(concatFrames(visible))
    this.stats.deliveries += visible.length
  }

  #mayReceive({ stream, filter }: Subscriber, { message }: Entry): boolean {
    const { to } = message
    if (to) {
      if (to.connection !== undefined && to.connection !== stream.id) return false
      if (to.user !== undefined) {
        const user = stream.principal.user
        if (user === undefined) return false
        if (typeof to.user === 'string' ? to.user !== user : !to.user.includes(user)) return false
      }
    }
    if (!filter) return true
    try {
      return filter(message, stream) === true
    } catch (cause) {
      // A throwing filter withholds the event from that subscriber only.
      this.dispatchEvent(
        new CustomEvent('error', {
          detail: new SprinklerError('ERR_SSE_HANDLER_FAILED', 'A channel filter threw.', {
            cause,
          }),
        }),
      )
      return false
    }
  }

  #emit(type: 'subscribe' | 'unsubscribe', stream: SseStream): void {
    this.dispatchEvent(new CustomEvent(type, { detail: { stream, size: this.#subscribers.size } }))
  }
}

function concatFrames(entries: readonly Entry[]): Uint8Array {
  if (entries.length === 1) return (entries[0] as Entry).frame
  let total = 0
  for (const e of entries) total += e.frame.byteLength
  return concatBytes(
    entries.map((e) => e.frame),
    total,
  )
}

/** Creates a channel: see {@link Channel}. */
export function createChannel(options?: ChannelOptions): Channel {
  return new Channel(options)
}
