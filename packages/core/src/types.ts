/** A dispatched event, as the spec's "dispatch the event" step builds it. */
export interface SseEvent {
  /** The event type: the last `event:` field of the block, or `message`. */
  type: string
  /** The `data:` lines of the block joined with LF. */
  data: string
  /** The stream's last event ID string in force when this event was dispatched. */
  lastEventId: string
}

/** One event (or comment) to put on the wire. */
export interface EventInput {
  /** Split on CRLF, CR and LF into one `data:` line each. */
  data?: string
  /** Event type; must not contain CR or LF. */
  event?: string
  /** Last event ID; must not contain CR, LF or NUL. An empty string resets the client's ID. */
  id?: string
  /** Reconnection time hint in milliseconds; a non-negative integer. */
  retry?: number
  /** Comment text; each line becomes a `:` line that clients ignore. */
  comment?: string
}
