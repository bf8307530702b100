import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import type { NodeRequest, NodeResponse } from '@sprinkler/server/node'
import {
  cookieValue,
  escapeHtml,
  hostOf,
  htmlStart,
  readForm,
  sendError,
  sendHtml,
} from './http.js'

export const SESSION_COOKIE = 'sprinkler_logs_session'
export const CSRF_COOKIE = 'sprinkler_logs_csrf'

export interface PasswordGateOptions {
  password: string
  /** Served over HTTPS (cookies get `Secure`). */
  secure?: boolean
  /** Where the terminal is mounted (`''` at the root, `/logs` under it): forms post there. */
  base?: string
  /** How long a sign-in lasts. Default 12 h. */
  sessionMs?: number
  /** Failed sign-ins allowed per client address per minute. Default 10. */
  maxFailuresPerMinute?: number
}

/** Addresses whose failed sign-ins are counted at once; the oldest is forgotten past this. */
const MAX_TRACKED_ADDRESSES = 10_000
const FAILURE_WINDOW_MS = 60_000
const MAX_FORM_BYTES = 4096

/**
 * Password protection for the log terminal: a login form that sets a session cookie, or the
 * password as a Bearer token (`Authorization: Bearer …`, for scripts and our client). Never a
 * token in a URL.
 *
 * - The session cookie is `<expiry>.<HMAC>` under a key made at start: nothing to store, and
 *   every session ends with the process. It is `HttpOnly` and `SameSite=Strict`.
 * - The login form is protected against cross-site posts (login CSRF) by a double-submit token
 *   (a `SameSite=Strict` cookie that must match a form field) and the `Origin` check.
 * - Failed sign-ins are limited per client address (429 past the limit).
 */
export class PasswordGate {
  readonly #passwordDigest: Buffer
  readonly #key = randomBytes(32)
  readonly #secure: boolean
  readonly #base: string
  readonly #sessionMs: number
  readonly #maxFailures: number
  readonly #failures = new Map<string, { count: number; until: number }>()

  constructor(options: PasswordGateOptions) {
    this.#passwordDigest = digest(options.password)
    this.#secure = options.secure ?? false
    this.#base = options.base ?? ''
    this.#sessionMs = options.sessionMs ?? 12 * 3_600_000
    this.#maxFailures = options.maxFailuresPerMinute ?? 10
  }

  /** Whether a request carries a valid session cookie or the password as Bearer token. */
  admits(header: (name: string) => string | null | undefined): boolean {
    const authorization = header('authorization')
    if (authorization?.startsWith('Bearer ')) return this.#isPassword(authorization.slice(7))
    const session = cookieValue(header('cookie'), SESSION_COOKIE)
    if (!session) return false
    const dot = session.indexOf('.')
    const expiry = Number(session.slice(0, dot))
    if (dot === -1 || !Number.isSafeInteger(expiry) || expiry < Date.now()) return false
    return safeEqual(session.slice(dot + 1), this.#sign(String(expiry)))
  }

  /** The login page (with a fresh CSRF cookie when the browser has none). */
  loginPage(req: NodeRequest, res: NodeResponse, status = 200, message = ''): void {
    const csrf = validToken(cookieValue(req.headers.cookie, CSRF_COOKIE)) ?? token()
    sendHtml(res, status, loginHtml(csrf, message, this.#base), {
      'set-cookie': this.#cookie(CSRF_COOKIE, csrf, 3_600_000),
    })
  }

  /** POST /login: checks origin, CSRF token and password; a session cookie on success. */
  async login(req: NodeRequest, res: NodeResponse): Promise<void> {
    const address = req.socket?.remoteAddress ?? ''
    if (this.#blocked(address)) {
      sendError(
        res,
        429,
        'ERR_LOGS_TOO_MANY_ATTEMPTS',
        'Too many failed sign-ins; wait a minute.',
        {
          'retry-after': '60',
        },
      )
      return
    }
    const crossSite = crossSiteReason(req, this.#secure)
    if (crossSite) return sendError(res, 403, 'ERR_LOGS_CROSS_SITE', crossSite)
    const form = await readForm(req, MAX_FORM_BYTES)
    if (!form) {
      return sendError(res, 400, 'ERR_LOGS_INVALID_REQUEST', 'Expected a small sign-in form.')
    }
    const cookie = cookieValue(req.headers.cookie, CSRF_COOKIE)
    if (!cookie || !safeEqual(form.get('csrf') ?? '', cookie)) {
      return sendError(res, 403, 'ERR_LOGS_CROSS_SITE', 'The sign-in form is stale; reload it.')
    }
    if (!this.#isPassword(form.get('password') ?? '')) {
      this.#fail(address)
      return this.loginPage(req, res, 401, 'Wrong password.')
    }
    const expiry = String(Date.now() + this.#sessionMs)
    res.writeHead(303, {
      location: `${this.#base}/`,
      'cache-control': 'no-store',
      'set-cookie': this.#cookie(
        SESSION_COOKIE,
        `${expiry}.${this.#sign(expiry)}`,
        this.#sessionMs,
      ),
    })
    res.end()
  }

  /** POST /logout: ends the browser's session (checked like a sign-in against cross-site posts). */
  async logout(req: NodeRequest, res: NodeResponse): Promise<void> {
    const crossSite = crossSiteReason(req, this.#secure)
    if (crossSite) return sendError(res, 403, 'ERR_LOGS_CROSS_SITE', crossSite)
    res.writeHead(303, {
      location: `${this.#base}/`,
      'cache-control': 'no-store',
      'set-cookie': this.#cookie(SESSION_COOKIE, '', 0),
    })
    res.end()
  }

  #isPassword(candidate: string): boolean {
    // Digests have one length, so the comparison takes the same time whatever was sent.
    return timingSafeEqual(digest(candidate), this.#passwordDigest)
  }

  #sign(value: string): string {
    return createHmac('sha256', this.#key).update(`session:${value}`).digest('base64url')
  }

  #cookie(name: string, value: string, maxAgeMs: number): string {
    const secure = this.#secure ? '; Secure' : ''
    return `${name}=${value}; Path=/; Max-Age=${Math.floor(maxAgeMs / 1000)}; HttpOnly; SameSite=Strict${secure}`
  }

  #blocked(address: string): boolean {
    const entry = this.#failures.get(address)
    if (entry && entry.until < Date.now()) this.#failures.delete(address)
    return entry !== undefined && entry.until >= Date.now() && entry.count >= this.#maxFailures
  }

  #fail(address: string): void {
    const entry = this.#failures.get(address)
    if (entry) {
      entry.count++
      return
    }
    if (this.#failures.size >= MAX_TRACKED_ADDRESSES) {
      this.#failures.delete(this.#failures.keys().next().value as string)
    }
    this.#failures.set(address, { count: 1, until: Date.now() + FAILURE_WINDOW_MS })
  }
}

/**
 * Why a state-changing request must be refused as cross-site, if it must: a browser sends
 * `Origin` on every POST, and it must be this server's; `Sec-Fetch-Site`, when sent, must say
 * same-origin.
 */
function crossSiteReason(req: NodeRequest, secure: boolean): string | undefined {
  const origin = req.headers.origin
  if (origin !== undefined && origin !== `${secure ? 'https' : 'http'}://${hostOf(req)}`) {
    return 'This request did not come from a page of this server (Origin mismatch).'
  }
  const site = req.headers['sec-fetch-site']
  if (site !== undefined && site !== 'same-origin') {
    return 'This request was made cross-site (Sec-Fetch-Site).'
  }
  return undefined
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest()
}

function safeEqual(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b))
}

function token(): string {
  return randomBytes(18).toString('base64url')
}

function validToken(value: string | undefined): string | undefined {
  return value !== undefined && /^[\w-]{24}$/.test(value) ? value : undefined
}

function loginHtml(csrf: string, message: string, base: string): string {
  return `${htmlStart('Sign in · sprinkler logs')}
<link rel="stylesheet" href="${base}/assets/logs.css">
</head>
<body class="login">
<form method="post" action="${base}/login">
<h1>sprinkler logs</h1>
<label>Password <input type="password" name="password" autocomplete="current-password" autofocus required></label>
<input type="hidden" name="csrf" value="${escapeHtml(csrf)}">
${message ? `<p class="error" role="alert">${escapeHtml(message)}</p>` : ''}
<button>Sign in</button>
</form>
</body>
</html>
`
}
