import { HubError } from './errors.js'
import { compileUriTemplate } from './uri-template.js'

/** A compiled topic selector. */
export interface TopicSelector {
  readonly source: string
  matches(topic: string): boolean
}

const ALL: TopicSelector = { source: '*', matches: () => true }
// Selectors come from clients: bound what compiling them can cost in memory.
const CACHE_LIMIT = 10_000
const cache = new Map<string, TopicSelector>()

/**
 * Compiles a Mercure topic selector.
 * spec (Mercure, Topic Selectors): "If the topic selector is `*`, then the string matches the
 * selector. If the topic selector and the string are exactly the same, the string matches the
 * selector. If the topic selector is a valid URI Template, and the string matches this URI
 * Template, the string matches the selector." Throws `ERR_HUB_INVALID_TOPIC_SELECTOR` (400)
 * for a malformed template.
 */
export function compileSelector(source: string): TopicSelector {
  if (source === '*') return ALL
  const cached = cache.get(source)
  if (cached) return cached
  const selector = source.includes('{') ? compileTemplate(source) : exact(source)
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string)
  cache.set(source, selector)
  return selector
}

/** True when any topic matches any selector. */
export function matchesAny(
  selectors: readonly TopicSelector[],
  topics: readonly string[],
): boolean {
  for (const selector of selectors) {
    for (const topic of topics) if (selector.matches(topic)) return true
  }
  return false
}

function exact(source: string): TopicSelector {
  return { source, matches: (topic) => topic === source }
}

function compileTemplate(source: string): TopicSelector {
  let pattern: RegExp
  try {
    pattern = compileUriTemplate(source)
  } catch (cause) {
    throw new HubError(
      400,
      'ERR_HUB_INVALID_TOPIC_SELECTOR',
      `Topic selector is not a valid URI Template: ${source}`,
      { cause },
    )
  }
  // A URI Template also matches itself exactly (step 2), e.g. for comparing selectors.
  return { source, matches: (topic) => topic === source || pattern.test(topic) }
}
