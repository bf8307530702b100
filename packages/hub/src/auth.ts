import {
  createRemoteJWKSet,
  errors,
  importSPKI,
  importX509,
  type JWTPayload,
  jwtVerify,
} from 'jose'
import { HubError } from './errors.js'

/** The algorithms a hub key may use. */
export type JwtAlgorithm =
  | 'HS256'
  | 'HS384'
  | 'HS512'
  | 'RS256'
  | 'RS384'
  | 'RS512'
  | 'ES256'
  | 'ES384'
  | 'ES512'

/** A key: a shared secret for HS*, or a PEM public key / certificate for RS* and ES*. */
export interface KeyConfig {
  key: string
  algorithm?: JwtAlgorithm
}

/** The `mercure` claim. */
export interface MercureClaim {
  publish?: string[]
  subscribe?: string[]
  payload?: unknown
}

export interface VerifiedToken {
  mercure: MercureClaim
  /** Seconds since epoch, when the token has `exp`. */
  exp: number | undefined
  payload: JWTPayload
}

export type Verify = (token: string) => Promise<VerifiedToken>

const VERIFIED_CACHE_SIZE = 1024

/**
 * Builds a verifier for one role from a key or a JWKS URL. `alg: none` and any algorithm
 * other than the configured one are refused; `exp`/`nbf` are checked when present.
 */
export async function createVerifier(config: KeyConfig | { jwksUrl: string }): Promise<Verify> {
  let key: Parameters<typeof jwtVerify>[1]
  let algorithms: JwtAlgorithm[] | undefined
  if ('jwksUrl' in config) {
    key = createRemoteJWKSet(new URL(config.jwksUrl))
  } else {
    const algorithm = config.algorithm ?? 'HS256'
    algorithms = [algorithm]
    key = algorithm.startsWith('HS')
      ? new TextEncoder().encode(config.key)
      : config.key.includes('BEGIN CERTIFICATE')
        ? await importX509(config.key, algorithm)
        : await importSPKI(config.key, algorithm)
  }
  // A publisher sends the same token with every update, a page with every reconnection:
  // verify each token once and reuse the result until it expires (bounded, least recent out).
  const verified = new Map<string, VerifiedToken>()
  return async (token) => {
    const hit = verified.get(token)
    if (hit) {
      verified.delete(token)
      if (hit.exp === undefined || hit.exp * 1000 > Date.now()) {
        verified.set(token, hit)
        return hit
      }
    }
    try {
      const { payload } = await jwtVerify(token, key as Uint8Array, {
        ...(algorithms && { algorithms }),
      })
      const claim = payload.mercure
      const result: VerifiedToken = {
        mercure: typeof claim === 'object' && claim !== null ? (claim as MercureClaim) : {},
        exp: payload.exp,
        payload,
      }
      if (verified.size >= VERIFIED_CACHE_SIZE)
        verified.delete(verified.keys().next().value as string)
      verified.set(token, result)
      return result
    } catch (cause) {
      const expired = cause instanceof errors.JWTExpired
      throw new HubError(
        401,
        'ERR_HUB_INVALID_TOKEN',
        expired
          ? 'The JWT has expired.'
          : 'The JWT is malformed, unsigned or signed with the wrong key.',
        { cause },
      )
    }
  }
}

/** Where a token was found. */
export type TokenSource = 'header' | 'query' | 'cookie'

export interface TokenLookup {
  header(name: string): string | null
  url: URL
}

/**
 * Finds the request's JWS. spec (Mercure, Authorization): "If an Authorization HTTP header is
 * presented by the client, the JWS it contains MUST be used. The content of the authorization
 * query parameter and the cookie MUST be ignored. If an authorization query parameter is set
 * by the client and no Authorization HTTP header is presented, the content of the query
 * parameter MUST be used; the content of the cookie must be ignored."
 */
export function findToken(
  request: TokenLookup,
  options: { allowQueryToken: boolean; cookieName: string },
): { token: string; source: TokenSource } | undefined {
  const header = request.header('authorization')
  if (header !== null) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header)
    if (!match) {
      throw new HubError(
        401,
        'ERR_HUB_INVALID_TOKEN',
        'The Authorization header must be `Bearer <JWS>`.',
      )
    }
    return { token: match[1] as string, source: 'header' }
  }
  const query = request.url.searchParams.get('authorization')
  if (query !== null) {
    if (!options.allowQueryToken) {
      throw new HubError(
        401,
        'ERR_HUB_QUERY_TOKEN_DISABLED',
        'Tokens in the URL are disabled on this hub; send an Authorization header or a cookie.',
      )
    }
    return { token: query, source: 'query' }
  }
  const cookie = readCookie(request.header('cookie'), options.cookieName)
  return cookie === undefined ? undefined : { token: cookie, source: 'cookie' }
}

function readCookie(header: string | null, name: string): string | undefined {
  if (header === null) return undefined
  for (const part of header.split(';')) {
    const eq = part.indexOf('=')
    if (eq !== -1 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim()
  }
  return undefined
}
