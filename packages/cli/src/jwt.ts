import type { JwtAlgorithm, MercureClaim } from '@sprinkler/hub'
import { importPKCS8, SignJWT } from 'jose'
import { envOption } from './options.js'

/** The algorithms a hub key may use. */
export const JWT_ALGORITHMS: readonly JwtAlgorithm[] = [
  'HS256',
  'HS384',
  'HS512',
  'RS256',
  'RS384',
  'RS512',
  'ES256',
  'ES384',
  'ES512',
]

/** `--jwt-algorithm` (SPRINKLER_JWT_ALGORITHM), HS256 by default. */
export const jwtAlgorithmOption = (description = 'JWT algorithm') =>
  envOption('--jwt-algorithm <alg>', description, 'JWT_ALGORITHM')
    .choices(JWT_ALGORITHMS)
    .default('HS256')

export interface MintOptions {
  /** An HS* secret, or a PEM private key (PKCS#8) for RS* / ES*. */
  key: string
  /** Default HS256. */
  algorithm?: JwtAlgorithm
  /** Seconds until `exp`; 0 or undefined: no `exp`. */
  lifetimeS?: number
  /** The `sub` claim (the hub's per-user principal). */
  subject?: string
}

/** A hub JWT carrying a `mercure` claim (publish / subscribe selectors, payload). */
export async function mintToken(claim: MercureClaim, options: MintOptions): Promise<string> {
  const algorithm = options.algorithm ?? 'HS256'
  let jwt = new SignJWT({ mercure: claim }).setProtectedHeader({ alg: algorithm }).setIssuedAt()
  if (options.lifetimeS)
    jwt = jwt.setExpirationTime(Math.floor(Date.now() / 1000) + options.lifetimeS)
  if (options.subject !== undefined) jwt = jwt.setSubject(options.subject)
  const key = algorithm.startsWith('HS')
    ? new TextEncoder().encode(options.key)
    : await importPKCS8(options.key, algorithm)
  return jwt.sign(key)
}
