import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, expect, it } from 'vitest'
import { mint, SECRET } from '../test/harness.js'
import { describeTransports } from '../test/transports.js'
import { createHub, type Hub } from './hub.js'
import { createHubRoutes } from './node/index.js'

let server: Server | undefined
let hub: Hub | undefined
afterEach(async () => {
  await hub?.close()
  server?.closeAllConnections()
  await new Promise((resolve) => server?.close(resolve))
})

describeTransports('anonymous subscribers', (transport) => {
  it('admits anonymous subscribers only to the selectors `anonymous.allow` accepts', async () => {
    hub = await createHub(
      await transport.hubOptions({
        jwtKey: SECRET,
        heartbeatMs: 0,
        anonymous: {
          allow: (selector) => selector.startsWith('/public/'),
          reason: 'Public topics only.',
        },
      }),
    )
    const routes = createHubRoutes(hub)
    server = createServer((req, res) => void routes(req, res))
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve))
    const hubUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/mercure`
    const get = (topics: string[], token?: string) => {
      const url = new URL(hubUrl)
      for (const t of topics) url.searchParams.append('topic', t)
      const controller = new AbortController()
      return fetch(url, {
        signal: controller.signal,
        ...(token && { headers: { authorization: `Bearer ${token}` } }),
      }).then((res) => {
        const status = res.status
        const body = status === 200 ? undefined : res.json()
        if (status === 200) controller.abort()
        return { status, body }
      })
    }
    expect((await get(['/public/news', '/public/{x}'])).status).toBe(200)
    const refused = await get(['/public/news', '/private/x'])
    expect(refused.status).toBe(401)
    expect(await refused.body).toEqual({
      error: { code: 'ERR_HUB_UNAUTHORIZED', message: 'Public topics only.' },
    })
    // With a token the hub's own rules apply, whatever the selector.
    expect((await get(['/private/x'], await mint({ subscribe: ['*'] }))).status).toBe(200)
  })
})
