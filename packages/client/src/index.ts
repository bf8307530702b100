export { MAX_RECONNECT_DELAY_MS } from './backoff.js'
export {
  type ClientErrorCode,
  SseErrorEvent,
  SseErrorEvent as ErrorEvent,
  type SseErrorEventInit,
} from './error-event.js'
export { type EventHandler, EventSource } from './event-source.js'
export type {
  EventSourceEventMap,
  EventSourceInit,
  FetchLike,
  FetchLikeInit,
  FetchLikeResponse,
  HeadersLike,
  ReaderLike,
  RetryOptions,
} from './types.js'
