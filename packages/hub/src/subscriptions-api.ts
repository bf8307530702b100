import type { SseRequest } from '@sprinkler/server'
import { findToken, type Verify } from './auth.js'
import { compileClaim } from './claims.js'
import { HubError } from './errors.js'
import type { TokenOptions } from './options.js'
import { SUBSCRIPTIONS_PATH } from './paths.js'
import { decodeSegment } from './target.js'
import { matchesAny } from './topics.js'
import type { HubTransport, SubscriptionRecord } from './transport.js'

export interface SubscriptionsApiContext {
  verify: Verify | undefined
  tokens: TokenOptions
  transport: HubTransport
}

/**
 * Answers `GET /.well-known/mercure/subscriptions[/{topic}[/{subscriber}]]` (JSON-LD) with
 * status 200 and a body; every refusal is a thrown `HubError`.
 */
export async function readSubscriptions(
  request: SseRequest,
  context: SubscriptionsApiContext,
): Promise<object> {
  const path = request.url.pathname
  const found = findToken(request, context.tokens)
  if (!found) throw new HubError(401, 'ERR_HUB_UNAUTHORIZED', 'The subscriptions API needs a JWT.')
  if (!context.verify) {
    throw new HubError(401, 'ERR_HUB_UNAUTHORIZED', 'This hub has no subscriber key.')
  }
  const token = await context.verify(found.token)
  // spec (Mercure, Subscription API): "The requested URL MUST match at least one of the
  // topic selectors provided in the mercure.subscribe key of the JWS."
  if (!matchesAny(compileClaim(token.mercure.subscribe), [path])) {
    throw new HubError(403, 'ERR_HUB_FORBIDDEN_TOPIC', 'The JWT may not read these subscriptions.')
  }
  const [topic, subscriber, ...rest] = path
    .slice(SUBSCRIPTIONS_PATH.length)
    .split('/')
    .filter((s) => s !== '')
    .map(decodeSegment)
  if (rest.length > 0) throw new HubError(404, 'ERR_HUB_NOT_FOUND', 'No such resource.')
  const [all, lastEventID] = await Promise.all([
    context.transport.subscriptions(),
    context.transport.lastEventId(),
  ])
  const docs = all
    .filter(
      (s) =>
        (topic === undefined || s.topic === topic) &&
        (subscriber === undefined || s.subscriber === subscriber),
    )
    .map((s) => subscriptionDocument(s, true))
  if (subscriber !== undefined) {
    const doc = docs[0]
    if (!doc) throw new HubError(404, 'ERR_HUB_NOT_FOUND', 'No such active subscription.')
    return { ...doc, lastEventID }
  }
  return {
    '@context': 'https://mercure.rocks/',
    id: path,
    type: 'Subscriptions',
    lastEventID,
    subscriptions: docs.map(({ '@context': _c, ...doc }) => doc),
  }
}

/** The JSON-LD document of a subscription (spec: Subscription Events). */
export function subscriptionDocument(record: SubscriptionRecord, active: boolean) {
  return {
    '@context': 'https://mercure.rocks/',
    id: `${SUBSCRIPTIONS_PATH}/${encodeURIComponent(record.topic)}/${encodeURIComponent(record.subscriber)}`,
    type: 'Subscription',
    topic: record.topic,
    subscriber: record.subscriber,
    active,
    ...(record.payload !== undefined && { payload: record.payload }),
  }
}
