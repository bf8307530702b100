import type { SubscriptionRecord } from '../transport.js'
import type { RedisConnection } from './connection.js'

/**
 * Subscriptions of every node, in Redis. Each node writes its own records to one hash that
 * lives `ttlMs` past its last heartbeat, so a node that dies drops out of presence by itself
 * within `ttlMs`. A set lists the nodes; readers forget the ones whose hash has expired.
 */
export class RedisPresence {
  readonly #redis: RedisConnection
  readonly #prefix: string
  readonly #nodesKey: string
  readonly #key: string
  readonly #nodeId: string
  readonly #ttlMs: number
  // This node's records, kept to write them again when Redis lost them (a restart).
  readonly #local = new Map<string, string>()
  // A write failed (Redis away): the next heartbeat replaces Redis's copy with #local.
  #dirty = false

  constructor(redis: RedisConnection, prefix: string, nodeId: string, ttlMs: number) {
    this.#redis = redis
    this.#prefix = prefix
    this.#nodesKey = `${prefix}nodes`
    this.#key = this.#keyOf(nodeId)
    this.#nodeId = nodeId
    this.#ttlMs = ttlMs
  }

  async add(records: readonly SubscriptionRecord[]): Promise<void> {
    const fields: string[] = []
    for (const r of records) {
      const field = fieldOf(r)
      const value = JSON.stringify(r)
      this.#local.set(field, value)
      fields.push(field, value)
    }
    if (fields.length > 0) await this.#track(this.#write(fields))
  }

  async remove(records: readonly SubscriptionRecord[]): Promise<void> {
    const fields = records.map(fieldOf)
    for (const f of fields) this.#local.delete(f)
    if (fields.length > 0) await this.#track(this.#redis.command(['HDEL', this.#key, ...fields]))
  }

  /** Refreshes this node's TTL; writes every record again if Redis no longer has them. */
  async heartbeat(): Promise<void> {
    if (!this.#dirty) {
      if (this.#local.size === 0) return
      const alive = await this.#redis.command(['PEXPIRE', this.#key, String(this.#ttlMs)])
      if (alive === 1) return
    }
    this.#dirty = false
    const fields: string[] = []
    for (const [field, value] of this.#local) fields.push(field, value)
    await this.#track(
      Promise.all([
        this.#redis.command(['DEL', this.#key]),
        fields.length > 0 ? this.#write(fields) : undefined,
      ]),
    )
  }

  async list(): Promise<SubscriptionRecord[]> {
    const nodes = (await this.#redis.command(['SMEMBERS', this.#nodesKey])) as string[]
    const values = await Promise.all(
      nodes.map((node) => this.#redis.command(['HVALS', this.#keyOf(node)]) as Promise<string[]>),
    )
    const records: SubscriptionRecord[] = []
    const gone: string[] = []
    values.forEach((list, i) => {
      if (list.length === 0) gone.push(nodes[i] as string)
      for (const value of list) records.push(JSON.parse(value) as SubscriptionRecord)
    })
    // Expired nodes (dead, or with no subscriber); a live one is listed again on its next write.
    if (gone.length > 0) await this.#redis.command(['SREM', this.#nodesKey, ...gone])
    return records
  }

  /** Removes this node from presence (a clean shutdown). */
  async close(): Promise<void> {
    this.#local.clear()
    await this.#redis.command(['DEL', this.#key])
    await this.#redis.command(['SREM', this.#nodesKey, this.#nodeId])
  }

  async #track(write: Promise<unknown>): Promise<void> {
    try {
      await write
    } catch (error) {
      this.#dirty = true
      throw error
    }
  }

  #keyOf(nodeId: string): string {
    return `${this.#prefix}presence:${nodeId}`
  }

  async #write(fields: string[]): Promise<void> {
    await Promise.all([
      this.#redis.command(['HSET', this.#key, ...fields]),
      this.#redis.command(['PEXPIRE', this.#key, String(this.#ttlMs)]),
      this.#redis.command(['SADD', this.#nodesKey, this.#nodeId]),
    ])
  }
}

const fieldOf = (r: SubscriptionRecord) => `${r.topic}\n${r.subscriber}`
