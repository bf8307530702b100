// The app every runtime serves: the `/web` adapter and one channel, as a user would write it for
// Bun, Deno or a Worker. Tests drive it over real HTTP; `/stats` shows them its server side.
import { createChannel } from '@sprinkler/server'
import { createSseHandler } from '@sprinkler/server/web'

/** Short, so a test sees a heartbeat soon; tests wait for one and never time it. */
const HEARTBEAT_MS = 100

/** What `/stats` answers: the endpoint's counters and the channel's subscribers. */
export interface AppStats {
  active: number
  opened: number
  clientClosed: number
  subscribers: number
}

/** The app's `fetch`; `server` is what the runtime passes second (Bun: its server). */
export type App = (request: Request, server?: unknown) => Promise<Response>

export function createApp(): App {
  const channel = createChannel({ history: { maxEvents: 100 } })
  const events = createSseHandler({
    heartbeatMs: HEARTBEAT_MS,
    onStream: (stream) => {
      channel.subscribe(stream)
    },
  })
  // Streams silent after their opening `retry:` (without a first byte Bun would not even finish
  // the response head): only the runtime's idle limit could end them.
  const quiet = createSseHandler({ heartbeatMs: 0, retryMs: 1000 })
  return async (request, server) => {
    const { pathname } = new URL(request.url)
    if (pathname === '/events') return events(request, server)
    if (pathname === '/quiet') return quiet(request, server)
    if (pathname === '/publish' && request.method === 'POST') {
      const { id } = channel.publish(await request.json())
      return Response.json({ id })
    }
    if (pathname === '/stats') {
      const stats: AppStats = { ...events.endpoint.stats, subscribers: channel.size }
      return Response.json(stats)
    }
    return new Response(null, { status: 404 })
  }
}
