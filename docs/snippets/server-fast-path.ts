// #region docs
import { createServer } from 'node:http'
import { createChannel } from '@sprinkler/server'
import { createFastPath, createSseHandler } from '@sprinkler/server/node'

export const news = createChannel()
const events = createSseHandler({
  onStream: (stream) => {
    news.subscribe(stream)
  },
})

// Your app as usual; it also mounts the stream, for requests the fast path leaves to it.
const app = createServer((req, res) => {
  if (req.url?.startsWith('/events')) void events(req, res)
  else res.writeHead(200, { 'content-type': 'text/plain' }).end('the rest of your app')
})

// Listen on this instead of `app`: GET /events is served from the socket itself.
export const server = createFastPath(app, events, { path: '/events' })

export function start(port = 3000) {
  return server.listen(port, '127.0.0.1')
}
// #endregion docs

/** For the docs test: ends every stream, then the server. */
export async function stop(): Promise<void> {
  await events.close()
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
}
