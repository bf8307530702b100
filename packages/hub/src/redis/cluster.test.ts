/**
 * Three `sprinkler hub` processes on one Redis, as behind a load balancer: one order for all,
 * nothing lost when a subscriber moves, when a node is killed, or when Redis restarts.
 */
import { afterEach, expect, it } from 'vitest'
import { openEventStream, type TestEventStream, until } from '../../../server/test/client.js'
import { type HubProcess, mint, publish, publishOk, subscribeUrl } from '../../test/harness.js'
import {
  describeRedis,
  eventually,
  type PrivateRedis,
  privateRedis,
  redisHubs,
} from '../../test/redis.js'

const TOPIC = 'https://example.com/cluster'
// Three hubs start at once on a loaded 2-core machine: give the start a generous net.
const START_TIMEOUT = 120_000

const hubs = redisHubs()
let streams: TestEventStream[] = []
let redis: PrivateRedis | undefined
// Set in teardown: followers stop reconnecting.
let closing = false

afterEach(async () => {
  closing = true
  for (const s of streams) s.close()
  await hubs.stop()
  await redis?.close()
  streams = []
  redis = undefined
  closing = false
})

/** Three hubs on one Redis (default: the shared one, under a key prefix of their own). */
const startCluster = (url?: string) => hubs.start(3, [], { url })

async function subscribe(hub: HubProcess, lastEventId?: string): Promise<TestEventStream> {
  const stream = await openEventStream(subscribeUrl(hub.hub, [TOPIC]), {
    ...(lastEventId !== undefined && { headers: { 'last-event-id': lastEventId } }),
  })
  expect(stream.response.status).toBe(200)
  streams.push(stream)
  return stream
}

/**
 * A subscriber that, when its stream ends, reconnects to the next hub with the id of the last
 * event it received, as an EventSource behind a load balancer would.
 */
class Follower {
  readonly ids: string[] = []
  #stream!: TestEventStream
  constructor(readonly hubs: () => HubProcess[]) {}

  async start(hub: HubProcess): Promise<void> {
    this.#stream = await subscribe(hub, this.ids.at(-1))
    const seen = this.#stream.events.length
    void this.#follow(this.#stream, seen)
  }

  async #follow(stream: TestEventStream, from: number): Promise<void> {
    let index = from
    const take = () => {
      while (index < stream.events.length)
        this.ids.push(stream.events[index++]?.lastEventId as string)
    }
    const timer = setInterval(take, 2)
    await stream.ended
    clearInterval(timer)
    take()
    // Reconnect elsewhere, as a client behind a load balancer does (bounded attempts).
    for (let attempt = 0; attempt < 50 && !closing; attempt++) {
      const next = this.hubs().find(
        (h) => h.process.exitCode === null && h.process.signalCode === null,
      )
      if (!next) return
      try {
        await this.start(next)
        return
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
    }
  }
}

describeRedis('three hub processes on Redis', () => {
  it(
    'delivers a publish on any node to the subscribers of every node once, in one order',
    async () => {
      const [a, b, c] = (await startCluster()) as HubProcess[]
      const subscribers = await Promise.all(
        [a, b, c, a, b, c].map((h) => subscribe(h as HubProcess)),
      )
      const token = await mint({ publish: ['*'] })
      const sent = await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          publishOk(([a, b, c] as HubProcess[])[i % 3]?.hub as string, token, {
            topic: TOPIC,
            data: `${i}`,
          }),
        ),
      )
      await Promise.all(subscribers.map((s) => s.waitForEvents(30)))
      const first = subscribers[0]?.events.map((e) => e.lastEventId) as string[]
      expect([...first].sort()).toEqual([...sent].sort())
      for (const s of subscribers) expect(s.events.map((e) => e.lastEventId)).toEqual(first)
    },
    START_TIMEOUT,
  )

  it(
    'replays to a subscriber that moves from node A to node B exactly what it missed',
    async () => {
      const [a, b] = (await startCluster()) as HubProcess[]
      const token = await mint({ publish: ['*'] })
      const onA = await subscribe(a as HubProcess)
      await publishOk(a?.hub as string, token, { topic: TOPIC, data: 'seen' })
      const [seen] = await onA.waitForEvents(1)
      onA.close()
      const missed = [
        await publishOk(a?.hub as string, token, { topic: TOPIC, data: 'missed 1' }),
        await publishOk(b?.hub as string, token, { topic: TOPIC, data: 'missed 2' }),
      ]
      const onB = await subscribe(b as HubProcess, seen?.lastEventId)
      expect(onB.response.headers.get('last-event-id')).toBe(seen?.lastEventId)
      await publishOk(a?.hub as string, token, { topic: TOPIC, data: 'live' })
      await onB.waitForEvents(3)
      expect(onB.events.map((e) => e.data)).toEqual(['missed 1', 'missed 2', 'live'])
      expect(onB.events.slice(0, 2).map((e) => e.lastEventId)).toEqual(missed)
    },
    START_TIMEOUT,
  )

  it(
    "lists every node's subscribers, and forgets a node killed -9 within its presence TTL",
    async () => {
      const [a, b] = (await hubs.start(2, ['--presence-ttl', '1500ms'])) as [HubProcess, HubProcess]
      await subscribe(a)
      await subscribe(b)
      const reader = await mint({ subscribe: ['*'] })
      const subscribers = async () => {
        const res = await fetch(`${b.origin}/.well-known/mercure/subscriptions`, {
          headers: { authorization: `Bearer ${reader}` },
        })
        return ((await res.json()) as { subscriptions: unknown[] }).subscriptions.length
      }
      await eventually(async () => (await subscribers()) === 2, "both nodes' subscribers")
      a.process.kill('SIGKILL')
      const killed = Date.now()
      await eventually(async () => (await subscribers()) === 1, 'the dead node to leave presence')
      // The documented bound: the TTL after its last heartbeat, so at most the TTL after death
      // (plus this loaded machine's scheduling slack).
      expect(Date.now() - killed).toBeLessThan(1500 + 3000)
    },
    START_TIMEOUT,
  )
})

describeRedis(
  'three hub processes on a private Redis',
  () => {
    it(
      'loses and duplicates nothing acknowledged when a node is killed (-9) while publishing',
      async () => {
        redis = await privateRedis({ durable: true })
        const cluster = await startCluster(redis.url)
        const [a] = cluster as [HubProcess]
        const followers = cluster.map(() => new Follower(() => hubs.processes))
        await Promise.all(followers.map((f, i) => f.start(cluster[i] as HubProcess)))
        const token = await mint({ publish: ['*'] })
        const acked: string[] = []
        let refused = 0
        for (let i = 0; i < 120; i++) {
          if (i === 40) a.process.kill('SIGKILL')
          const target = cluster[i % 3] as HubProcess
          const res = await publish(target.hub, token, { topic: TOPIC, data: `${i}` }).catch(
            () => undefined,
          )
          if (res?.status === 200) acked.push(await res.text())
          else {
            refused++
            await res?.body?.cancel()
          }
          await new Promise((resolve) => setTimeout(resolve, 10))
        }
        expect(refused).toBeGreaterThan(0) // the dead node's share
        expect(acked.length).toBeGreaterThan(70)
        for (const f of followers) {
          await until(() => acked.every((id) => f.ids.includes(id)), 'every acked update', 60_000)
          expect(new Set(f.ids).size).toBe(f.ids.length) // zero duplicated
        }
        // One order for all: each follower's sequence is the others' minus nothing acked.
        const order = (ids: string[]) => ids.filter((id) => acked.includes(id))
        for (const f of followers) expect(order(f.ids)).toEqual(order(followers[1]?.ids ?? []))
      },
      START_TIMEOUT * 2,
    )

    it(
      'answers 503 while Redis is down, closes no stream, and resumes losing nothing acknowledged',
      async () => {
        redis = await privateRedis({ durable: true })
        const cluster = await startCluster(redis.url)
        const subscribers = await Promise.all(cluster.map((h) => subscribe(h)))
        const token = await mint({ publish: ['*'] })
        const acked: string[] = []
        const statuses = new Set<number>()
        for (let i = 0; i < 90; i++) {
          if (i === 30) await redis.stop()
          if (i === 60) await redis.start()
          const res = await publish((cluster[i % 3] as HubProcess).hub, token, {
            topic: TOPIC,
            data: `${i}`,
          })
          statuses.add(res.status)
          if (res.status === 200) acked.push(await res.text())
          else expect((await res.json()).error.code).toBe('ERR_HUB_TRANSPORT_UNAVAILABLE')
          await new Promise((resolve) => setTimeout(resolve, 10))
        }
        // After the restart, wait until every node publishes again, then one last update.
        for (const hub of cluster) {
          await until(() => hub.process.exitCode === null, 'the hub to be alive')
          let status = 0
          while (status !== 200) {
            const res = await publish(hub.hub, token, { topic: TOPIC, data: 'after' })
            status = res.status
            if (status === 200) acked.push(await res.text())
            else await res.body?.cancel()
          }
        }
        expect([...statuses].sort()).toEqual([200, 503])
        for (const s of subscribers) {
          await until(
            () => acked.every((id) => s.events.some((e) => e.lastEventId === id)),
            'every acked update',
            60_000,
          )
          const ids = s.events.map((e) => e.lastEventId)
          expect(new Set(ids).size).toBe(ids.length)
        }
        for (const hub of cluster) expect(hub.process.exitCode).toBe(null)
        // No stream was closed by the outage.
        const open = await Promise.race([
          Promise.any(subscribers.map((s) => s.ended.then(() => 'ended'))),
          new Promise((resolve) => setTimeout(() => resolve('open'), 50)),
        ])
        expect(open).toBe('open')
      },
      START_TIMEOUT * 2,
    )
  },
  { privateServer: true },
)
