import { HubError } from '@sprinkler/hub'
import { escapeHtml } from '@sprinkler/logs/internal'
import type { Demo, DemoContext } from '../demo.js'
import type { Notification } from '../shapes.js'
import { topics, USER_NAME } from '../topics.js'

/**
 * A notification badge, private per user: each user's count is published as a private update
 * on `/users/{user}/notifications`, and the hub gives private updates only to a subscriber whose
 * JWT (here: the dev login's `mercureAuthorization` cookie) lists that topic.
 */
export function badgeDemo(ctx: DemoContext): Demo {
  const unread = new Map<string, number>()
  const publish = (user: string, text: string) =>
    ctx.publish({
      topics: [topics.notifications(user)],
      type: 'notification',
      private: true,
      data: JSON.stringify({ unread: unread.get(user) ?? 0, text } satisfies Notification),
    })

  return {
    slug: 'badge',
    title: 'Notification badge',
    summary:
      'A per-user unread count: private updates, so each signed-in user sees only their own.',
    topics: (page) => (page.user ? [topics.notifications(page.user)] : []),
    state: (page) => ({ unread: page.user ? (unread.get(page.user) ?? 0) : 0 }),
    body: (page) =>
      page.user
        ? `
<p class="lead">Signed in as <strong id="user">${escapeHtml(page.user)}</strong>. Your count
arrives as a <em>private</em> update on <code>${escapeHtml(topics.notifications(page.user))}</code>:
nobody else's page receives it, even if it subscribes to that topic.</p>
<div class="badge-row">
  <span class="bell" aria-label="notifications">${BELL}<span id="badge" class="count">0</span></span>
  <span id="last" class="muted">No notification yet.</span>
</div>
<form id="notify" class="inline">
  <label>Notify <input name="user" value="${escapeHtml(page.user)}" size="10" pattern="[a-z0-9][a-z0-9_-]{0,31}" required></label>
  <input name="text" value="You have a new message" size="24">
  <button>Send</button>
  <button type="button" id="read">Mark all read</button>
</form>`
        : `
<p class="lead">The badge is private per user. Sign in as someone (a development login: it sets
the hub's <code>mercureAuthorization</code> cookie with a JWT for that user).</p>
${page.interactive ? loginForm() : '<p class="muted">The development login is only available on a loopback host.</p>'}`,
    post: {
      '/badge/notify': async ({ body }) => {
        const { user, text } = (body ?? {}) as { user?: unknown; text?: unknown }
        if (typeof user !== 'string' || !USER_NAME.test(user)) {
          throw new HubError(
            400,
            'ERR_SERVE_INVALID_REQUEST',
            'Give a user name (a-z, 0-9, _ or -).',
          )
        }
        unread.set(user, (unread.get(user) ?? 0) + 1)
        const update = await publish(
          user,
          typeof text === 'string' && text ? text : 'New notification',
        )
        return { id: update.id, unread: unread.get(user) }
      },
      '/badge/read': async ({ user }) => {
        if (!user) throw new HubError(400, 'ERR_SERVE_INVALID_REQUEST', 'Sign in first.')
        unread.set(user, 0)
        const update = await publish(user, 'All read')
        return { id: update.id, unread: 0 }
      },
    },
  }
}

const BELL =
  '<svg width="40" height="44" viewBox="0 0 24 26" aria-hidden="true"><path d="M12 2a7 7 0 0 0-7 7v5l-2 4h18l-2-4V9a7 7 0 0 0-7-7zm-3 18a3 3 0 0 0 6 0z" fill="currentColor"/></svg>'

export function loginForm(): string {
  return `<form id="login" class="inline">
  <button name="user" value="alice">Sign in as alice</button>
  <button name="user" value="bob">Sign in as bob</button>
  <label>or <input name="other" placeholder="any name" size="10" pattern="[a-z0-9][a-z0-9_-]{0,31}"></label>
  <button name="user" value="">Sign in</button>
</form>`
}
