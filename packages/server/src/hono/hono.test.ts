import { type Context, Hono } from 'hono'
import { compress } from 'hono/compress'
import {
  behaviourSuite,
  compressionSuite,
  frameworkRequestSuite,
  type StartAdapter,
} from '../../test/behaviour.js'
import { adapterServer, serveFetch } from '../../test/servers.js'
import { sse } from './index.js'

/** A Hono app with the event stream at /events (every method, so 405 is ours), on node-server. */
function startHono(httpVersion: 1 | 2, setup?: (app: Hono) => void): StartAdapter {
  return async (options) => {
    const events = sse(options)
    const app = new Hono()
    setup?.(app)
    app.all('/events', events)
    return adapterServer(await serveFetch(app.fetch, httpVersion), events.endpoint)
  }
}

for (const httpVersion of [1, 2] as const) {
  const name = `hono, HTTP/${httpVersion}`
  behaviourSuite(name, startHono(httpVersion))
  // compress() skips text/event-stream by type; told to compress every type, only our
  // Cache-Control: no-transform keeps it off (without it, events wait in the gzip buffer).
  compressionSuite(
    name,
    startHono(httpVersion, (app) => app.use(compress({ contentTypeFilter: /./ }))),
  )
  frameworkRequestSuite(
    name,
    startHono(httpVersion, (app) =>
      app.use('/events', async (c, next) => {
        c.set('user' as never, c.req.header('x-user') as never)
        await next()
      }),
    ),
    (raw) => (raw as Context).get('user' as never),
  )
}
