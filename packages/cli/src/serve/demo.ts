import type { Hub, Update, UpdateInput } from '@sprinkler/hub'
import type { NodeRequest, NodeResponse } from '@sprinkler/server/node'

export type { PageConfig } from './page-config.js'

/** What a demo page is rendered for. */
export interface PageRequest {
  /** The signed-in user (dev login), if any. */
  user: string | undefined
  /** Whether this server offers the dev login and the console (loopback only). */
  interactive: boolean
}

/** A request to one of a demo's own endpoints, already checked against cross-site use. */
export interface ActionRequest extends PageRequest {
  req: NodeRequest
  res: NodeResponse
  /** The parsed JSON body (POST). */
  body: unknown
}

export interface DemoContext {
  hub: Hub
  /** Publishes with no authorization check: the demo is the hub's own code. */
  publish(input: UpdateInput): Promise<Update>
}

/**
 * One live demo: a page, the publishers that feed it (timers), and any endpoints of its own.
 * Every demo page subscribes to the topics of all the demos, so that all the tabs of a browser
 * share ONE connection to the hub (see browser/common.ts).
 */
export interface Demo {
  /** The page is served at `/${slug}`; its script is `/assets/${slug}.js`. */
  slug: string
  title: string
  /** One sentence for the index page. */
  summary: string
  /** The topic selectors the demo's page needs (every page subscribes to all demos' and the broadcast). */
  topics(page: PageRequest): string[]
  /** The page's markup inside the layout. */
  body(page: PageRequest): string
  /** Initial state handed to the page script (read before the hub's last event id). */
  state?(page: PageRequest): unknown
  /** GET endpoints (JSON) by path. */
  get?: Record<string, (page: PageRequest) => unknown>
  /** POST endpoints by path; each is CSRF-checked and only served on a loopback host. */
  post?: Record<string, (action: ActionRequest) => Promise<unknown>>
  /** Starts the demo's publishers; returns what stops them. */
  start?(): () => void
}

/** A whole number in [min, max]. */
export function randomInt(min: number, max: number): number {
  return min + Math.floor(Math.random() * (max - min + 1))
}
