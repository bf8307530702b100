import { afterEach, describe, expect, it, vi } from 'vitest'
import { backoffDelay, parseRetryAfter, retryPolicy } from './backoff.js'

afterEach(() => {
  vi.useRealTimers()
})

describe('retryPolicy', () => {
  it('fills in the defaults', () => {
    expect(retryPolicy({})).toEqual({
      initialDelayMs: 1000,
      maxDelayMs: 30_000,
      factor: 2,
      jitter: 0.5,
      maxRetries: Number.POSITIVE_INFINITY,
    })
    expect(retryPolicy({ jitter: 0, maxRetries: 3 })).toMatchObject({ jitter: 0, maxRetries: 3 })
  })

  it.each([
    { initialDelayMs: -1 },
    { maxDelayMs: Number.NaN },
    { factor: 0.5 },
    { jitter: 1.5 },
    { jitter: -0.1 },
    { maxRetries: -1 },
  ])('rejects %o with ERR_SSE_INVALID_OPTION', (options) => {
    expect(() => retryPolicy(options)).toThrow(
      expect.objectContaining({ code: 'ERR_SSE_INVALID_OPTION' }),
    )
  })
})

describe('backoffDelay', () => {
  const policy = retryPolicy({ initialDelayMs: 100, maxDelayMs: 1000, factor: 3, jitter: 0 })

  it('is min(maxDelayMs, base · factor^(k−1))', () => {
    expect([1, 2, 3, 4, 5].map((k) => backoffDelay(k, 100, policy))).toEqual([
      100, 300, 900, 1000, 1000,
    ])
    expect(backoffDelay(2, 50, policy)).toBe(150)
  })

  it('varies by ±jitter with Math.random, within bounds', () => {
    const jittery = { ...policy, jitter: 0.25 }
    const random = vi.spyOn(Math, 'random')
    random.mockReturnValue(0)
    expect(backoffDelay(2, 100, jittery)).toBe(225)
    random.mockReturnValue(0.5)
    expect(backoffDelay(2, 100, jittery)).toBe(300)
    random.mockReturnValue(0.999_999)
    expect(backoffDelay(2, 100, jittery)).toBe(375)
    for (let r = 0; r < 1; r += 0.01) {
      random.mockReturnValue(r)
      const delay = backoffDelay(3, 100, jittery)
      expect(delay).toBeGreaterThanOrEqual(675)
      expect(delay).toBeLessThanOrEqual(1125)
    }
  })
})

describe('parseRetryAfter', () => {
  it('reads delta-seconds', () => {
    expect(parseRetryAfter('7')).toBe(7000)
    expect(parseRetryAfter(' 0 ')).toBe(0)
  })

  it('reads an HTTP date relative to now, never negative', () => {
    vi.useFakeTimers({ toFake: ['Date'], now: Date.UTC(2026, 0, 1, 12, 0, 0) })
    expect(parseRetryAfter('Thu, 01 Jan 2026 12:00:05 GMT')).toBe(5000)
    expect(parseRetryAfter('Thu, 01 Jan 2026 11:00:00 GMT')).toBe(0)
  })

  it('ignores anything else', () => {
    expect(parseRetryAfter(null)).toBeUndefined()
    expect(parseRetryAfter('soon')).toBeUndefined()
    expect(parseRetryAfter('-3')).toBeUndefined()
    expect(parseRetryAfter('1.5')).toBeUndefined()
  })
})
