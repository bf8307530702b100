import { HubError } from './errors.js'
import {
  checkTemplateLimits,
  compileUriTemplate,
  MAX_SELECTOR_LENGTH,
  MAX_TEMPLATE_VARIABLES,
  TemplateLimitError,
} from './uri-template.js'

export { MAX_SELECTOR_LENGTH, MAX_TEMPLATE_VARIABLES }

/** A compiled topic selector. */
export interface TopicSelector {
  readonly source: string
  matches(topic: string): boolean
}

const ALL: TopicSelector = { source: '*', matches: () => true }

/**
 * What the compile cache may hold: selector strings (UTF-16) plus their compiled forms. Selectors
 * come from clients, so the bound is in bytes, not entries: at the limits above one entry
 * is ~33 KB, a typical template ~1.5 KB.
 */
export const SELECTOR_CACHE_BYTES = 4 * 1024 * 1024
// A Map entry, the selector object and its closure, beyond the key and the compiled form.
const ENTRY_OVERHEAD_BYTES = 200

interface Cached {
  selector: TopicSelector
  bytes: number
}

// Least recently used first: Map keeps insertion order, and a hit re-inserts its entry.
const cache = new Map<string, Cached>()
let cacheBytes = 0

/**
 * Refuses a selector past the hub's limits with a 400 (`ERR_HUB_TOPIC_SELECTOR_TOO_LARGE`), in
 * time linear in its length and without compiling it: callers may run it before authenticating
 * a request, then compile after.
 */
export function checkSelector(source: string): void {
  try {
    if (source.length > MAX_SELECTOR_LENGTH) {
      throw new TemplateLimitError(
        `A topic selector may be at most ${MAX_SELECTOR_LENGTH} characters long.`,
      )
    }
    if (source.includes('{')) checkTemplateLimits(source)
  } catch (cause) {
    throw new HubError(400, 'ERR_HUB_TOPIC_SELECTOR_TOO_LARGE', (cause as Error).message, {
      cause,
    })
  }
}

/**
 * Compiles a Mercure topic selector, in time linear in its length.
 * spec (Mercure, Topic Selectors): "If the topic selector is `*`, then the string matches the
 * selector. If the topic selector and the string are exactly the same, the string matches the
 * selector. If the topic selector is a valid URI Template, and the string matches this URI
 * Template, the string matches the selector." Throws a 400 HubError:
 * `ERR_HUB_TOPIC_SELECTOR_TOO_LARGE` past the limits, `ERR_HUB_INVALID_TOPIC_SELECTOR` for a
 * malformed template.
 */
export function compileSelector(source: string): TopicSelector {
  if (source === '*') return ALL
  const cached = cache.get(source)
  if (cached) {
    cache.delete(source)
    cache.set(source, cached)
    return cached.selector
  }
  checkSelector(source)
  const compiled = source.includes('{') ? compileTemplate(source) : exact(source)
  remember(source, compiled)
  return compiled.selector
}

function remember(source: string, entry: Cached): void {
  cache.set(source, entry)
  cacheBytes += entry.bytes
  for (const [key, { bytes }] of cache) {
    if (cacheBytes <= SELECTOR_CACHE_BYTES) break
    cache.delete(key)
    cacheBytes -= bytes
  }
}

/** What the compile cache holds now (for tests and diagnostics). */
export function selectorCacheStats(): { entries: number; bytes: number } {
  return { entries: cache.size, bytes: cacheBytes }
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

function exact(source: string): Cached {
  return {
    selector: { source, matches: (topic) => topic === source },
    bytes: 2 * source.length + ENTRY_OVERHEAD_BYTES,
  }
}

function compileTemplate(source: string): Cached {
  let template: ReturnType<typeof compileUriTemplate>
  try {
    template = compileUriTemplate(source)
  } catch (cause) {
    throw new HubError(
      400,
      'ERR_HUB_INVALID_TOPIC_SELECTOR',
      `Topic selector is not a valid URI Template: ${source}`,
      { cause },
    )
  }
  // A URI Template also matches itself exactly (step 2), e.g. for comparing selectors.
  return {
    selector: { source, matches: (topic) => topic === source || template.matches(topic) },
    bytes: 2 * source.length + template.bytes + ENTRY_OVERHEAD_BYTES,
  }
}
