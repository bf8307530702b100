import { afterEach, beforeEach, expect, it } from 'vitest'
import { seededRandom } from '../../../../test-support/random.js'
import { until } from '../../../server/test/client.js'
import {
  deleteKeys,
  describeRedis,
  eventually,
  type PrivateRedis,
  privateRedis,
  redisCommand,
  SHARED_REDIS_URL,
  uniquePrefix,
} from '../../test/redis.js'
import { HubError } from '../errors.js'
import { createUpdate, type Update } from '../update.js'
import { createRedisTransport, type RedisTransport, type RedisTransportOptions } from './index.js'

const update = (data: string, topic = 'https://example.com/t'): Update =>
  createUpdate({ topics: [topic], data }, { maxTopics: 10, maxIdLength: 1024 })

/** The id of the connection named `name` in a CLIENT LIST reply. */
function clientId(list: string, name: string): string | undefined {
  const line = list.split('\n').find((l) => l.includes(` name=${name} `))
  return line === undefined ? undefined : /^id=(\d+)/.exec(line)?.[1]
}

const nodes: RedisTransport[] = []
async function node(options: Partial<RedisTransportOptions> & { prefix: string }) {
  const transport = await createRedisTransport({
    url: SHARED_REDIS_URL,
    // Seeded backoff jitter: the same delays on every run.
    random: seededRandom(nodes.length + 1),
    ...options,
  })
  nodes.push(transport)
  return transport
}

describeRedis('Redis transport on the shared server', () => {
  let prefix: string
  beforeEach(() => {
    prefix = uniquePrefix()
  })
  afterEach(async () => {
    for (const n of nodes.splice(0)) await n.close()
    await deleteKeys(prefix)
  })

  it('gives every node every update in one order, whichever node published it', async () => {
    const [a, b, c] = [await node({ prefix }), await node({ prefix }), await node({ prefix })]
    const seen = [a, b, c].map((n) => {
      const got: string[] = []
      n.subscribe((u) => got.push(u.data))
      return got
    })
    await Promise.all(
      Array.from({ length: 60 }, (_, i) => [a, b, c][i % 3]?.publish(update(`${i}`))),
    )
    await until(() => seen.every((s) => s.length === 60), 'every node to get 60 updates')
    expect(new Set(seen[0]).size).toBe(60)
    expect(seen[1]).toEqual(seen[0])
    expect(seen[2]).toEqual(seen[0])
  })

  it('replays on one node what was published on another', async () => {
    const [a, b] = [await node({ prefix }), await node({ prefix })]
    const first = update('1')
    await a.publish(first)
    await a.publish(update('2'))
    const replay = await b.history(first.id)
    expect(replay.found).toBe(true)
    expect(replay.updates.map((u) => u.data)).toEqual(['2'])
  })

  it("resolves history only once the node's listeners have had everything stored up to then", async () => {
    // Node b reads the stream a moment after a stored it: the history of that moment must not
    // run ahead of b's live updates (a replay would send those twice), nor an id b has not
    // delivered yet be treated as past (a resume from it would get older updates live).
    const [a, b] = [await node({ prefix }), await node({ prefix })]
    const live: string[] = []
    b.subscribe((u) => live.push(u.id))
    const ahead: string[] = []
    let publishing = true
    const published = (async () => {
      for (let i = 0; i < 200; i++) await a.publish(update(`${i}`))
      publishing = false
    })()
    let reads = 0
    while (publishing) {
      const stored = await a.lastEventId()
      const { updates } = await b.history('earliest')
      reads++
      for (const u of updates) if (!live.includes(u.id)) ahead.push(u.id)
      // What was stored before the read was delivered too, returned or not.
      if (stored !== 'earliest' && !live.includes(stored)) ahead.push(stored)
    }
    await published
    expect(reads).toBeGreaterThan(1)
    expect(ahead).toEqual([])
  })
  it('shares nothing between hubs with different prefixes', async () => {
    const other = uniquePrefix()
    try {
      const [a, b] = [await node({ prefix }), await node({ prefix: other })]
      const got: string[] = []
      b.subscribe((u) => got.push(u.data))
      const secret = update('for a only')
      await a.publish(secret)
      await b.publish(update('for b'))
      await a.addSubscriptions([{ subscriber: 'urn:uuid:x', topic: 'https://example.com/t' }])
      expect(got).toEqual(['for b'])
      expect((await b.history(secret.id)).found).toBe(false)
      expect(await b.subscriptions()).toEqual([])
    } finally {
      await deleteKeys(other)
    }
  })

  it('keeps the id index bounded with the stream', async () => {
    const a = await node({ prefix, history: { maxEvents: 5 } })
    for (let i = 0; i < 300; i++) await a.publish(update(`${i}`))
    const [length, indexed, order] = (await Promise.all([
      redisCommand(['XLEN', `${prefix}updates`]),
      redisCommand(['HLEN', `${prefix}ids`]),
      redisCommand(['LLEN', `${prefix}order`]),
    ])) as number[]
    // MAXLEN ~ trims whole stream nodes (100 entries by default): bounded, not exact.
    expect(length).toBeLessThanOrEqual(5 + 100)
    expect(indexed).toBe(length)
    expect(order).toBe(length)
    const history = await a.history('earliest')
    expect(history.updates.map((u) => u.data)).toEqual(['295', '296', '297', '298', '299'])
  })

  it('sees the subscriptions of every node; a node that closes leaves presence', async () => {
    const [a, b] = [await node({ prefix }), await node({ prefix })]
    const onA = { subscriber: 'urn:uuid:a', topic: 'https://example.com/a' }
    const onB = { subscriber: 'urn:uuid:b', topic: 'https://example.com/b', payload: ['x'] }
    await a.addSubscriptions([onA])
    await b.addSubscriptions([onB])
    const sorted = (list: { subscriber: string }[]) =>
      list.map((r) => r.subscriber).sort((x, y) => x.localeCompare(y))
    expect(sorted(await a.subscriptions())).toEqual(['urn:uuid:a', 'urn:uuid:b'])
    expect(await b.subscriptions()).toContainEqual(onB)
    await b.close()
    expect(await a.subscriptions()).toEqual([onA])
  })
})

describeRedis(
  'Redis transport when Redis goes away',
  () => {
    let redis: PrivateRedis
    beforeEach(async () => {
      redis = await privateRedis()
    })
    afterEach(async () => {
      for (const n of nodes.splice(0)) await n.close()
      await redis.close()
    })

    it('fails publishes with ERR_HUB_TRANSPORT_UNAVAILABLE while down, and resumes after', async () => {
      const prefix = 'sprinkler:'
      const a = await node({ url: redis.url, prefix, presenceTtlMs: 600, maxBackoffMs: 200 })
      const got: string[] = []
      a.subscribe((u) => got.push(u.data))
      await a.addSubscriptions([{ subscriber: 'urn:uuid:s', topic: 'https://example.com/t' }])
      await a.publish(update('before'))
      expect(a.health()).toEqual({ ok: true })

      await redis.stop()
      await until(() => !a.health().ok, 'the transport to notice')
      expect(a.health()).toEqual({ ok: false, reason: expect.any(String) })
      const refused = await a.publish(update('while down')).catch((e: unknown) => e)
      expect(refused).toBeInstanceOf(HubError)
      expect(refused).toMatchObject({ status: 503, code: 'ERR_HUB_TRANSPORT_UNAVAILABLE' })

      await redis.start()
      await until(() => a.health().ok, 'the transport to reconnect', 20_000)
      await a.publish(update('after'))
      expect(got).toEqual(['before', 'after'])
      // The restarted server kept nothing (--save ''): the heartbeat writes presence again.
      await eventually(async () => (await a.subscriptions()).length === 1, 'presence to come back')
    })

    it('keeps reading from the last delivered entry when its connection is killed again and again', async () => {
      const [a, b] = [
        await node({ url: redis.url, prefix: 'sprinkler:' }),
        await node({ url: redis.url, prefix: 'sprinkler:' }),
      ]
      const got: string[] = []
      a.subscribe((u) => got.push(u.data))
      const reader = `sprinkler-hub:${a.nodeId}:reader`
      let killing = true
      const killer = (async () => {
        let kills = 0
        while (killing) {
          const id = clientId(String(await redisCommand(['CLIENT', 'LIST'], redis.url)), reader)
          if (id !== undefined) {
            kills += Number(
              await redisCommand(['CLIENT', 'KILL', 'ID', id], redis.url).catch(() => 0),
            )
          }
          await new Promise((resolve) => setTimeout(resolve, 5))
        }
        return kills
      })()
      const sent: string[] = []
      for (let i = 0; i < 100; i++) {
        await b.publish(update(`${i}`)).then(
          () => sent.push(`${i}`),
          () => {},
        )
      }
      killing = false
      expect(await killer).toBeGreaterThan(0)
      await until(() => got.length >= sent.length, 'node A to catch up')
      expect(got.filter((d) => sent.includes(d))).toEqual(sent)
    })

    it('refuses to start when Redis does not answer', async () => {
      await redis.stop()
      const failed = await createRedisTransport({ url: redis.url, connectTimeoutMs: 300 }).catch(
        (e: unknown) => e,
      )
      expect(failed).toMatchObject({ code: 'ERR_HUB_TRANSPORT_UNAVAILABLE' })
    })
  },
  { privateServer: true },
)
