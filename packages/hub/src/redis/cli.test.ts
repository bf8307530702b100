import { afterAll, beforeAll, expect, it } from 'vitest'
import { openEventStream, type TestEventStream } from '../../../server/test/client.js'
import { type HubProcess, mint, publishOk, subscribeUrl } from '../../test/harness.js'
import { describeRedis, redisHubs, uniquePrefix } from '../../test/redis.js'

const TOPIC = 'https://example.com/prefixes'

describeRedis('sprinkler hub --transport redis://', () => {
  const onRedis = redisHubs()
  let hubs: HubProcess[] = []
  const streams: TestEventStream[] = []
  let token: string
  beforeAll(async () => {
    token = await mint({ publish: ['*'], subscribe: ['*'] })
    const shared = uniquePrefix()
    hubs = (
      await Promise.all([
        onRedis.start(1, [], { prefix: shared }),
        // The same settings from the environment.
        onRedis.start(1, [], { prefix: shared, viaEnv: true }),
        // Another prefix.
        onRedis.start(1, []),
      ])
    ).flat()
  }, 120_000)
  afterAll(async () => {
    for (const s of streams) s.close()
    await onRedis.stop()
  })

  it('shares updates between hubs with one prefix, and nothing with a hub on another prefix', async () => {
    const [a, b, c] = hubs as [HubProcess, HubProcess, HubProcess]
    const onB = await openEventStream(subscribeUrl(b.hub, [TOPIC]))
    const onC = await openEventStream(subscribeUrl(c.hub, [TOPIC]))
    streams.push(onB, onC)
    const sharedId = await publishOk(a.hub, token, { topic: TOPIC, data: 'from a' })
    await publishOk(c.hub, token, { topic: TOPIC, data: 'from c' })
    await publishOk(b.hub, token, { topic: TOPIC, data: 'from b' })
    await onB.waitForEvents(2)
    await onC.waitForEvents(1)
    // A last update on each side: anything leaking across prefixes would have come before it.
    await publishOk(a.hub, token, { topic: TOPIC, data: 'end' })
    await publishOk(c.hub, token, { topic: TOPIC, data: 'end' })
    await onB.waitForEvents(3)
    await onC.waitForEvents(2)
    expect(onB.events.map((e) => e.data)).toEqual(['from a', 'from b', 'end'])
    expect(onC.events.map((e) => e.data)).toEqual(['from c', 'end'])
    // The other prefix does not know the id either: replay treats it as unknown.
    const replay = await openEventStream(subscribeUrl(c.hub, [TOPIC]), {
      headers: { 'last-event-id': sharedId },
    })
    streams.push(replay)
    expect(replay.response.headers.get('last-event-id')).toBe('earliest')
    await replay.waitForEvents(2)
    expect(replay.events.map((e) => e.data)).toEqual(['from c', 'end'])
  })
})
