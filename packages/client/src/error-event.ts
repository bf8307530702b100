/** The codes an `error` event of the client can carry. */
export type ClientErrorCode =
  | 'ERR_SSE_NETWORK'
  | 'ERR_SSE_STATUS'
  | 'ERR_SSE_CONTENT_TYPE'
  | 'ERR_SSE_READ_TIMEOUT'
  | 'ERR_SSE_RETRIES_EXHAUSTED'

/** What an {@link SseErrorEvent} carries beyond the type. */
export interface SseErrorEventInit {
  code: ClientErrorCode
  message: string
  status?: number | undefined
  cause?: unknown
}

/**
 * [NON-SPEC] The standard fires a bare `Event` named `error` and says why nowhere. This one says
 * why: a stable `code`, the HTTP `status` where there is one, the underlying `cause` (for
 * example fetch's `TypeError`), and a human `message`. `readyState` tells whether the source
 * reconnects (`CONNECTING`) or gave up (`CLOSED`).
 */
export class SseErrorEvent extends Event {
  declare readonly code: ClientErrorCode
  declare readonly message: string
  declare readonly status: number | undefined
  declare readonly cause: unknown

  constructor(type: string, { code, message, status, cause }: SseErrorEventInit) {
    super(type)
    Object.assign(this, { code, message, status, cause })
  }
}
