import type { ErrorCode } from '@sprinkler/core'
import { type Principal, type Refusal, refuse, type SseRequest } from '@sprinkler/server'
import {
  createSseHandler,
  type NodeRequest,
  type NodeResponse,
  type NodeSseHandler,
} from '@sprinkler/server/node'
import { sendAsset } from './assets.js'
import { PasswordGate } from './auth.js'
import type { LogFeed } from './feed.js'
import { hostName, isLoopbackName, sendError, sendHtml } from './http.js'
import { bundlePage, pageHtml } from './page.js'

/** Where the page reads the stream from (below the app's `basePath`). */
export const EVENTS_PATH = '/events'

export interface LogAppOptions {
  feed: LogFeed
  /**
   * Required to answer requests addressed to anything but a loopback name. With it, every page
   * and stream needs a session (login form) or `Authorization: Bearer <password>`.
   */
  password?: string
  /** Served over HTTPS (cookies get `Secure`). */
  secure?: boolean
  /** Per-client bound on bytes waiting for a slow socket (see the server toolkit). Default 1 MiB. */
  maxBufferBytes?: number
  /** Default 15 000 ms. The page takes 45 s of silence for a dead connection: stay well under. */
  heartbeatMs?: number
  /** The reconnection delay pages are told (`retry:`). Default 1 000 ms. */
  retryMs?: number
  /**
   * Serve the terminal below this path (`/logs`: the page at `/logs`, the stream at
   * `/logs/events`) beside another app's routes. Default `''`, the root.
   */
  basePath?: string
}

export interface LogApp {
  /** Serves the page, its assets, sign-in and the stream; resolves false for other paths. */
  routes(req: NodeRequest, res: NodeResponse): Promise<boolean>
  /** The stream's handler (`events.endpoint` for a fast path, statistics and shutdown). */
  events: NodeSseHandler
}

/**
 * The log terminal's HTTP side: the page at `/`, its assets, sign-in when a password is set,
 * and the event stream at `/events`. Only the feed's sources can be read: no request names a
 * file or a command.
 */
export async function createLogApp(options: LogAppOptions): Promise<LogApp> {
  const { feed } = options
  const base = options.basePath ?? ''
  if (!/^(?:\/[\w-]+)*$/.test(base)) {
    throw new TypeError(`basePath must be '' or a path such as /logs, not ${JSON.stringify(base)}.`)
  }
  const gate =
    options.password === undefined
      ? undefined
      : new PasswordGate({ password: options.password, secure: options.secure ?? false, base })
  const assets = await bundlePage()

  /** Without a password, only loopback names are answered: a DNS-rebound page gets nothing. */
  const admission = (header: (name: string) => string | null | undefined): Refusal | undefined => {
    if (gate) {
      return gate.admits(header)
        ? undefined
        : refuse(401, 'Sign in first, or send Authorization: Bearer <password>.', {
            code: 'ERR_LOGS_UNAUTHORIZED',
          })
    }
    const host = header('host') ?? header(':authority')
    return host && isLoopbackName(hostName(host))
      ? undefined
      : refuse(
          403,
          'Without a password this server answers only requests addressed to a loopback host name.',
          { code: 'ERR_LOGS_CROSS_SITE' },
        )
  }

  const events = createSseHandler({
    authorize: (request: SseRequest): Principal | Refusal =>
      admission((name) => request.header(name)) ?? { user: 'operator' },
    onStream: (stream) => feed.serve(stream),
    maxLastEventIdLength: Math.max(1024, feed.maxCursorLength),
    retryMs: options.retryMs ?? 1000,
    ...(options.maxBufferBytes !== undefined && { maxBufferBytes: options.maxBufferBytes }),
    ...(options.heartbeatMs !== undefined && { heartbeatMs: options.heartbeatMs }),
  })

  const mounted = async (req: NodeRequest, res: NodeResponse): Promise<boolean> => {
    const full = new URL(req.url ?? '/', 'http://x').pathname
    // `/logs` and `/logs/` are both the page; what is not below the base is another app's.
    if (full === base) return routes(req, res, '/')
    if (!full.startsWith(`${base}/`)) return false
    return routes(req, res, full.slice(base.length))
  }

  const routes = async (req: NodeRequest, res: NodeResponse, path: string): Promise<boolean> => {
    if (path === EVENTS_PATH) {
      await events(req, res)
      return true
    }
    const asset = assets.get(path)
    if (asset && (req.method === 'GET' || req.method === 'HEAD')) {
      sendAsset(res, asset)
      return true
    }
    if (path !== '/' && path !== '/login' && path !== '/logout') return false
    const header = (name: string) => {
      const value = req.headers[name]
      return Array.isArray(value) ? value[0] : value
    }
    const refusal = admission(header)
    if (refusal && !(gate && refusal.status === 401)) {
      sendError(res, refusal.status, refusal.code as ErrorCode, refusal.reason)
      return true
    }
    if (gate && req.method === 'POST' && path === '/login') await gate.login(req, res)
    else if (gate && req.method === 'POST' && path === '/logout') await gate.logout(req, res)
    else if (path !== '/' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      sendError(res, 405, 'ERR_LOGS_INVALID_REQUEST', 'Not a method this path answers.')
    } else if (refusal && gate) gate.loginPage(req, res)
    else sendHtml(res, 200, pageHtml({ signOut: gate !== undefined, base }))
    return true
  }

  return { routes: mounted, events }
}
