import type { ClientErrorCode } from './error-event.js'
import { SseErrorEvent } from './error-event.js'
import { EventSource, type SharedBridge } from './event-source.js'
import { lastEventIdValue } from './request-headers.js'
import type { HeadersLike } from './types.js'

/** What tabs sharing one connection tell each other over their BroadcastChannel. */
type Message =
  /** A tab joined: the leader answers with `state`. */
  | { k: 'hello' }
  | { k: 'state'; open: boolean }
  | { k: 'open' }
  | { k: 'message'; type: string; data: string; id: string; origin: string }
  | { k: 'error'; code: ClientErrorCode; message: string; status?: number; fatal: boolean }

/**
 * [NON-SPEC] `shared: true`. Every tab asks for the Web Lock named after the URL; the one that
 * holds it (the leader) runs the only real connection and broadcasts what happens on it, the
 * others replay that. When the leader closes or its tab goes away the lock passes to another
 * tab, which reconnects with the last event ID it saw, so nothing is lost if the server keeps
 * history. Without Web Locks or BroadcastChannel (Node, old browsers) it connects on its own.
 * Loaded on demand by `EventSource`, so the main bundle does not carry it.
 * @returns what `close()` calls to leave the group.
 */
export function share(source: EventSource, bridge: SharedBridge): () => void {
  const locks = globalThis.navigator?.locks
  if (!locks || typeof BroadcastChannel !== 'function') {
    bridge.solo()
    return noop
  }
  const name = `sprinkler:${source.url}`
  const channel = new BroadcastChannel(name)
  const leaving = new AbortController()
  let leader: EventSource | undefined
  let lastEventId = ''
  let open = false

  const apply = (message: Message) => {
    // A `state` answers a tab that just joined; the tabs already open ignore it.
    if (message.k === 'open' || (message.k === 'state' && message.open && !open)) {
      open = true
      bridge.open()
    } else if (message.k === 'message') {
      lastEventId = message.id
      if (source.readyState !== EventSource.CLOSED) {
        const { type, data, id, origin } = message
        source.dispatchEvent(new MessageEvent(type, { data, lastEventId: id, origin }))
      }
    } else if (message.k === 'error') {
      open = false
      bridge.error(message.code, message.message, message.status, message.fatal)
    }
  }
  const broadcast = (message: Message) => {
    channel.postMessage(message)
    apply(message)
  }

  channel.onmessage = ({ data }: MessageEvent<Message>) => {
    if (data.k === 'hello') {
      if (leader) channel.postMessage({ k: 'state', open: leader.readyState === EventSource.OPEN })
    } else if (!leader) apply(data)
  }
  channel.postMessage({ k: 'hello' } satisfies Message)

  locks
    .request(name, { signal: leaving.signal }, () => {
      if (leaving.signal.aborted) return
      // The tabs saw the old leader's connection open: to them this is a reconnection.
      if (open) {
        broadcast({
          k: 'error',
          code: 'ERR_SSE_NETWORK',
          message: 'The tab holding the shared connection went away; reconnecting',
          fatal: false,
        })
      }
      leader = new Leader(
        source.url,
        { ...bridge.init, shared: false, signal: undefined, headers: resume(bridge.init.headers) },
        broadcast,
      )
      return new Promise<void>((release) => {
        leaving.signal.addEventListener('abort', () => {
          leader?.close()
          leader = undefined
          release()
        })
      })
    })
    .catch(noop)

  // A new leader resumes from the last event ID this tab saw (the source's own ID wins once
  // the server sends one).
  function resume(headers: SharedBridge['init']['headers']) {
    const id = lastEventId
    if (id === '') return headers
    const withId = (user: HeadersLike | undefined) => {
      const all = new Headers(user)
      all.set('Last-Event-ID', lastEventIdValue(id))
      return all
    }
    return typeof headers === 'function' ? async () => withId(await headers()) : withId(headers)
  }

  return () => {
    leaving.abort()
    channel.close()
  }
}

/** The leader's real connection: everything it dispatches also goes to every tab. */
class Leader extends EventSource {
  readonly #forward: (message: Message) => void

  constructor(url: string, init: SharedBridge['init'], forward: (message: Message) => void) {
    super(url, init)
    this.#forward = forward
  }

  override dispatchEvent(event: Event): boolean {
    if (event instanceof SseErrorEvent) {
      this.#forward({
        k: 'error',
        code: event.code,
        message: event.message,
        ...(event.status === undefined ? {} : { status: event.status }),
        fatal: this.readyState === EventSource.CLOSED,
      })
    } else if (event instanceof MessageEvent) {
      this.#forward({
        k: 'message',
        type: event.type,
        data: event.data,
        id: event.lastEventId,
        origin: event.origin,
      })
    } else if (event.type === 'open') this.#forward({ k: 'open' })
    return super.dispatchEvent(event)
  }
}

function noop(): void {}
