// The runtime-neutral public API: no node: module, no prom-client. Every entry point
// (`@sprinkler/hub`, `/node`, `/web`) exports it.
export {
  createVerifier,
  findToken,
  type JwtAlgorithm,
  type KeyConfig,
  type MercureClaim,
  type TokenSource,
  type VerifiedToken,
} from './auth.js'
export { discoveryLink } from './discovery.js'
export { HubError } from './errors.js'
export { createHub, Hub, type HubStats } from './hub.js'
export type { HubLimits } from './limits.js'
export { MemoryTransport } from './memory-transport.js'
export type { AnonymousRule, HubOptions } from './options.js'
export { HUB_PATH, SUBSCRIPTIONS_PATH } from './paths.js'
export { redactUrl } from './redact-url.js'
export type { HubResponse } from './response.js'
export { type HubRoute, type MetricsSource, resolveRoute } from './routes.js'
export { subscriptionDocument } from './subscriptions-api.js'
export {
  checkSelector,
  compileSelector,
  MAX_SELECTOR_LENGTH,
  MAX_TEMPLATE_VARIABLES,
  matchesAny,
  type TopicSelector,
} from './topics.js'
export type {
  HistoryResult,
  HubTransport,
  SubscriptionRecord,
  TransportHealth,
} from './transport.js'
export { createUpdate, frameOf, parsePublishForm, type Update, type UpdateInput } from './update.js'
