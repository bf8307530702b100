import { HubError } from './errors.js'

export interface HubLimits {
  /** Largest publish body, in bytes (413 past it). Default 1 MiB. */
  maxBodyBytes: number
  /** Most `topic` values in one publish or subscribe request (400 past it). Default 100. */
  maxTopics: number
  /** Most open subscriber connections (503 past it). Default unlimited. */
  maxConnections: number
  /** Most open connections from one IP address (429 past it). Default unlimited. */
  maxConnectionsPerIp: number
  /** Most open connections with one token (429 past it). Default unlimited. */
  maxConnectionsPerToken: number
}

export const DEFAULT_LIMITS: HubLimits = {
  maxBodyBytes: 1024 * 1024,
  maxTopics: 100,
  maxConnections: Number.POSITIVE_INFINITY,
  maxConnectionsPerIp: Number.POSITIVE_INFINITY,
  maxConnectionsPerToken: Number.POSITIVE_INFINITY,
}

/** Who holds a connection, for the per-address and per-token limits. */
export interface ConnectionOwner {
  ip: string | undefined
  token: string | undefined
}

/** Counts open subscriber connections per address and per token, and refuses past the limits. */
export class ConnectionLimiter {
  readonly #perIp = new Map<string, number>()
  readonly #perToken = new Map<string, number>()

  constructor(readonly limits: HubLimits) {}

  /** Throws 503 (hub full) or 429 (this address or token at its limit). */
  check(open: number, { ip, token }: ConnectionOwner): void {
    if (open >= this.limits.maxConnections) {
      throw new HubError(503, 'ERR_HUB_TOO_MANY_CONNECTIONS', 'The hub is at its connection limit.')
    }
    if (ip !== undefined && (this.#perIp.get(ip) ?? 0) >= this.limits.maxConnectionsPerIp) {
      throw new HubError(
        429,
        'ERR_HUB_TOO_MANY_CONNECTIONS',
        'Too many connections from this address.',
      )
    }
    if (
      token !== undefined &&
      (this.#perToken.get(token) ?? 0) >= this.limits.maxConnectionsPerToken
    ) {
      throw new HubError(
        429,
        'ERR_HUB_TOO_MANY_CONNECTIONS',
        'Too many connections with this token.',
      )
    }
  }

  add({ ip, token }: ConnectionOwner): void {
    if (ip !== undefined) this.#perIp.set(ip, (this.#perIp.get(ip) ?? 0) + 1)
    if (token !== undefined) this.#perToken.set(token, (this.#perToken.get(token) ?? 0) + 1)
  }

  remove({ ip, token }: ConnectionOwner): void {
    if (ip !== undefined) decrement(this.#perIp, ip)
    if (token !== undefined) decrement(this.#perToken, token)
  }
}

function decrement(map: Map<string, number>, key: string): void {
  const n = (map.get(key) ?? 1) - 1
  if (n === 0) map.delete(key)
  else map.set(key, n)
}
