import type { HistoryOptions } from '@sprinkler/server'
import type { JwtAlgorithm } from './auth.js'
import type { HubLimits } from './limits.js'
import type { HubTransport } from './transport.js'

export interface HubOptions {
  /** Key for both roles: an HS* secret, or a PEM public key / certificate for RS* / ES*. */
  jwtKey?: string
  publisherJwtKey?: string
  subscriberJwtKey?: string
  /** Default HS256. */
  jwtAlgorithm?: JwtAlgorithm
  /** Verify tokens against this JWK Set instead of a key. */
  jwksUrl?: string
  /**
   * Let subscribers without a token receive public updates. Off by default, as in Mercure.
   * `{ allow, reason }` admits them only when every selector they ask for passes `allow`
   * (e.g. public demo topics); others get 401 with `reason`.
   */
  anonymous?: boolean | AnonymousRule
  /** Accept the `authorization` query parameter (the least safe: URLs end up in logs). Default true. */
  allowQueryToken?: boolean
  /** Default `mercureAuthorization`. */
  cookieName?: string
  /**
   * Origins allowed by CORS: a named origin may use credentials (cookies, also to publish); `*`
   * lets any other origin read answers without credentials.
   */
  corsOrigins?: readonly string[]
  /** History for the default in-memory transport. Default 1 000 updates, no age limit. */
  history?: HistoryOptions
  /** Default: in-memory. */
  transport?: HubTransport
  /** Publish subscription events (active true/false) as private updates. */
  subscriptions?: boolean
  heartbeatMs?: number
  maxBufferBytes?: number
  limits?: Partial<HubLimits>
}

/** Which selectors subscribers without a token may ask for. */
export interface AnonymousRule {
  allow: (selector: string) => boolean
  reason?: string
}

/** Where tokens are looked for, as `findToken` takes it. */
export interface TokenOptions {
  allowQueryToken: boolean
  cookieName: string
}

export function tokenOptions(options: HubOptions): TokenOptions {
  return {
    allowQueryToken: options.allowQueryToken ?? true,
    cookieName: options.cookieName ?? 'mercureAuthorization',
  }
}
