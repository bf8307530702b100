import type { SseStream } from '@sprinkler/server'
import type { HubPrincipal } from './subscriber-auth.js'
import { TopicIndex } from './topic-index.js'
import { matchesAny } from './topics.js'
import { frameOf, type Update } from './update.js'

/** An open subscriber stream. */
export interface Subscriber {
  stream: SseStream
  principal: HubPrincipal
  /** The subscriber IRI of the subscriptions API. */
  iri: string
  /** Live updates held back while history is being replayed. */
  held: Update[] | undefined
}

/** Delivers each update to the subscribers that may see it, by the same rule live and on replay. */
export class FanOut {
  readonly #index = new TopicIndex<Subscriber>()
  /** Topic selectors subscribed now, over all subscribers. */
  selectorCount = 0

  /** `stats.deliveries` counts updates written, each subscriber once. */
  constructor(readonly stats: { deliveries: number }) {}

  add(subscriber: Subscriber): void {
    this.#index.add(subscriber, subscriber.principal.selectors)
    this.selectorCount += subscriber.principal.selectors.length
  }

  remove(subscriber: Subscriber): void {
    this.#index.remove(subscriber, subscriber.principal.selectors)
    this.selectorCount -= subscriber.principal.selectors.length
  }

  /** A live update: written now, or held for subscribers still being replayed. */
  dispatch(update: Update): void {
    for (const subscriber of this.#index.candidates(update.topics)) {
      if (subscriber.held) subscriber.held.push(update)
      else this.deliver(subscriber, update, true)
    }
  }

  /**
   * Writes the update if this subscriber may see it (`matched`: the topic index already found
   * that a selector matches).
   */
  deliver(subscriber: Subscriber, update: Update, matched = false): void {
    const { selectors, allowed } = subscriber.principal
    if (!matched && !matchesAny(selectors, update.topics)) return
    // spec (Mercure, Subscribers): a private update goes only to a subscriber whose
    // mercure.subscribe selectors match at least one of its topics.
    if (update.private && !matchesAny(allowed, update.topics)) return
    if (subscriber.stream.write(frameOf(update))) this.stats.deliveries++
  }
}
