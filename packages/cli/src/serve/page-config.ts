/**
 * What a demo page's script reads from `<script type="application/json" id="demo-config">`.
 * (No imports: the browser scripts use it too.)
 */
export interface PageConfig {
  /** The hub URL, relative to the page. */
  hub: string
  /** The topic selectors of the page's one subscription. */
  topics: string[]
  /** The hub's last event id when the page was rendered: the page resumes from it, no gap. */
  lastEventId: string
  /** Sent back in the `x-sprinkler-csrf` header of every POST. */
  csrf: string
  user: string | null
  /** Whether the dev login and the console are offered. */
  interactive: boolean
  /** The demo's state when the page was rendered. */
  state: unknown
}

/** What a page exposes on `window.sprinkler`, for curious humans (devtools) and browser tests. */
export interface DemoGlobals {
  /** Every event the page received, in order. */
  received: { type: string; data: string }[]
}
