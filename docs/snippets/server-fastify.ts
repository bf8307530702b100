// #region docs
import { createChannel } from '@sprinkler/server'
import { sprinklerSse } from '@sprinkler/server/fastify'
import Fastify from 'fastify'

export const news = createChannel({ history: { maxEvents: 100 } })

export async function start(port = 3000) {
  const app = Fastify()
  await app.register(sprinklerSse) // before the routes
  app.get('/events', { eventStream: true }, (_request, reply) => {
    news.subscribe(reply.eventStream)
  })
  app.post('/headlines', async (request, reply) => {
    news.publish({ event: 'headline', data: request.body })
    reply.code(204).send()
  })
  await app.listen({ port, host: '127.0.0.1' })
  return app // app.close() ends every stream, then the server
}
// #endregion docs
