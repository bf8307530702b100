import { encodeEventBytes, SprinklerError } from '@sprinkler/core'
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
  /**
   * The longest `id`: the subscriber endpoint's Last-Event-ID limit
   * (`SseEndpoint.maxLastEventIdLength`), so every id a client may resume from is accepted.
   */
  maxIdLength: number
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
  if (input.id !== undefined) checkId(input.id, limits.maxIdLength)
  const update: Update = {
    // spec (Mercure, Publication): "If omitted, the hub MUST generate a valid IRI".
    id: input.id ?? `urn:uuid:${crypto.randomUUID()}`,
    topics,
    data: input.data,
    type: input.type,
    retry: input.retry,
    private: input.private ?? false,
  }
  // Encoding checks the SSE fields (an id or type with CR/LF, an id with NUL, a bad retry)
  // by core's rules; the frame is kept for delivery.
  try {
    frameOf(update)
  } catch (error) {
    if (!(error instanceof SprinklerError)) throw error
    throw new HubError(400, 'ERR_HUB_INVALID_UPDATE', error.message)
  }
  return update
}

function checkId(id: string, maxLength: number): void {
  // spec (Mercure, Publication): "The provided ID MUST NOT start with the # character."
  if (id === '' || id.startsWith('#')) {
    throw new HubError(400, 'ERR_HUB_INVALID_UPDATE', '`id` must not be empty or start with `#`.')
  }
  // spec (Mercure, Reconciliation): `earliest` is the reserved Last-Event-ID for "everything
  // retained"; an update with that id could never be resumed from.
  if (id === 'earliest') {
    throw new HubError(
      400,
      'ERR_HUB_INVALID_UPDATE',
      '`earliest` is reserved and cannot be an `id`.',
    )
  }
  // A longer id would be refused when a client sends it back as Last-Event-ID.
  if (id.length > maxLength) {
    throw new HubError(
      400,
      'ERR_HUB_INVALID_UPDATE',
      `\`id\` is longer than ${maxLength} characters, the Last-Event-ID limit.`,
    )
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
