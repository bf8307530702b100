import {
  compileSelector,
  findToken,
  type Hub,
  matchesAny,
  type TopicSelector,
  type Update,
  type VerifiedToken,
} from '@sprinkler/hub'
import type { SseStream } from '@sprinkler/server'
import { COOKIE_NAME } from './guard.js'
import type { Recipient } from './shapes.js'

/**
 * Tells who receives an update by applying the hub's own delivery rule to its open streams:
 * a topic selector must match one of the update's topics, and a private update also needs a
 * match in the subscriber's `mercure.subscribe` (its token, verified again here).
 */
export function createRecipientFinder(hub: Hub, verify: (token: string) => Promise<VerifiedToken>) {
  const allowedByStream = new WeakMap<SseStream, Promise<TopicSelector[]>>()

  const allowed = (stream: SseStream): Promise<TopicSelector[]> => {
    let found = allowedByStream.get(stream)
    if (!found) {
      found = (async () => {
        const token = findToken(stream.request, { allowQueryToken: false, cookieName: COOKIE_NAME })
        if (!token) return []
        const claims = await verify(token.token).catch(() => undefined)
        return compileAll(claims?.mercure.subscribe)
      })()
      allowedByStream.set(stream, found)
    }
    return found
  }

  const receives = async (stream: SseStream, update: Update): Promise<boolean> => {
    const selectors = compileAll(stream.request.url.searchParams.getAll('topic'))
    if (!matchesAny(selectors, update.topics)) return false
    return !update.private || matchesAny(await allowed(stream), update.topics)
  }

  /** Runs `publish` and answers with the update id, the recipients and the hub's count. */
  return async (publish: () => Promise<Update>) => {
    const streams = [...hub.endpoint.streams]
    const before = hub.stats.deliveries
    const update = await publish()
    const delivered = hub.stats.deliveries - before
    const recipients: Recipient[] = []
    for (const stream of streams) {
      if (stream.closed || !(await receives(stream, update))) continue
      recipients.push({
        connection: stream.id.slice(0, 8),
        user: typeof stream.principal.user === 'string' ? stream.principal.user : null,
        page: pageOf(stream.request.header('referer')),
        topics: stream.request.url.searchParams.getAll('topic'),
      })
    }
    return { id: update.id, delivered, recipients }
  }
}

function compileAll(selectors: unknown): TopicSelector[] {
  if (!Array.isArray(selectors)) return []
  return selectors.flatMap((s) => {
    try {
      return typeof s === 'string' ? [compileSelector(s)] : []
    } catch {
      return []
    }
  })
}

function pageOf(referer: string | null): string | null {
  if (referer === null) return null
  try {
    return new URL(referer).pathname
  } catch {
    return null
  }
}
