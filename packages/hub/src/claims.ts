import { compileSelector, type TopicSelector } from './topics.js'

/** The selectors of a JWT claim (`mercure.publish`, `mercure.subscribe`), compiled. */
export function compileClaim(selectors: unknown): TopicSelector[] {
  if (!Array.isArray(selectors)) return []
  const compiled: TopicSelector[] = []
  for (const s of selectors) {
    if (typeof s !== 'string') continue
    try {
      compiled.push(compileSelector(s))
    } catch {
      // A selector in a token that is not a valid template matches nothing.
    }
  }
  return compiled
}
