import { describe, expect, it } from 'vitest'
import {
  checkOptions,
  finite,
  integer,
  MAX_TIMER_MS,
  ofType,
  oneOf,
  orInfinity,
  required,
  timerMs,
} from './options.js'

const rules = {
  count: integer(0),
  delayMs: timerMs,
  share: finite(0, 1),
  hook: ofType('function'),
  mode: oneOf('gap', 'replay-all'),
  name: required(ofType('string')),
}

const check = (options: unknown) => () => checkOptions('factory', options, rules)
const invalid = (message: string) =>
  expect.objectContaining({ name: 'SprinklerError', code: 'ERR_SSE_INVALID_OPTION', message })

describe('checkOptions', () => {
  it('accepts values within every rule, and undefined for an option with a default', () => {
    expect(check({ name: 'n' })).not.toThrow()
    expect(
      check({ name: 'n', count: 0, delayMs: MAX_TIMER_MS, share: 0.5, hook() {}, mode: 'gap' }),
    ).not.toThrow()
    expect(check({ name: 'n', unknown: Number.NaN })).not.toThrow()
  })

  it.each([
    [{ name: 'n', count: Number.NaN }, 'factory: count must be an integer >= 0, not NaN'],
    [{ name: 'n', count: -1 }, 'factory: count must be an integer >= 0, not -1'],
    [{ name: 'n', count: 1.5 }, 'factory: count must be an integer >= 0, not 1.5'],
    [{ name: 'n', count: Infinity }, 'factory: count must be an integer >= 0, not Infinity'],
    [{ name: 'n', count: '5' }, 'factory: count must be an integer >= 0, not "5"'],
    [
      { name: 'n', delayMs: MAX_TIMER_MS + 1 },
      `factory: delayMs must be an integer >= 0 and <= ${MAX_TIMER_MS}, not ${MAX_TIMER_MS + 1}`,
    ],
    [{ name: 'n', share: 2 }, 'factory: share must be a finite number >= 0 and <= 1, not 2'],
    [{ name: 'n', hook: null }, 'factory: hook must be of type function, not null'],
    [{ name: 'n', mode: 'all' }, 'factory: mode must be one of ["gap","replay-all"], not "all"'],
    [{}, 'factory: name must be of type string, not undefined'],
    [42, 'factory: options must be an object'],
    [null, 'factory: options must be an object'],
  ])('refuses %o: %s', (options, message) => {
    expect(check(options)).toThrow(invalid(message))
  })

  it('never echoes more than 40 characters of a wrong string', () => {
    expect(check({ name: 'n', count: 'x'.repeat(10_000) })).toThrow(
      invalid(`factory: count must be an integer >= 0, not "${'x'.repeat(40)}"`),
    )
  })
})

describe('orInfinity', () => {
  it('accepts the rule’s values and Infinity, nothing else', () => {
    const limits = { maxRetries: orInfinity(integer(0)) }
    for (const ok of [0, 7, Infinity]) {
      expect(() => checkOptions('f', { maxRetries: ok }, limits)).not.toThrow()
    }
    expect(() => checkOptions('f', { maxRetries: -Infinity }, limits)).toThrow(
      invalid('f: maxRetries must be an integer >= 0 or Infinity, not -Infinity'),
    )
  })
})
