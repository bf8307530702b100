/**
 * The four streams of the seed blog post, written once and mounted by each framework's file
 * (express.ts, hono.ts, fastify.ts):
 *
 * - `/counter`: "Hello from server! Counter: N" every second, one counter per connection.
 * - `/badge`: a user's unread-notification count; who the user is comes from `authorize`.
 * - `/scores`: a live score as JSON; a reconnecting client resumes with Last-Event-ID.
 * - `/carousel`: a `refresh-carousel` signal for every page that shows the carousel.
 */
import { fileURLToPath } from 'node:url'
import {
  createChannel,
  refuse,
  SseEndpoint,
  type SseRequest,
  type SseStream,
} from '@sprinkler/server'

export interface Score {
  teamA: number
  teamB: number
}

export interface StreamsOptions {
  /** Session tokens and the users they belong to (your session store). */
  sessions: ReadonlyMap<string, string>
  /** How often the counter ticks. Default 1 000 ms. */
  counterIntervalMs?: number
}

/** The token of a request: `Authorization: Bearer …`, or the `session` cookie that browsers' EventSource sends. */
function sessionToken(request: SseRequest): string | undefined {
  const bearer = request.header('authorization')?.match(/^Bearer (.+)$/)?.[1]
  if (bearer) return bearer
  return request
    .header('cookie')
    ?.split(';')
    .map((pair) => pair.trim().split('='))
    .find(([name]) => name === 'session')?.[1]
}

export function createStreams({ sessions, counterIntervalMs = 1000 }: StreamsOptions) {
  const notifications = createChannel()
  const scores = createChannel({ history: { maxEvents: 100 } })
  const carousel = createChannel()
  const unread = new Map<string, number>()
  let score: Score = { teamA: 0, teamB: 0 }

  const endpoints = {
    counter: new SseEndpoint({
      onStream(stream: SseStream) {
        let counter = 0
        const timer = setInterval(
          () => stream.send({ data: `Hello from server! Counter: ${counter++}` }),
          counterIntervalMs,
        )
        // Tied to the connection: the timer goes when the client does.
        stream.signal.addEventListener('abort', () => clearInterval(timer), { once: true })
      },
    }),

    badge: new SseEndpoint({
      authorize(request) {
        const user = sessions.get(sessionToken(request) ?? '')
        return user ? { user } : refuse(401, 'Sign in to see your notifications.')
      },
      onStream(stream) {
        const user = stream.principal.user as string
        stream.send({ data: unread.get(user) ?? 0 })
        notifications.subscribe(stream)
      },
    }),

    scores: new SseEndpoint({
      onStream(stream) {
        // A new client gets the score now; a returning one gets what it missed, from history.
        if (stream.lastEventId === undefined) stream.send({ data: score })
        scores.subscribe(stream)
      },
    }),

    carousel: new SseEndpoint({ onStream: (stream) => void carousel.subscribe(stream) }),
  }

  return {
    /** One endpoint per stream, mounted at `/${name}`. */
    endpoints,

    /** A new notification for `user`: only that user's badges get the new count. */
    notify(user: string): number {
      const count = (unread.get(user) ?? 0) + 1
      unread.set(user, count)
      notifications.publish({ data: count, to: { user } })
      return count
    },

    /** The new score for every scoreboard; false (nothing sent) when `next` is not a score. */
    setScore(next: unknown): boolean {
      const { teamA, teamB } = (next ?? {}) as Partial<Score>
      if (!Number.isInteger(teamA) || !Number.isInteger(teamB)) return false
      score = { teamA, teamB } as Score
      scores.publish({ data: score })
      return true
    },

    refreshCarousel(): void {
      carousel.publish({ data: 'refresh-carousel' })
    },

    /** Ends every stream, so that the server can close. */
    async close(): Promise<void> {
      await Promise.all(Object.values(endpoints).map((endpoint) => endpoint.close()))
    },
  }
}

export type Streams = ReturnType<typeof createStreams>

/** Demo sessions for running the examples by hand. */
export const demoSessions = new Map([
  ['alice-token', 'alice'],
  ['bob-token', 'bob'],
])

/**
 * Runs an example by hand (`node --conditions=sprinkler-source --import tsx examples/hono.ts`):
 * demo sessions on port 3000; Ctrl-C ends every stream, then the server.
 */
export async function runIfMain(
  moduleUrl: string,
  listen: (streams: Streams, port: number) => Promise<{ close(): unknown }>,
): Promise<void> {
  if (process.argv[1] !== fileURLToPath(moduleUrl)) return
  const streams = createStreams({ sessions: demoSessions })
  const server = await listen(streams, 3000)
  console.log('listening on http://localhost:3000 (try: curl -N localhost:3000/counter)')
  process.once('SIGINT', async () => {
    await streams.close()
    await server.close()
  })
}
