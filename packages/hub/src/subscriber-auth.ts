import type { Principal, SseRequest } from '@sprinkler/server'
import { findToken, type TokenSource, type VerifiedToken, type Verify } from './auth.js'
import { compileClaim } from './claims.js'
import { HubError } from './errors.js'
import type { ConnectionLimiter } from './limits.js'
import type { AnonymousRule, TokenOptions } from './options.js'
import { compileSelector, type TopicSelector } from './topics.js'
import type { HubTransport } from './transport.js'

/** What authorization decided about a subscriber, carried to its stream. */
export interface HubPrincipal extends Principal {
  selectors: TopicSelector[]
  /** `mercure.subscribe`: which private updates it may receive. */
  allowed: TopicSelector[]
  payload: unknown
  exp: number | undefined
  token: string | undefined
  tokenSource: TokenSource | undefined
  ip: string | undefined
  lastEventId: string | undefined
  lastEventIdHeader: string | undefined
}

export interface SubscriberAuthContext {
  verify: Verify | undefined
  anonymous: boolean | AnonymousRule | undefined
  tokens: TokenOptions
  maxTopics: number
  limiter: ConnectionLimiter
  /** Subscriber connections open now. */
  open(): number
  /** The request's Last-Event-ID, as the endpoint reads it (header, then `lastEventID`). */
  lastEventId(request: SseRequest): string | undefined
  transport: HubTransport
}

/**
 * Decides whether a subscribe request gets a stream: its token (or the anonymous rule), the
 * connection limits, its selectors, and where a Last-Event-ID resumes. Every refusal is a
 * thrown `HubError`. Nothing that costs in proportion to the request (compiling selectors,
 * reading history) happens before the subscriber is authenticated.
 */
export async function authorizeSubscriber(
  request: SseRequest,
  context: SubscriberAuthContext,
): Promise<HubPrincipal> {
  const topics = request.url.searchParams.getAll('topic')
  if (topics.length === 0) {
    throw new HubError(
      400,
      'ERR_HUB_MISSING_TOPIC',
      'Subscribe with at least one `topic` parameter.',
    )
  }
  if (topics.length > context.maxTopics) {
    throw new HubError(
      400,
      'ERR_HUB_TOO_MANY_TOPICS',
      `At most ${context.maxTopics} topics per subscription.`,
    )
  }
  const found = findToken(request, context.tokens)
  let token: VerifiedToken | undefined
  if (found) {
    if (!context.verify) {
      throw new HubError(401, 'ERR_HUB_UNAUTHORIZED', 'This hub has no subscriber key.')
    }
    token = await context.verify(found.token)
  } else {
    const { anonymous } = context
    if (!anonymous) {
      throw new HubError(401, 'ERR_HUB_UNAUTHORIZED', 'Subscribing needs a JWT on this hub.')
    }
    if (typeof anonymous === 'object' && !topics.every(anonymous.allow)) {
      throw new HubError(
        401,
        'ERR_HUB_UNAUTHORIZED',
        anonymous.reason ?? 'Without a JWT only some topics may be subscribed to here.',
      )
    }
  }
  const ip = request.remoteAddress
  context.limiter.check(context.open(), { ip, token: found?.token })
  const selectors = topics.map(compileSelector)
  const lastEventId = context.lastEventId(request)
  let lastEventIdHeader: string | undefined
  if (lastEventId !== undefined) {
    // spec (Mercure, Reconciliation): the response's Last-Event-ID is "the ID of the event
    // preceding the first one sent to the subscriber, or the reserved value earliest".
    const { found: known } = await context.transport.history(lastEventId)
    lastEventIdHeader = known ? lastEventId : 'earliest'
  }
  return {
    ...(typeof token?.payload.sub === 'string' && { user: token.payload.sub }),
    selectors,
    allowed: compileClaim(token?.mercure.subscribe),
    payload: token?.mercure.payload,
    exp: token?.exp,
    token: found?.token,
    tokenSource: found?.source,
    ip,
    lastEventId,
    lastEventIdHeader,
  }
}
