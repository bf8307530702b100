import { afterAll, expect, it } from 'vitest'
import { mint, publishOk } from '../../../hub/test/harness.js'
import {
  deleteKeys,
  describeRedis,
  SHARED_REDIS_URL,
  uniquePrefix,
} from '../../../hub/test/redis.js'
import { openEventStream, type TestEventStream } from '../../../server/test/client.js'
import { startServer, stopAll } from '../../test/sprinkler.js'

const KEY = 'a-serve-secret-that-is-long-enough-for-hs256'

describeRedis('sprinkler serve --transport redis://', () => {
  const prefix = uniquePrefix()
  let stream: TestEventStream | undefined
  afterAll(async () => {
    stream?.close()
    await stopAll()
    await deleteKeys(prefix)
  })

  it('lets two demo servers on one Redis share their hub', async () => {
    const flags = ['serve', '--jwt-key', KEY, '--transport', SHARED_REDIS_URL]
    const [a, b] = await Promise.all([
      startServer([...flags, '--redis-prefix', prefix]),
      startServer(flags, { SPRINKLER_REDIS_PREFIX: prefix }),
    ])
    stream = await openEventStream(
      `${b.url}/.well-known/mercure?topic=${encodeURIComponent('/demo/broadcast')}`,
    )
    expect(stream.response.status).toBe(200)
    const token = await mint({ publish: ['*'] }, { key: KEY })
    await publishOk(`${a.url}/.well-known/mercure`, token, {
      topic: '/demo/broadcast',
      data: 'hello from a',
    })
    const [event] = await stream.waitForEvents(1)
    expect(event?.data).toBe('hello from a')
  }, 120_000)
})
