// The seed's streams on Express 5.
import { sse } from '@sprinkler/server/express'
import express from 'express'
import { runIfMain, type Streams } from './streams.js'

export function createApp(streams: Streams) {
  const app = express()
  for (const [name, endpoint] of Object.entries(streams.endpoints)) {
    app.get(`/${name}`, sse(endpoint))
  }
  // What the rest of your app does when something happens:
  app.post('/notifications/:user', (req, res) => {
    res.json({ unread: streams.notify(req.params.user) })
  })
  app.put('/score', express.json(), (req, res) => {
    res.sendStatus(streams.setScore(req.body) ? 204 : 400)
  })
  app.post('/carousel/refresh', (_req, res) => {
    streams.refreshCarousel()
    res.sendStatus(204)
  })
  return app
}

await runIfMain(import.meta.url, async (streams, port) => createApp(streams).listen(port))
