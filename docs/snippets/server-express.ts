// #region docs
import { createChannel } from '@sprinkler/server'
import { sse } from '@sprinkler/server/express'
import express from 'express'

export const news = createChannel({ history: { maxEvents: 100 } })
const events = sse({ onStream: (stream) => void news.subscribe(stream) })

export const app = express()
app.get('/events', events)
app.post('/headlines', express.json(), (req, res) => {
  news.publish({ event: 'headline', data: req.body })
  res.sendStatus(204)
})

export function start(port = 3000) {
  return app.listen(port, '127.0.0.1')
}
// #endregion docs

export const close = () => events.close()
