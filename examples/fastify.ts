// The seed's streams on Fastify 5.
import { sprinklerSse } from '@sprinkler/server/fastify'
import Fastify from 'fastify'
import { runIfMain, type Streams } from './streams.js'

export async function createApp(streams: Streams) {
  const app = Fastify()
  await app.register(sprinklerSse)
  for (const [name, endpoint] of Object.entries(streams.endpoints)) {
    // The endpoint's onStream does the work; a handler could use reply.eventStream too.
    app.get(`/${name}`, { eventStream: endpoint }, () => {})
  }
  // What the rest of your app does when something happens:
  app.post<{ Params: { user: string } }>('/notifications/:user', async (request) => ({
    unread: streams.notify(request.params.user),
  }))
  app.put('/score', async (request, reply) => {
    reply.code(streams.setScore(request.body) ? 204 : 400).send()
  })
  app.post('/carousel/refresh', async (_request, reply) => {
    streams.refreshCarousel()
    reply.code(204).send()
  })
  return app
}

await runIfMain(import.meta.url, async (streams, port) => {
  const app = await createApp(streams)
  await app.listen({ port })
  return app
})
