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
export {
  createHub,
  HUB_PATH,
  Hub,
  type HubLimits,
  type HubOptions,
  type HubResponse,
  type HubStats,
  SUBSCRIPTIONS_PATH,
  subscriptionDocument,
} from './hub.js'
export { MemoryTransport } from './memory-transport.js'
export { createHubMetrics } from './metrics.js'
export { createHubRoutes, type HubRoutes, type HubRoutesOptions } from './node.js'
export { type HubRoute, resolveRoute } from './routes.js'
export { compileSelector, matchesAny, type TopicSelector } from './topics.js'
export type {
  HistoryResult,
  HubTransport,
  SubscriptionRecord,
  TransportHealth,
} from './transport.js'
export { createUpdate, frameOf, parsePublishForm, type Update, type UpdateInput } from './update.js'
export { createHubFetchHandler, type HubFetchOptions } from './web.js'
