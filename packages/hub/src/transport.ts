import type { Update } from './update.js'

/** An active subscription, as the subscriptions API and subscription events describe it. */
export interface SubscriptionRecord {
  /** The subscriber's IRI (`urn:uuid:…`), shared by all its subscriptions. */
  subscriber: string
  /** The topic selector of this subscription. */
  topic: string
  /** `mercure.payload` from the subscriber's JWT. */
  payload?: unknown
}

/** What history holds after a Last-Event-ID. */
export interface HistoryResult {
  /** Whether the id is in history (`earliest` always is). */
  found: boolean
  /** The updates after it, oldest first (all retained ones when not found). */
  updates: Update[]
}

/** Whether a transport can reach its backend now. */
export type TransportHealth = { ok: true } | { ok: false; reason: string }

/**
 * How hub nodes share updates, history and presence. The in-memory transport serves one
 * process; a Redis transport lets several hub processes serve the same topics, so a
 * subscriber that moves to another node resumes without loss.
 */
export interface HubTransport {
  /** Appends to history and delivers to every node's listeners, this node's included, in order. */
  publish(update: Update): Promise<void>
  /** Live updates from every node, in publish order. Returns the unsubscribe function. */
  subscribe(listener: (update: Update) => void): () => void
  /**
   * Updates after `lastEventId`; `earliest` means everything retained. Resolves only once this
   * node's listeners have had every update stored when it read, so a replay never runs ahead
   * of the live updates (the hub holds those back meanwhile and drops the ones it replayed).
   */
  history(lastEventId: string): Promise<HistoryResult>
  /** The newest update's id, or `earliest` when history is empty. */
  lastEventId(): Promise<string>
  /** Presence of subscriptions, across nodes. */
  addSubscriptions(records: readonly SubscriptionRecord[]): Promise<void>
  removeSubscriptions(records: readonly SubscriptionRecord[]): Promise<void>
  subscriptions(): Promise<SubscriptionRecord[]>
  /**
   * Whether the backend is reachable now (`/healthz` says `degraded` when not). A transport
   * without a backend to lose, like the memory one, leaves it out.
   */
  health?(): TransportHealth
  close(): Promise<void>
}
