// What every demo page shares: its config, its connection to the hub (ONE for all the tabs of
// the origin), toasts and POSTs.
import { EventSource } from '@sprinkler/client'
import type { DemoGlobals, PageConfig } from '../page-config.js'

declare global {
  interface Window {
    sprinkler: DemoGlobals & { source?: EventSource }
  }
}

window.sprinkler = { received: [] }

export function pageConfig<State = unknown>(): PageConfig & { state: State } {
  const element = document.getElementById('demo-config')
  return JSON.parse(element?.textContent ?? '{}') as PageConfig & { state: State }
}

export type Handlers = Record<string, (data: string) => void>

/**
 * Opens the page's connection: one subscription to every demo topic, shared by all the tabs of
 * this origin (`shared: true`: one tab holds the real connection and relays it to the others),
 * so that however many demo tabs are open the browser spends one of its six HTTP/1.1
 * connections per origin on them. The tab that holds it sends the Last-Event-ID of the
 * position it was rendered at; a tab that joins later gets what is published from then on.
 * `handlers` are by event type; plain `message` events (the broadcast, or anything else
 * without a type) become toasts unless handled.
 */
export function connect(config: PageConfig, handlers: Handlers): EventSource {
  const url = new URL(config.hub, location.href)
  for (const topic of config.topics) url.searchParams.append('topic', topic)
  const source = new EventSource(url, {
    shared: true,
    // Sent on the first connection only; reconnections send the last id received.
    headers: { 'Last-Event-ID': config.lastEventId },
    retry: { initialDelayMs: 1000, maxDelayMs: 15_000, jitter: 0.5 },
    // Called only in the tab that holds the shared connection.
    fetch: holderIndicator(),
  })
  const status = document.getElementById('status')
  const show = (state: string, text: string) => {
    if (!status) return
    status.dataset.state = state
    status.textContent = text
  }
  source.addEventListener('open', () => show('open', 'live'))
  source.addEventListener('error', () =>
    source.readyState === EventSource.CLOSED
      ? show('closed', 'disconnected')
      : show('reconnecting', 'reconnecting…'),
  )
  const all: Handlers = { message: (data) => toast(data), ...handlers }
  for (const [type, handle] of Object.entries(all)) {
    source.addEventListener(type, (event) => {
      const data = (event as MessageEvent<string>).data
      window.sprinkler.received.push({ type, data })
      handle(data)
    })
  }
  window.sprinkler.source = source
  return source
}

/** What the tabs tell each other about who holds the shared connection. */
type HolderMessage = { k: 'who' } | { k: 'holder'; page: string }

/**
 * Shows in the header which tab holds the shared connection: the client calls its `fetch`
 * only in that tab, which then says so to the others (and to every tab that opens later).
 * @returns the `fetch` for the page's EventSource.
 */
function holderIndicator(): typeof fetch {
  const element = document.getElementById('holder')
  const channel =
    typeof BroadcastChannel === 'function' ? new BroadcastChannel('sprinkler-demo-holder') : null
  let holding = false
  const show = (page: string) => {
    if (!element) return
    element.dataset.holder = holding ? 'self' : 'other'
    element.textContent = holding ? 'connection: this tab' : `connection: tab ${page}`
    element.title = holding
      ? 'This tab holds the one connection to the hub and relays it to the other demo tabs.'
      : `The tab on ${page} holds the one connection to the hub; this tab gets its events.`
  }
  const announce = () => channel?.postMessage({ k: 'holder', page: location.pathname })
  if (channel) {
    channel.onmessage = ({ data }: MessageEvent<HolderMessage>) => {
      if (data.k === 'who' && holding) announce()
      else if (data.k === 'holder') show(data.page)
    }
    channel.postMessage({ k: 'who' } satisfies HolderMessage)
  }
  return (input, init) => {
    if (!holding) {
      holding = true
      show(location.pathname)
      announce()
    }
    return fetch(input, init)
  }
}

/** A short-lived note in the corner. */
export function toast(text: string): void {
  const box = document.getElementById('toasts')
  if (!box) return
  const note = document.createElement('div')
  note.className = 'toast'
  note.textContent = text
  box.append(note)
  setTimeout(() => note.remove(), 6000)
  while (box.childElementCount > 4) box.firstElementChild?.remove()
}

/** POSTs JSON to this server with the page's CSRF token; throws with the server's message. */
export async function post<T = unknown>(
  path: string,
  csrf: string,
  body: unknown = {},
): Promise<T> {
  const response = await fetch(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-sprinkler-csrf': csrf },
    body: JSON.stringify(body),
  })
  const json = (await response.json().catch(() => ({}))) as T & { error?: { message: string } }
  if (!response.ok) throw new Error(json.error?.message ?? `HTTP ${response.status}`)
  return json
}

/** `document.getElementById`, typed, failing loudly when the page lacks the element. */
export function byId<E extends HTMLElement = HTMLElement>(id: string): E {
  const element = document.getElementById(id)
  if (!element) throw new Error(`#${id} is missing`)
  return element as E
}

/** Wires a sign-in / sign-out form (index and badge pages). */
export function wireSession(csrf: string): void {
  const login = document.getElementById('login') as HTMLFormElement | null
  login?.addEventListener('submit', async (event) => {
    event.preventDefault()
    const button = (event as SubmitEvent).submitter as HTMLButtonElement | null
    const other = (login.elements.namedItem('other') as HTMLInputElement | null)?.value ?? ''
    const user = button?.value || other.trim()
    try {
      await post('/login', csrf, { user })
      location.reload()
    } catch (error) {
      toast((error as Error).message)
    }
  })
  const logout = document.getElementById('logout') as HTMLFormElement | null
  logout?.addEventListener('submit', async (event) => {
    event.preventDefault()
    await post('/logout', csrf)
    location.reload()
  })
}
