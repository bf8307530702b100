import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { openEventStream, type TestEventStream } from '../../server/test/client.js'
import { subscribeUrl } from '../test/harness.js'
import { describeTransports, type TransportUnderTest } from '../test/transports.js'
import { HubError } from './errors.js'
import { createHub, type Hub } from './hub.js'
import { ConnectionLimiter, DEFAULT_LIMITS } from './limits.js'
import { createHubRoutes } from './node/index.js'
import type { HubOptions } from './options.js'

describe('maxConnectionRate', () => {
  it('admits a burst of `rate` connections, then one per 1/rate seconds, refusing 503 + Retry-After between', () => {
    let now = 1_000_000
    const limiter = new ConnectionLimiter({ ...DEFAULT_LIMITS, maxConnectionRate: 2 }, () => now)
    limiter.admit()
    limiter.admit()
    const refused = (() => {
      try {
        limiter.admit()
      } catch (error) {
        return error
      }
    })()
    expect(refused).toBeInstanceOf(HubError)
    expect(refused).toMatchObject({
      status: 503,
      code: 'ERR_HUB_TOO_MANY_CONNECTIONS',
      headers: { 'retry-after': '1' },
    })
    now += 500 // one token back at 2/s
    limiter.admit()
    expect(() => limiter.admit()).toThrow(HubError)
    now += 60_000 // an idle minute buys a burst of `rate`, not more
    limiter.admit()
    limiter.admit()
    expect(() => limiter.admit()).toThrow(HubError)
  })
})

let server: Server | undefined
let hub: Hub | undefined
const streams: TestEventStream[] = []
afterEach(async () => {
  for (const s of streams.splice(0)) s.close()
  await hub?.close()
  const open = server
  if (open) await new Promise((resolve) => open.close(resolve))
  server = undefined
  hub = undefined
})

async function start(transport: TransportUnderTest, options: HubOptions): Promise<string> {
  hub = await createHub(await transport.hubOptions({ anonymous: true, heartbeatMs: 0, ...options }))
  const routes = createHubRoutes(hub)
  server = createServer((req, res) => void routes(req, res))
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/mercure`
}

describeTransports('connection limits', (transport) => {
  it('refuses connections past --max-connection-rate with 503, a code and Retry-After', async () => {
    const url = subscribeUrl(await start(transport, { limits: { maxConnectionRate: 1 } }), [
      'https://e.com/a',
    ])
    const responses = await Promise.all([1, 2, 3, 4].map(() => fetch(url)))
    const refused = responses.filter((r) => r.status === 503)
    expect(refused.length).toBeGreaterThan(0)
    expect(responses.filter((r) => r.status === 200).length).toBeGreaterThan(0)
    for (const r of refused) {
      expect(Number(r.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)
      expect(await r.json()).toMatchObject({ error: { code: 'ERR_HUB_TOO_MANY_CONNECTIONS' } })
    }
    for (const r of responses) if (r.status === 200) await r.body?.cancel()
  })

  it('sends each subscriber a retry: of retryMs varied by ±50%', async () => {
    const draws = [0, 0.999, 0.5]
    const url = subscribeUrl(
      await start(transport, { retryMs: 2000, random: () => draws.shift() ?? 0.5 }),
      ['https://e.com/a'],
    )
    for (let i = 0; i < 3; i++) {
      const stream = await openEventStream(url)
      streams.push(stream)
      await hub?.publish({ topics: ['https://e.com/a'], data: `${i}` })
      await stream.waitForEvents(1)
    }
    expect(streams.map((s) => s.retries)).toEqual([[1000], [2998], [2000]])
  })
})
