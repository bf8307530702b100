import { afterAll, expect, it } from 'vitest'
import { mint, publishOk } from '../../../hub/test/harness.js'
import { describeRedis, OnRedis, uniquePrefix } from '../../../hub/test/redis.js'
import { openEventStream, type TestEventStream } from '../../../server/test/client.js'
import { type Running, startServer } from '../../test/sprinkler.js'

const KEY = 'a-serve-secret-that-is-long-enough-for-hs256'

describeRedis('sprinkler serve --transport redis://', () => {
  const servers = new OnRedis(startServer)
  let stream: TestEventStream | undefined
  afterAll(async () => {
    stream?.close()
    await servers.stop()
  })

  it('lets two demo servers on one Redis share their hub', async () => {
    const flags = ['serve', '--jwt-key', KEY]
    const prefix = uniquePrefix()
    const [a, b] = (
      await Promise.all([
        servers.start(1, flags, { prefix }),
        // The same settings from the environment.
        servers.start(1, flags, { prefix, viaEnv: true }),
      ])
    ).flat() as [Running, Running]
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
