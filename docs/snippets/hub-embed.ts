// #region docs
import { createServer } from 'node:http'
import { createHub, createHubRoutes } from '@sprinkler/hub'

/** A Mercure hub inside your own node:http app, beside your routes. */
export async function start(jwtKey: string, port = 3000) {
  const hub = await createHub({ jwtKey, anonymous: true, allowQueryToken: false })
  const hubRoutes = createHubRoutes(hub) // /.well-known/mercure (+ /healthz, /metrics)
  const server = createServer(async (req, res) => {
    if (await hubRoutes(req, res)) return
    if (req.method === 'POST' && req.url === '/orders') {
      // Your code publishes straight into the hub: no HTTP round trip, no token.
      await hub.publish({ topics: ['/orders'], data: JSON.stringify({ status: 'placed' }) })
      res.writeHead(202).end()
      return
    }
    res.writeHead(404).end()
  })
  server.listen(port, '127.0.0.1')
  return { hub, server }
}
// #endregion docs
