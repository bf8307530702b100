/**
 * The hub that `template-cost.ts` measures, in its own process: `createHub` mounted on
 * node:http, port sent to the parent over IPC, and on each `memory` message a full GC and
 * `process.memoryUsage()` sent back. `--anonymous` admits subscribers without a token. The
 * header limit is raised to 64 KiB so 16 KB selectors (×3 once percent-encoded) reach the hub.
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { createHub, createHubRoutes } from '@sprinkler/hub'
import { SECRET } from '../../packages/hub/test/harness.js'

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

const hub = await createHub({
  jwtKey: SECRET,
  heartbeatMs: 0,
  anonymous: process.argv.includes('--anonymous'),
})
const routes = createHubRoutes(hub)
const server = createServer({ maxHeaderSize: 64 * 1024 }, async (req, res) => {
  if (!(await routes(req, res))) res.writeHead(404).end()
})
server.listen(0, '127.0.0.1', () => {
  process.send?.({ port: (server.address() as AddressInfo).port })
})
process.on('message', (message) => {
  if (message !== 'memory') return
  gc()
  const { rss, heapUsed } = process.memoryUsage()
  process.send?.({ rss, heapUsed })
})
process.on('disconnect', () => process.exit(0))
