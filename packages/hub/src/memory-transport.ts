import { History, type HistoryOptions } from '@sprinkler/server'
import type { HistoryResult, HubTransport, SubscriptionRecord } from './transport.js'
import type { Update } from './update.js'
import { frameOf } from './update.js'

/** The embedded default: one process, bounded history, nothing to install. */
export class MemoryTransport implements HubTransport {
  readonly #history: History<Update>
  readonly #listeners = new Set<(update: Update) => void>()
  readonly #subscriptions = new Map<string, SubscriptionRecord>()
  #seq = 0
  #lastId = 'earliest'

  constructor(history: HistoryOptions = {}) {
    this.#history = new History(history)
  }

  async publish(update: Update): Promise<void> {
    const time = Date.now()
    this.#history.prune(time)
    this.#history.push({
      seq: ++this.#seq,
      id: update.id,
      time,
      frame: frameOf(update),
      message: update,
    })
    this.#lastId = update.id
    for (const listener of this.#listeners) listener(update)
  }

  subscribe(listener: (update: Update) => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  async history(lastEventId: string): Promise<HistoryResult> {
    this.#history.prune(Date.now())
    if (lastEventId === 'earliest') return { found: true, updates: this.#all() }
    const found = this.#history.since(lastEventId, () => undefined, this.#seq)
    if (found.kind === 'found') return { found: true, updates: found.after.map((e) => e.message) }
    return { found: false, updates: this.#all() }
  }

  async lastEventId(): Promise<string> {
    return this.#lastId
  }

  async addSubscriptions(records: readonly SubscriptionRecord[]): Promise<void> {
    for (const r of records) this.#subscriptions.set(key(r), r)
  }

  async removeSubscriptions(records: readonly SubscriptionRecord[]): Promise<void> {
    for (const r of records) this.#subscriptions.delete(key(r))
  }

  async subscriptions(): Promise<SubscriptionRecord[]> {
    return [...this.#subscriptions.values()]
  }

  async close(): Promise<void> {
    this.#listeners.clear()
  }

  #all(): Update[] {
    return this.#history.all().map((e) => e.message)
  }
}

const key = (r: SubscriptionRecord) => `${r.topic}\n${r.subscriber}`
