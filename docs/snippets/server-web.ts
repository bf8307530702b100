// #region docs
import { createChannel } from '@sprinkler/server'
import { createSseHandler } from '@sprinkler/server/web'

export const news = createChannel({ history: { maxEvents: 100 } })

/** `(Request) => Promise<Response>`: Bun, Deno, Cloudflare Workers, Next.js route handlers. */
export const events = createSseHandler({ onStream: (stream) => void news.subscribe(stream) })

// Bun:      Bun.serve({ fetch: events })
// Deno:     Deno.serve(events)
// Workers:  a Durable Object whose fetch is `events` (see below)
// Next.js:  export const GET = events   (in app/events/route.ts)
// #endregion docs
