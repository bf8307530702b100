import { type ErrorCode, SprinklerError } from '@sprinkler/core'

/** A hub error that maps to an HTTP status; the message is safe to show to the client. */
export class HubError extends SprinklerError {
  constructor(
    readonly status: number,
    code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, options)
  }
}
