import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { openEventStream, type TestEventStream, until } from '../../../server/test/client.js'
import { mint, publish, SECRET, subscribeUrl } from '../../test/harness.js'
import { describeRedis, type PrivateRedis, privateRedis } from '../../test/redis.js'
import { createHub, type Hub } from '../hub.js'
import { createHubRoutes } from '../node/index.js'
import { createRedisTransport } from './index.js'

const TOPIC = 'https://example.com/outage'

describeRedis(
  'a hub on Redis while Redis is down',
  () => {
    let redis: PrivateRedis
    let hub: Hub
    let server: Server
    let origin: string
    const streams: TestEventStream[] = []
    beforeEach(async () => {
      redis = await privateRedis()
      const transport = await createRedisTransport({ url: redis.url, maxBackoffMs: 200 })
      hub = await createHub({ jwtKey: SECRET, anonymous: true, transport, heartbeatMs: 0 })
      const routes = createHubRoutes(hub)
      server = createServer((req, res) => void routes(req, res))
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
      origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    })
    afterEach(async () => {
      for (const s of streams.splice(0)) s.close()
      await hub.close()
      await new Promise((resolve) => server.close(resolve))
      await redis.stop()
    })

    it('answers publishes 503 with a code, reports degraded health, keeps streams open, and resumes', async () => {
      const hubUrl = `${origin}/.well-known/mercure`
      const token = await mint({ publish: ['*'] })
      const stream = await openEventStream(subscribeUrl(hubUrl, [TOPIC]))
      streams.push(stream)
      expect((await publish(hubUrl, token, { topic: TOPIC, data: 'before' })).status).toBe(200)
      await stream.waitForEvents(1)

      await redis.stop()
      await until(() => !hub.health.ok, 'the hub to notice')
      const refused = await publish(hubUrl, token, { topic: TOPIC, data: 'lost' })
      expect(refused.status).toBe(503)
      expect(await refused.json()).toEqual({
        error: { code: 'ERR_HUB_TRANSPORT_UNAVAILABLE', message: expect.any(String) },
      })
      const health = await fetch(`${origin}/healthz`)
      expect(health.status).toBe(503)
      expect(await health.json()).toEqual({
        status: 'degraded',
        reason: expect.any(String),
        connections: 1,
      })
      const metrics = await (await fetch(`${origin}/metrics`)).text()
      expect(metrics).toMatch(/^sprinkler_hub_transport_up 0$/m)
      expect(metrics).toMatch(/^sprinkler_hub_transport_failures_total 1$/m)
      // A new subscriber that needs history is refused with the same code, not half-served.
      const replaying = await fetch(subscribeUrl(hubUrl, [TOPIC]), {
        headers: { 'last-event-id': 'earliest' },
      })
      expect(replaying.status).toBe(503)
      await replaying.body?.cancel()

      await redis.start()
      await until(() => hub.health.ok, 'the hub to reconnect', 20_000)
      expect((await fetch(`${origin}/healthz`)).status).toBe(200)
      expect((await publish(hubUrl, token, { topic: TOPIC, data: 'after' })).status).toBe(200)
      await stream.waitForEvents(2)
      expect(stream.events.map((e) => e.data)).toEqual(['before', 'after'])
      expect(hub.connections).toBe(1)
    })
  },
  { privateServer: true },
)
