import { SprinklerError } from './errors.js'

/**
 * One option's rule: what is allowed, in words (for the error message), and the test. Build
 * them with {@link integer}, {@link finite}, {@link ofType} and {@link oneOf}.
 */
export type OptionRule = readonly [
  allowed: string,
  test: (value: unknown) => boolean,
  required?: boolean,
]

/**
 * The longest delay a timer honours: node and browsers run a `setTimeout`/`setInterval` of
 * more than 2³¹−1 ms after 1 ms instead, which turns a long wait into a tight loop.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1

const range =
  (kind: string, test: (v: unknown) => boolean) =>
  (min: number, max = Number.POSITIVE_INFINITY): OptionRule => [
    `${kind} >= ${min}${max < Number.POSITIVE_INFINITY ? ` and <= ${max}` : ''}`,
    (v) => test(v) && (v as number) >= min && (v as number) <= max,
  ]

/** An integer from `min` to `max` (a safe integer: not NaN, not Infinity). */
export const integer = range('an integer', Number.isSafeInteger)

/** A finite number from `min` to `max` (not NaN, not Infinity). */
export const finite = range('a finite number', Number.isFinite)

/** The same rule, or `Infinity` (for "no limit"). */
export const orInfinity = ([allowed, test]: OptionRule): OptionRule => [
  `${allowed} or Infinity`,
  (v) => v === Number.POSITIVE_INFINITY || test(v),
]

/** Milliseconds a timer is set for: an integer from 0 to {@link MAX_TIMER_MS}. */
export const timerMs: OptionRule = integer(0, MAX_TIMER_MS)

/** A value whose `typeof` is one of `types` (`null` is not an object here). */
export const ofType = (...types: string[]): OptionRule => [
  `of type ${types.join(' or ')}`,
  (v) => v !== null && types.includes(typeof v),
]

/** The same rule, for an option that has no default. */
export const required = ([allowed, test]: OptionRule): OptionRule => [allowed, test, true]

/** One of a fixed set of values. */
export const oneOf = (...values: readonly unknown[]): OptionRule => [
  `one of ${JSON.stringify(values)}`,
  (v) => values.includes(v),
]

/**
 * Checks the options a factory was given, before it does anything with them, and throws
 * `SprinklerError` `ERR_SSE_INVALID_OPTION` naming the first wrong option and what it
 * allows. An option left `undefined` takes its default (unless its rule is
 * {@link required}); options without a rule are not looked at. `options` itself must be an object (or undefined).
 */
export function checkOptions(
  where: string,
  options: unknown,
  rules: Readonly<Record<string, OptionRule>>,
): void {
  if (options === undefined) return
  if (typeof options !== 'object' || options === null)
    invalid(`${where}: options must be an object`)
  for (const name in rules) {
    const value = (options as Record<string, unknown>)[name]
    const [allowed, test, needed] = rules[name] as OptionRule
    if (value === undefined ? needed : !test(value)) {
      invalid(`${where}: ${name} must be ${allowed}, not ${shown(value)}`)
    }
  }
}

function invalid(message: string): never {
  throw new SprinklerError('ERR_SSE_INVALID_OPTION', message)
}

/** A short, safe rendering of the wrong value (numbers as written, NaN included). */
function shown(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.slice(0, 40))
  return (typeof value === 'object' && value !== null) || typeof value === 'function'
    ? typeof value
    : String(value)
}
