import type { EventInput } from '@sprinkler/core'

/** An event as apps hand it to the toolkit: `data` that is not a string is sent as JSON. */
export interface ServerEvent extends Omit<EventInput, 'data'> {
  data?: unknown
}

export function toEventInput(event: ServerEvent): EventInput {
  const { data } = event
  if (data === undefined || typeof data === 'string') return event as EventInput
  return { ...event, data: JSON.stringify(data) }
}
