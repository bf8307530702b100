/**
 * The contract every HubTransport holds, run against the memory transport and the Redis one
 * (on the shared Redis, each test under its own key prefix).
 */
import type { HistoryOptions } from '@sprinkler/server'
import { afterEach, describe, expect, it } from 'vitest'
import {
  deleteKeys,
  eventually,
  SHARED_REDIS_URL,
  sharedRedisAvailable,
  uniquePrefix,
} from '../test/redis.js'
import { MemoryTransport } from './memory-transport.js'
import { createRedisTransport } from './redis/index.js'
import type { HubTransport } from './transport.js'
import { createUpdate, type Update, type UpdateInput } from './update.js'

interface Backend {
  name: string
  create(history: HistoryOptions): Promise<HubTransport>
  cleanup(): Promise<void>
}

const memory = (): Backend => ({
  name: 'memory',
  create: async (history) => new MemoryTransport(history),
  cleanup: async () => {},
})

const redis = (): Backend => {
  const prefix = uniquePrefix()
  return {
    name: 'redis',
    create: (history) => createRedisTransport({ url: SHARED_REDIS_URL, prefix, history }),
    cleanup: () => deleteKeys(prefix),
  }
}

if (!sharedRedisAvailable && process.env.CI) {
  throw new Error('The Redis transport contract needs Redis on 127.0.0.1:6379 in CI.')
}
const backends = sharedRedisAvailable ? [memory, redis] : [memory]
if (!sharedRedisAvailable) console.warn('Skipping the Redis transport contract: no Redis on :6379.')

const update = (input: Partial<UpdateInput> & { data: string }): Update =>
  createUpdate(
    { topics: ['https://example.com/t'], ...input },
    { maxTopics: 10, maxIdLength: 1024 },
  )

describe.each(backends.map((b) => [b().name, b] as const))('%s transport', (_name, backend) => {
  let current: Backend
  const open: HubTransport[] = []
  const create = async (history: HistoryOptions = { maxEvents: 100 }) => {
    current ??= backend()
    const transport = await current.create(history)
    open.push(transport)
    return transport
  }
  afterEach(async () => {
    for (const t of open.splice(0)) await t.close()
    await current?.cleanup()
    current = backend()
  })

  it('delivers every update to every listener in publish order, before publish resolves', async () => {
    const transport = await create()
    const a: string[] = []
    const b: string[] = []
    transport.subscribe((u) => a.push(u.data))
    transport.subscribe((u) => b.push(u.data))
    // Concurrent publishes keep the order in which they were made.
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => transport.publish(update({ data: `${i}` }))),
    )
    const expected = Array.from({ length: 20 }, (_, i) => `${i}`)
    expect(a).toEqual(expected)
    expect(b).toEqual(expected)
  })

  it('keeps every field of an update: id, topics, data, type, retry, private', async () => {
    const transport = await create()
    const got: Update[] = []
    transport.subscribe((u) => got.push(u))
    const sent = update({
      id: 'urn:uuid:fields',
      topics: ['https://example.com/a', 'https://example.com/b'],
      data: 'line 1\nline 2 — ünïcode',
      type: 'change',
      retry: 1500,
      private: true,
    })
    await transport.publish(sent)
    await transport.publish(update({ data: 'plain' }))
    const [history] = [(await transport.history('earliest')).updates]
    for (const seen of [got[0], history[0]]) {
      expect(seen).toMatchObject({
        id: sent.id,
        topics: sent.topics,
        data: sent.data,
        type: 'change',
        retry: 1500,
        private: true,
      })
    }
    expect(got[1]).toMatchObject({
      data: 'plain',
      private: false,
      type: undefined,
      retry: undefined,
    })
  })

  it('stops delivering to a listener after it unsubscribes', async () => {
    const transport = await create()
    const got: string[] = []
    const stop = transport.subscribe((u) => got.push(u.data))
    await transport.publish(update({ data: '1' }))
    stop()
    await transport.publish(update({ data: '2' }))
    expect(got).toEqual(['1'])
  })

  it('replays the updates after a known id, and everything retained for earliest', async () => {
    const transport = await create()
    const sent = [update({ data: 'a' }), update({ data: 'b' }), update({ data: 'c' })]
    for (const u of sent) await transport.publish(u)
    expect(await transport.history('earliest')).toEqual({
      found: true,
      updates: sent.map((u) => expect.objectContaining({ id: u.id, data: u.data })),
    })
    const after = await transport.history(sent[0]?.id as string)
    expect(after.found).toBe(true)
    expect(after.updates.map((u) => u.data)).toEqual(['b', 'c'])
    expect(await transport.history(sent[2]?.id as string)).toEqual({ found: true, updates: [] })
  })

  it('answers an unknown id with found: false and everything retained', async () => {
    const transport = await create()
    await transport.publish(update({ data: 'a' }))
    const result = await transport.history('urn:uuid:never-published')
    expect(result.found).toBe(false)
    expect(result.updates.map((u) => u.data)).toEqual(['a'])
  })

  it('replays after the newest update of an id published twice', async () => {
    const transport = await create()
    for (const data of ['1', '2', '3', '4']) {
      await transport.publish(
        update({ data, id: data === '1' || data === '3' ? 'same' : undefined }),
      )
    }
    expect((await transport.history('same')).updates.map((u) => u.data)).toEqual(['4'])
  })

  it('keeps at most maxEvents; an evicted id is unknown', async () => {
    const transport = await create({ maxEvents: 3 })
    const sent = ['1', '2', '3', '4', '5'].map((data) => update({ data }))
    for (const u of sent) await transport.publish(u)
    const earliest = await transport.history('earliest')
    expect(earliest.updates.map((u) => u.data)).toEqual(['3', '4', '5'])
    const evicted = await transport.history(sent[1]?.id as string)
    expect(evicted.found).toBe(false)
    expect(evicted.updates.map((u) => u.data)).toEqual(['3', '4', '5'])
    const kept = await transport.history(sent[2]?.id as string)
    expect(kept.updates.map((u) => u.data)).toEqual(['4', '5'])
  })

  it('forgets updates older than maxAgeMs', async () => {
    const transport = await create({ maxEvents: 100, maxAgeMs: 300 })
    const old = update({ data: 'old' })
    await transport.publish(old)
    // Age is measured by each backend's own clock: wait until it has passed.
    await eventually(
      async () => (await transport.history('earliest')).updates.length === 0,
      'the update to age out',
    )
    await transport.publish(update({ data: 'new' }))
    expect((await transport.history('earliest')).updates.map((u) => u.data)).toEqual(['new'])
  })

  it('reports the newest id, or earliest before the first publish', async () => {
    const transport = await create()
    expect(await transport.lastEventId()).toBe('earliest')
    await transport.publish(update({ data: 'a', id: 'first' }))
    await transport.publish(update({ data: 'b', id: 'second' }))
    expect(await transport.lastEventId()).toBe('second')
  })

  it('lists the subscriptions added and not yet removed', async () => {
    const transport = await create()
    const alice = {
      subscriber: 'urn:uuid:alice',
      topic: 'https://example.com/a',
      payload: { n: 1 },
    }
    const bob = { subscriber: 'urn:uuid:bob', topic: 'https://example.com/{x}' }
    await transport.addSubscriptions([alice, bob])
    expect(sortBySubscriber(await transport.subscriptions())).toEqual([alice, bob])
    await transport.removeSubscriptions([alice])
    expect(await transport.subscriptions()).toEqual([bob])
  })
})

function sortBySubscriber<T extends { subscriber: string }>(list: T[]): T[] {
  return [...list].sort((a, b) => a.subscriber.localeCompare(b.subscriber))
}
