import { matchesAny, type TopicSelector } from './topics.js'

/**
 * Who subscribed to what, for finding an update's recipients: exact selectors by topic (one
 * map lookup per topic of the update), the others (`*`, URI templates) tested one by one.
 */
export class TopicIndex<T> {
  readonly #exact = new Map<string, Set<T>>()
  readonly #wide = new Map<T, readonly TopicSelector[]>()

  add(item: T, selectors: readonly TopicSelector[]): void {
    for (const s of selectors) {
      if (isWide(s)) this.#wide.set(item, selectors)
      else {
        const set = this.#exact.get(s.source)
        if (set) set.add(item)
        else this.#exact.set(s.source, new Set([item]))
      }
    }
  }

  remove(item: T, selectors: readonly TopicSelector[]): void {
    for (const s of selectors) {
      const set = this.#exact.get(s.source)
      if (set?.delete(item) && set.size === 0) this.#exact.delete(s.source)
    }
    this.#wide.delete(item)
  }

  /** Everyone with a selector matching at least one of `topics`. */
  candidates(topics: readonly string[]): Set<T> {
    const found = new Set<T>()
    for (const topic of topics) {
      const exact = this.#exact.get(topic)
      if (exact) for (const item of exact) found.add(item)
    }
    for (const [item, selectors] of this.#wide) if (matchesAny(selectors, topics)) found.add(item)
    return found
  }
}

function isWide(selector: TopicSelector): boolean {
  return selector.source === '*' || selector.source.includes('{')
}
