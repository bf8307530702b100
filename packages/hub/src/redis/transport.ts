import { setTimeout as sleep } from 'node:timers/promises'
import type { HistoryOptions } from '@sprinkler/server'
import type {
  HistoryResult,
  HubTransport,
  SubscriptionRecord,
  TransportHealth,
} from '../transport.js'
import type { Update } from '../update.js'
import { backoffMs, RedisConnection } from './connection.js'
import { RedisPresence } from './presence.js'
import { HISTORY, PUBLISH } from './scripts.js'

export interface RedisTransportOptions {
  /** `redis://[[user]:password@]host[:port][/db]`, or `rediss://…` for TLS. */
  url: string
  /** Prefix of every key. Hubs with different prefixes share nothing. Default `sprinkler:`. */
  prefix?: string
  /** History bounds, as for the memory transport. Default 1 000 updates, no age limit. */
  history?: HistoryOptions
  /**
   * A node's subscriptions disappear from presence this long after its last heartbeat (it
   * beats every third of it), so a dead node is gone within this bound. Default 30 s.
   */
  presenceTtlMs?: number
  /** A Redis command without a reply for this long fails (503 for a publish). Default 5 s. */
  commandTimeoutMs?: number
  /** Starting: give up when Redis has not answered for this long. Default 10 s. */
  connectTimeoutMs?: number
  /** Reconnection delays grow from 50 ms to this, with jitter. Default 2 s. */
  maxBackoffMs?: number
  /** Randomness for backoff jitter (tests pass a seeded one). Default Math.random. */
  random?: () => number
}

/** One update as a stream entry's value: short keys, absent fields left out. */
interface StoredUpdate {
  i: string
  t: readonly string[]
  d: string
  y?: string
  r?: number
  p?: 1
}

/** A publish or history read waiting until the reader has delivered `entry`. */
interface Waiter {
  entry: string
  resolve: () => void
}

// XREAD blocks this long at most, so a silently dead connection is noticed.
const BLOCK_MS = 5000
// Entries read per XREAD: one round trip carries a burst of publishes.
const READ_COUNT = 1000

/**
 * The scale-out transport: every update is appended to one Redis Stream, which is the history
 * and the order. Each node reads the stream on a connection of its own, from the last entry it
 * delivered (after a reconnect too, so nothing stored meanwhile is skipped), so every
 * subscriber on every node sees the same order. Update ids map to stream entries through a
 * hash trimmed with the stream, for Last-Event-ID replay from any node.
 *
 * Create it with `createRedisTransport`, which connects first.
 */
export class RedisTransport implements HubTransport {
  /** This node's id: its presence key and its connections' names (`sprinkler-hub:ID:reader`). */
  readonly nodeId: string
  readonly #writer: RedisConnection
  readonly #reader: RedisConnection
  readonly #presence: RedisPresence
  readonly #keys: { stream: string; index: string; order: string }
  readonly #maxEvents: number
  readonly #maxAgeMs: number
  readonly #maxBackoffMs: number
  readonly #random: () => number
  readonly #listeners = new Set<(update: Update) => void>()
  // Calls waiting for the reader to deliver up to an entry (read-your-writes).
  #waiting: Waiter[] = []
  readonly #heartbeat: NodeJS.Timeout
  #lastDelivered: string
  #readerFailures = 0
  #closed = false
  readonly #closing = new AbortController()
  #reading: Promise<void> = Promise.resolve()

  private constructor(
    nodeId: string,
    writer: RedisConnection,
    reader: RedisConnection,
    from: string,
    options: RedisTransportOptions,
  ) {
    this.nodeId = nodeId
    const prefix = options.prefix ?? 'sprinkler:'
    const ttlMs = options.presenceTtlMs ?? 30_000
    this.#writer = writer
    this.#reader = reader
    this.#keys = { stream: `${prefix}updates`, index: `${prefix}ids`, order: `${prefix}order` }
    this.#presence = new RedisPresence(writer, prefix, nodeId, ttlMs)
    this.#maxEvents = options.history?.maxEvents ?? 1000
    this.#maxAgeMs = options.history?.maxAgeMs ?? 0
    this.#maxBackoffMs = options.maxBackoffMs ?? 2000
    this.#random = options.random ?? Math.random
    this.#lastDelivered = from
    this.#heartbeat = setInterval(() => void this.#presence.heartbeat().catch(() => {}), ttlMs / 3)
    this.#heartbeat.unref()
  }

  /** Connects (a writer and a blocking reader) and starts reading after the newest entry. */
  static async connect(options: RedisTransportOptions): Promise<RedisTransport> {
    const nodeId = crypto.randomUUID()
    const connection = {
      url: options.url,
      commandTimeoutMs: options.commandTimeoutMs ?? 5000,
      connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
      maxBackoffMs: options.maxBackoffMs ?? 2000,
      random: options.random ?? Math.random,
    }
    const writer = await RedisConnection.open({
      ...connection,
      name: `sprinkler-hub:${nodeId}:writer`,
    })
    let reader: RedisConnection
    try {
      reader = await RedisConnection.open({ ...connection, name: `sprinkler-hub:${nodeId}:reader` })
    } catch (error) {
      writer.destroy()
      throw error
    }
    const stream = `${options.prefix ?? 'sprinkler:'}updates`
    // The start is a concrete entry id, never `$`: nothing published after connect() is missed.
    const newest = (await writer.command(['XREVRANGE', stream, '+', '-', 'COUNT', '1'])) as [
      string,
      string[],
    ][]
    const transport = new RedisTransport(nodeId, writer, reader, newest[0]?.[0] ?? '0-0', options)
    transport.#reading = transport.#read()
    return transport
  }

  /** Resolves once Redis has stored the update and this node's listeners got it. */
  async publish(update: Update): Promise<void> {
    const entry = (await this.#writer.eval(
      PUBLISH,
      [this.#keys.stream, this.#keys.index, this.#keys.order],
      [update.id, encode(update), String(this.#maxEvents), String(this.#maxAgeMs)],
    )) as string
    // Stored: the publish is acknowledged once this node's listeners have it.
    await this.#delivered(entry)
  }

  subscribe(listener: (update: Update) => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  /**
   * Resolves once this node's listeners have had every update stored when history was read,
   * as with the memory transport: a replay's history is never ahead of the live updates (which
   * it would then send twice), and an id stored but not yet read here is not treated as past.
   */
  async history(lastEventId: string): Promise<HistoryResult> {
    const [found, newest, ...values] = (await this.#writer.eval(
      HISTORY,
      [this.#keys.stream, this.#keys.index],
      [
        lastEventId === 'earliest' ? '' : lastEventId,
        String(this.#maxEvents),
        String(this.#maxAgeMs),
      ],
    )) as [number, string, ...string[]]
    if (newest !== '') await this.#delivered(newest)
    return { found: found === 1, updates: values.map(decode) }
  }

  async lastEventId(): Promise<string> {
    const newest = (await this.#writer.command([
      'XREVRANGE',
      this.#keys.stream,
      '+',
      '-',
      'COUNT',
      '1',
    ])) as [string, string[]][]
    const value = newest[0]?.[1][1]
    return value === undefined ? 'earliest' : decode(value).id
  }

  addSubscriptions(records: readonly SubscriptionRecord[]): Promise<void> {
    return this.#presence.add(records)
  }

  removeSubscriptions(records: readonly SubscriptionRecord[]): Promise<void> {
    return this.#presence.remove(records)
  }

  subscriptions(): Promise<SubscriptionRecord[]> {
    return this.#presence.list()
  }

  health(): TransportHealth {
    if (this.#writer.ready && this.#reader.ready && this.#readerFailures === 0) return { ok: true }
    return { ok: false, reason: 'Redis is unreachable; reconnecting.' }
  }

  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    this.#closing.abort()
    clearInterval(this.#heartbeat)
    this.#listeners.clear()
    this.#reader.destroy()
    await this.#reading
    this.#releaseWaiting()
    await this.#presence.close().catch(() => {})
    this.#writer.destroy()
  }

  /** The read loop: XREAD from the last delivered entry, forever, with backoff on failures. */
  async #read(): Promise<void> {
    while (!this.#closed) {
      let reply: [string, [string, string[]][]][] | null
      try {
        reply = (await this.#reader.command(
          [
            'XREAD',
            'COUNT',
            String(READ_COUNT),
            'BLOCK',
            String(BLOCK_MS),
            'STREAMS',
            this.#keys.stream,
            this.#lastDelivered,
          ],
          BLOCK_MS + 5000,
        )) as typeof reply
      } catch {
        if (this.#closed) return
        this.#readerFailures++
        // Stored publishes are acknowledged without waiting while the reader is away.
        this.#releaseWaiting()
        const delay = backoffMs(this.#readerFailures - 1, this.#maxBackoffMs, this.#random)
        await sleep(delay, undefined, { signal: this.#closing.signal }).catch(() => {})
        continue
      }
      this.#readerFailures = 0
      for (const [entry, fields] of reply?.[0]?.[1] ?? []) {
        this.#lastDelivered = entry
        const value = fields[1]
        if (value !== undefined) this.#deliver(value)
      }
      this.#releaseDelivered()
    }
  }

  /**
   * Resolves once the reader has delivered `entry` (or an entry after it: a lagging reader may
   * find it trimmed). At once while the reader is away: what is stored is not held hostage.
   */
  #delivered(entry: string): Promise<void> {
    if (this.#readerFailures > 0 || compareEntryIds(entry, this.#lastDelivered) <= 0) {
      return Promise.resolve()
    }
    return new Promise((resolve) => this.#waiting.push({ entry, resolve }))
  }

  #releaseDelivered(): void {
    if (this.#waiting.length === 0) return
    const still: Waiter[] = []
    for (const w of this.#waiting) {
      if (compareEntryIds(w.entry, this.#lastDelivered) <= 0) w.resolve()
      else still.push(w)
    }
    this.#waiting = still
  }

  #deliver(value: string): void {
    let update: Update
    try {
      update = decode(value)
    } catch {
      return // Not written by a hub: skipped, the order of the others is kept.
    }
    for (const listener of this.#listeners) listener(update)
  }

  #releaseWaiting(): void {
    for (const w of this.#waiting) w.resolve()
    this.#waiting = []
  }
}

/** Connects a Redis transport; rejects with `ERR_HUB_TRANSPORT_UNAVAILABLE` when Redis is unreachable. */
export function createRedisTransport(options: RedisTransportOptions): Promise<RedisTransport> {
  return RedisTransport.connect(options)
}

function encode(update: Update): string {
  const stored: StoredUpdate = { i: update.id, t: update.topics, d: update.data }
  if (update.type !== undefined) stored.y = update.type
  if (update.retry !== undefined) stored.r = update.retry
  if (update.private) stored.p = 1
  return JSON.stringify(stored)
}

function decode(value: string): Update {
  const s = JSON.parse(value) as StoredUpdate
  return { id: s.i, topics: s.t, data: s.d, type: s.y, retry: s.r, private: s.p === 1 }
}

/** Orders stream entry ids (`ms-seq`). */
export function compareEntryIds(a: string, b: string): number {
  const [am = 0, as = 0] = a.split('-').map(Number)
  const [bm = 0, bs = 0] = b.split('-').map(Number)
  return am - bm || as - bs
}
