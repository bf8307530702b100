import { HubError, type Update } from '@sprinkler/hub'
import type { Demo, DemoContext } from '../demo.js'
import { topics } from '../topics.js'

/** What the console's form sends. */
export interface ConsoleUpdate {
  topic: string
  data: string
  type?: string
  id?: string
  private?: boolean
}

/**
 * The publish console: a form that publishes any update to any topic, and answers with the
 * connections that received it: `deliver` runs the publish and tells who got it
 * (see recipients.ts).
 */
export function consoleDemo(
  ctx: DemoContext,
  deliver: (publish: () => Promise<Update>) => Promise<unknown>,
): Demo {
  return {
    slug: 'console',
    title: 'Publish console',
    summary: 'Publish any update to any topic, private or not, and see which connections got it.',
    topics: () => [topics.console],
    body: (page) =>
      page.interactive
        ? `
<p class="lead">Publishes through the hub in this process. Open other demos in other tabs or
browsers, then publish to their topics and watch who receives it. The tabs of one browser share
one connection, listed once, with the page of the tab that holds it.</p>
<form id="publish" class="stack">
  <label>preset <select id="preset">
    <option value="">—</option>
    <option value="broadcast">toast on every demo page</option>
    <option value="notify-alice">notify alice (private)</option>
    <option value="refresh">refresh the carousel</option>
    <option value="score">set match 1's score</option>
  </select></label>
  <label>topic <input name="topic" required value="${topics.broadcast}"></label>
  <label>type <input name="type" placeholder="message"></label>
  <label>id <input name="id" placeholder="generated"></label>
  <label>data <textarea name="data" rows="3">Hello from the console</textarea></label>
  <label class="check"><input type="checkbox" name="private"> private (only subscribers whose JWT covers the topic)</label>
  <button>Publish</button>
</form>
<section>
  <h2>Delivered to</h2>
  <p id="result" class="muted">Nothing published yet.</p>
  <table id="recipients" class="recipients"><thead><tr><th>connection</th><th>user</th><th>page</th><th>subscribed to</th></tr></thead><tbody></tbody></table>
</section>
<section>
  <h2>This page received</h2>
  <p class="muted">Updates without a type on <code>${topics.console}</code> and <code>${topics.broadcast}</code>
  (every demo page subscribes to all the demo topics, through the one connection its tabs share).</p>
  <ol id="received" class="log"></ol>
</section>`
        : '<p class="lead">The console is only available on a loopback host.</p>',
    post: {
      '/console/publish': async ({ body }) => {
        const input = parse(body)
        return deliver(() =>
          ctx.publish({
            topics: [input.topic],
            data: input.data,
            ...(input.type && { type: input.type }),
            ...(input.id && { id: input.id }),
            private: input.private === true,
          }),
        )
      },
    },
  }
}

function parse(body: unknown): ConsoleUpdate {
  const input = (body ?? {}) as Partial<Record<keyof ConsoleUpdate, unknown>>
  const optional = (v: unknown) => v === undefined || v === '' || typeof v === 'string'
  if (
    typeof input.topic !== 'string' ||
    input.topic === '' ||
    typeof input.data !== 'string' ||
    !optional(input.type) ||
    !optional(input.id) ||
    (input.private !== undefined && typeof input.private !== 'boolean')
  ) {
    throw new HubError(
      400,
      'ERR_SERVE_INVALID_REQUEST',
      'Send JSON { topic, data, type?, id?, private? } with strings and a boolean.',
    )
  }
  return input as ConsoleUpdate
}
