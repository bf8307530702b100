/**
 * Every error Sprinkler raises or reports carries a stable `code` from this registry.
 * The descriptions are the documentation: `docs/errors.md` is checked against them.
 */
export const errorCodes = {
  ERR_SSE_INVALID_FIELD:
    'An `event` or `id` contains CR or LF, an `id` contains NUL, or `retry` is not a non-negative integer.',
  ERR_SSE_EMPTY_EVENT: 'encodeEvent was given no field at all; an event needs at least one.',
  ERR_SSE_LINE_TOO_LONG:
    'A line in the event stream exceeded the parser’s `maxLineLength`; the line was discarded.',
  ERR_SSE_INVALID_OPTION: 'An option passed to a Sprinkler factory has the wrong type or range.',
} as const

export type ErrorCode = keyof typeof errorCodes

const brand = Symbol.for('sprinkler.error')

/**
 * The one error class of every Sprinkler package. `instanceof` works across duplicate
 * copies of the package (it checks a global symbol, not the class identity).
 */
export class SprinklerError<C extends string = string> extends Error {
  readonly code: C
  readonly [brand] = true

  constructor(code: C, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'SprinklerError'
    this.code = code
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return (
      typeof value === 'object' &&
      value !== null &&
      (value as Record<symbol, unknown>)[brand] === true
    )
  }
}
