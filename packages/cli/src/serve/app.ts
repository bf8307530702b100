import { randomBytes } from 'node:crypto'
import { createVerifier, type Hub, HubError } from '@sprinkler/hub'
import { cookieValue, sendAsset, sendError } from '@sprinkler/logs/internal'
import type { NodeRequest, NodeResponse } from '@sprinkler/server/node'
import { mintToken } from '../jwt.js'
import { bundleAssets } from './assets.js'
import type { Demo, DemoContext, PageRequest } from './demo.js'
import { badgeDemo } from './demos/badge.js'
import { carouselDemo } from './demos/carousel.js'
import { consoleDemo } from './demos/console.js'
import { scoresDemo } from './demos/scores.js'
import { tickerDemo } from './demos/ticker.js'
import { COOKIE_NAME, checkSameOrigin } from './guard.js'
import { demoPage, indexPage } from './html.js'
import { readJson, sendHtml, sendJson } from './http.js'
import { createRecipientFinder } from './recipients.js'
import { LOGS_PATH, type ServerLog } from './server-log.js'
import { topics, USER_NAME } from './topics.js'

export interface DemoAppOptions {
  hub: Hub
  /** The HS256 secret the hub verifies with: the dev login signs its cookies with it. */
  jwtKey: string
  /** Served over HTTPS: cookies get `Secure`. */
  secure: boolean
  /** Offer the dev login and the publish console (only on a loopback host). */
  interactive: boolean
  /** The server's own log, served at `/logs` (loopback hosts only); demo publishes go to it. */
  serverLog?: ServerLog
  /** Publisher periods, in ms (tests shorten them). */
  intervals?: { scoresMs?: number; tickerMs?: number; carouselMs?: number }
}

export interface DemoApp {
  /** Handles the demo's routes; resolves false for the others (the hub's). */
  handle(req: NodeRequest, res: NodeResponse): Promise<boolean>
  readonly demos: readonly Demo[]
  /** Stops the publishers. */
  close(): void
}

const SESSION_LIFETIME_S = 24 * 3600

/** The live demos of `sprinkler serve`, mounted beside an in-process hub. */
export async function createDemoApp(options: DemoAppOptions): Promise<DemoApp> {
  const { hub, interactive, secure, serverLog } = options
  const ctx: DemoContext = {
    hub,
    publish: (input) => {
      serverLog?.logPublish(input)
      return hub.publish(input)
    },
  }
  const verify = await createVerifier({ key: options.jwtKey, algorithm: 'HS256' })
  const demos: Demo[] = [
    badgeDemo(ctx),
    scoresDemo(ctx, options.intervals?.scoresMs),
    carouselDemo(ctx, options.intervals?.carouselMs),
    tickerDemo(ctx, options.intervals?.tickerMs),
    consoleDemo(ctx, createRecipientFinder(hub, verify)),
  ]
  const assets = await bundleAssets(['index', ...demos.map((d) => d.slug)])
  // One token per process: a page embeds it, a cross-site page cannot read it.
  const csrf = randomBytes(24).toString('base64url')
  const stops = demos.map((d) => d.start?.()).filter((stop) => stop !== undefined)

  const gets = new Map<string, (page: PageRequest) => unknown>()
  const posts = new Map<string, NonNullable<Demo['post']>[string]>()
  for (const demo of demos) {
    for (const [path, handler] of Object.entries(demo.get ?? {})) gets.set(path, handler)
    for (const [path, handler] of Object.entries(demo.post ?? {})) posts.set(path, handler)
  }
  posts.set('/login', async ({ body, res }) => {
    const { user } = (body ?? {}) as { user?: unknown }
    if (typeof user !== 'string' || !USER_NAME.test(user)) {
      throw new HubError(400, 'ERR_SERVE_INVALID_REQUEST', 'Give a user name (a-z, 0-9, _ or -).')
    }
    // The JWT lets its holder read its own private notifications, nothing else.
    const token = await mintToken(
      { subscribe: [topics.notifications(user)], payload: { user } },
      { key: options.jwtKey, lifetimeS: SESSION_LIFETIME_S, subject: user },
    )
    res.setHeader('set-cookie', cookie(token, SESSION_LIFETIME_S))
    return { user }
  })
  posts.set('/logout', async ({ res }) => {
    res.setHeader('set-cookie', cookie('', 0))
    return { user: null }
  })

  function cookie(value: string, maxAge: number): string {
    return `${COOKIE_NAME}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAge}${secure ? '; Secure' : ''}`
  }

  /**
   * Every demo page subscribes to the same topics (every demo's and the broadcast), in the
   * same order: the same hub URL in every tab, so the tabs share one connection.
   */
  function subscription(page: PageRequest): string[] {
    return [...new Set([...demos.flatMap((d) => d.topics(page)), topics.broadcast])]
  }

  async function pageRequest(req: NodeRequest): Promise<PageRequest> {
    const token = cookieValue(req.headers.cookie, COOKIE_NAME)
    let user: string | undefined
    if (token) {
      const verified = await verify(token).catch(() => undefined)
      const sub = verified?.payload.sub
      if (typeof sub === 'string' && USER_NAME.test(sub)) user = sub
    }
    return { user, interactive }
  }

  async function handle(req: NodeRequest, res: NodeResponse): Promise<boolean> {
    if (serverLog && (await serverLog.app.routes(req, res))) return true
    const path = new URL(req.url ?? '/', 'http://localhost').pathname
    const method = req.method ?? 'GET'
    if (!serverLog && (path === LOGS_PATH || path.startsWith(`${LOGS_PATH}/`))) {
      sendError(
        res,
        403,
        'ERR_SERVE_LOOPBACK_ONLY',
        'The server log is only served on a loopback host.',
      )
      return true
    }
    if (method === 'GET' || method === 'HEAD') {
      const asset = assets.get(path)
      if (asset) {
        sendAsset(res, asset)
        return true
      }
      if (path === '/') {
        sendHtml(res, indexPage(demos, await pageRequest(req), csrf, serverLog !== undefined))
        return true
      }
      const get = gets.get(path)
      if (get) {
        sendJson(res, 200, get(await pageRequest(req)))
        return true
      }
      const demo = demos.find((d) => `/${d.slug}` === path)
      if (demo) {
        const page = await pageRequest(req)
        // The hub's position first, then the state: the page resumes from that position, so
        // whatever is published after the snapshot reaches it (nothing lost between the two).
        const lastEventId = await hub.transport.lastEventId()
        const state = demo.state?.(page) ?? null
        const config = {
          hub: '/.well-known/mercure',
          topics: subscription(page),
          lastEventId,
          csrf,
          user: page.user ?? null,
          interactive,
          state,
        }
        sendHtml(res, demoPage(demo, demos, page, config))
        return true
      }
      return false
    }
    const post = method === 'POST' ? posts.get(path) : undefined
    if (!post) return false
    if (!interactive) {
      sendError(
        res,
        403,
        'ERR_SERVE_LOOPBACK_ONLY',
        'The console and the development login are only served on a loopback host.',
      )
      return true
    }
    const crossSite = checkSameOrigin(req, csrf, secure)
    if (crossSite) {
      sendError(res, crossSite.status, crossSite.code, crossSite.message)
      return true
    }
    const body = await readJson(req)
    try {
      sendJson(res, 200, await post({ req, res, body, ...(await pageRequest(req)) }))
    } catch (error) {
      if (!(error instanceof HubError)) throw error
      sendError(res, error.status, error.code, error.message)
    }
    return true
  }

  return {
    handle,
    demos,
    close: () => {
      for (const stop of stops) stop()
    },
  }
}
