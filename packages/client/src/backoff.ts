import { SprinklerError } from '@sprinkler/core'
import type { RetryOptions } from './types.js'

/** {@link RetryOptions} with every default filled in. */
export type RetryPolicy = Required<RetryOptions>

/** Fills in the defaults and rejects values that cannot work. */
export function retryPolicy(options: RetryOptions): RetryPolicy {
  const policy: RetryPolicy = {
    initialDelayMs: 1000,
    maxDelayMs: 30_000,
    factor: 2,
    jitter: 0.5,
    maxRetries: Number.POSITIVE_INFINITY,
    ...options,
  }
  const { initialDelayMs, maxDelayMs, factor, jitter, maxRetries } = policy
  // Written so that NaN fails every test.
  if (!(Math.min(initialDelayMs, maxDelayMs, maxRetries, jitter, 1 - jitter, factor - 1) >= 0)) {
    throw new SprinklerError(
      'ERR_SSE_INVALID_OPTION',
      'retry: delays, maxRetries >= 0, factor >= 1, 0 <= jitter <= 1',
    )
  }
  return policy
}

/**
 * The wait after the `failures`-th failure in a row:
 * `min(maxDelayMs, baseMs · factor^(failures − 1))`, varied by ±`jitter` with `Math.random`.
 */
export function backoffDelay(failures: number, baseMs: number, policy: RetryPolicy): number {
  const delay = Math.min(policy.maxDelayMs, baseMs * policy.factor ** (failures - 1))
  return Math.round(delay * (1 + policy.jitter * (2 * Math.random() - 1)))
}

/**
 * A `Retry-After` header as milliseconds from now: delta-seconds or an HTTP date
 * (RFC 9110 §10.2.3). Anything else gives `undefined`.
 */
export function parseRetryAfter(value: string | null): number | undefined {
  if (value === null) return undefined
  const text = value.trim()
  if (/^\d+$/.test(text)) return Number(text) * 1000
  // Every HTTP-date form starts with the day name ("Sun, 06 Nov 1994 08:49:37 GMT").
  const date = /^[a-z]{3}/i.test(text) ? Date.parse(text) : Number.NaN
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now())
}
