import { encodeEventBytes } from '@sprinkler/core'
import { HubError } from './errors.js'

/** A Mercure update as the hub stores and dispatches it. */
export interface Update {
  /** The SSE id: given by the publisher, or `urn:uuid:…`. */
  readonly id: string
  /** The first topic is canonical, the others alternate. */
  readonly topics: readonly string[]
  readonly data: string
  /** The SSE event type. */
  readonly type?: string | undefined
  /** The SSE reconnection time. */
  readonly retry?: number | undefined
  readonly private: boolean
}

/** What a publisher sends; the hub fills in the id when it is missing. */
export type UpdateInput = Omit<Update, 'id' | 'private'> & { id?: string; private?: boolean }

export interface UpdateLimits {
  maxTopics: number
}

// Each update is encoded once, however many subscribers get it.
const frames = new WeakMap<Update, Uint8Array>()

/** The update as one `text/event-stream` frame. */
export function frameOf(update: Update): Uint8Array {
  let frame = frames.get(update)
  if (!frame) {
    frame = encodeEventBytes({
      id: update.id,
      data: update.data,
      ...(update.type !== undefined && { event: update.type }),
      ...(update.retry !== undefined && { retry: update.retry }),
    })
    frames.set(update, frame)
  }
  return frame
}

/** Checks an update and gives it an id; every problem is a 400 with a reason. */
export function createUpdate(input: UpdateInput, limits: UpdateLimits): Update {
  const topics = [...input.topics]
  if (topics.length === 0) {
    throw new HubError(400, 'ERR_HUB_MISSING_TOPIC', 'An update needs at least one `topic`.')
  }
  if (topics.length > limits.maxTopics) {
    throw new HubError(
      400,
      'ERR_HUB_TOO_MANY_TOPICS',
      `An update may have at most ${limits.maxTopics} topics.`,
    )
  }
  // spec (Mercure, Publication): "The provided ID MUST NOT start with the # character."
  if (input.id !== undefined && (input.id === '' || input.id.startsWith('#'))) {
    throw new HubError(400, 'ERR_HUB_INVALID_UPDATE', '`id` must not be empty or start with `#`.')
  }
  if (input.id !== undefined && /[\r\n\0]/.test(input.id)) {
    throw new HubError(400, 'ERR_HUB_INVALID_UPDATE', '`id` must not contain CR, LF or NUL.')
  }
  if (input.type !== undefined && /[\r\n]/.test(input.type)) {
    throw new HubError(400, 'ERR_HUB_INVALID_UPDATE', '`type` must not contain CR or LF.')
  }
  if (input.retry !== undefined && !(Number.isSafeInteger(input.retry) && input.retry >= 0)) {
    throw new HubError(400, 'ERR_HUB_INVALID_UPDATE', '`retry` must be a non-negative integer.')
  }
  return {
    // spec (Mercure, Publication): "If omitted, the hub MUST generate a valid IRI".
    id: input.id ?? `urn:uuid:${crypto.randomUUID()}`,
    topics,
    data: input.data,
    type: input.type,
    retry: input.retry,
    private: input.private ?? false,
  }
}

/**
 * Reads a publish request body (`application/x-www-form-urlencoded`).
 * spec (Mercure, Publication): `topic` (repeatable, first canonical), `data`, `private` (any
 * value, even empty, means private), `id`, `type`, `retry`.
 */
export function parsePublishForm(body: string, limits: UpdateLimits): Update {
  const form = new URLSearchParams(body)
  const retry = form.get('retry')
  if (retry !== null && !/^\d+$/.test(retry)) {
    throw new HubError(400, 'ERR_HUB_INVALID_UPDATE', '`retry` must be a non-negative integer.')
  }
  return createUpdate(
    {
      topics: form.getAll('topic'),
      data: form.get('data') ?? '',
      id: form.get('id') ?? undefined,
      type: form.get('type') ?? undefined,
      retry: retry === null ? undefined : Number(retry),
      private: form.has('private'),
    },
    limits,
  )
}
