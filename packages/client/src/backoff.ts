import { checkOptions, finite, integer, type OptionRule, orInfinity } from '@sprinkler/core'
import type { RetryOptions } from './types.js'

/**
 * The longest wait before a reconnection, whoever asks for more (a server's `retry:`, a
 * `Retry-After` of weeks, `maxDelayMs`): 24 hours. Timers run a longer delay (over 2³¹−1 ms)
 * after 1 ms, which would turn the wait into a tight reconnection loop.
 */
export const MAX_RECONNECT_DELAY_MS = 24 * 60 * 60 * 1000

const delayMs = finite(0)
const RETRY_OPTIONS: Record<keyof RetryOptions, OptionRule> = {
  initialDelayMs: delayMs,
  maxDelayMs: delayMs,
  factor: finite(1),
  jitter: finite(0, 1),
  maxRetries: orInfinity(integer(0)),
}

/** {@link RetryOptions} with every default filled in. */
export type RetryPolicy = Required<RetryOptions>

/** Fills in the defaults and rejects values that cannot work. */
export function retryPolicy(options: RetryOptions): RetryPolicy {
  checkOptions('EventSource retry', options, RETRY_OPTIONS)
  // `??`, not a spread: an option given as `undefined` takes its default too.
  return {
    initialDelayMs: options.initialDelayMs ?? 1000,
    maxDelayMs: options.maxDelayMs ?? 30_000,
    factor: options.factor ?? 2,
    jitter: options.jitter ?? 0.5,
    maxRetries: options.maxRetries ?? Number.POSITIVE_INFINITY,
  }
}

/** The wait actually used: at most {@link MAX_RECONNECT_DELAY_MS}. */
export const clampDelay = (ms: number): number => Math.min(ms, MAX_RECONNECT_DELAY_MS)

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
