// #region docs
import { createServer } from 'node:http'
import { createChannel } from '@sprinkler/server'
import { createSseHandler } from '@sprinkler/server/node'

/** Everything published here goes to every open /events stream (encoded once). */
export const news = createChannel({ history: { maxEvents: 100 } })

const events = createSseHandler({
  onStream: (stream) => {
    news.subscribe(stream) // a reconnecting client gets what it missed (Last-Event-ID)
  },
})

export const server = createServer((req, res) => {
  if (req.url?.startsWith('/events')) void events(req, res)
  else res.writeHead(404).end()
})

export function start(port = 3000) {
  return server.listen(port, '127.0.0.1')
}
// Anywhere in your app: news.publish({ event: 'headline', data: { title: 'Hello' } })
// #endregion docs

/** For the docs test: ends every stream, then the server. */
export async function stop(): Promise<void> {
  await events.close()
  await new Promise((resolve) => server.close(resolve))
}
