/**
 * The demo's topics. Everything under `/demo/` is public: anonymous subscribers may read it.
 * Per-user notifications live under `/users/` and are published as private updates, which the
 * hub delivers only to a subscriber whose JWT's `mercure.subscribe` covers them.
 */
export const PUBLIC_PREFIX = '/demo/'

export const topics = {
  /** Shown as a toast on every demo page. */
  broadcast: '/demo/broadcast',
  /** What the console page listens to besides the broadcast. */
  console: '/demo/console',
  /** One topic per match; the scoreboard subscribes with the template. */
  score: (match: string) => `/demo/scores/${match}`,
  scores: '/demo/scores/{match}',
  carousel: '/demo/carousel',
  ticker: '/demo/ticker',
  notifications: (user: string) => `/users/${user}/notifications`,
} as const

/** A user name the dev login accepts (it becomes part of a topic). */
export const USER_NAME = /^[a-z0-9][a-z0-9_-]{0,31}$/

/**
 * Whether an anonymous subscriber may use this topic selector: `*` never; an exact topic or a
 * URI template only if everything it can match starts with `/demo/` (a template matches only
 * topics that begin with its literal text up to the first `{`).
 */
export function isPublicSelector(selector: string): boolean {
  if (selector === '*') return false
  const brace = selector.indexOf('{')
  const literal = brace === -1 ? selector : selector.slice(0, brace)
  return literal.startsWith(PUBLIC_PREFIX)
}
