import { type ErrorCode, SprinklerError } from '@sprinkler/core'

/** A hub error that maps to an HTTP status; the message is safe to show to the client. */
export class HubError extends SprinklerError {
  /** Extra response headers (`retry-after` on a 503 that will pass). */
  readonly headers: Record<string, string>

  constructor(
    readonly status: number,
    code: ErrorCode,
    message: string,
    options?: { cause?: unknown; headers?: Record<string, string> },
  ) {
    super(code, message, options?.cause === undefined ? undefined : { cause: options.cause })
    this.headers = options?.headers ?? {}
  }
}
