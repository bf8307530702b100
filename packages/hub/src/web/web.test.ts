import type { AddressInfo } from 'node:net'
import { serve } from '@hono/node-server'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { openEventStream, type TestEventStream } from '../../../server/test/client.js'
import { mint, publish, publishOk, SECRET, subscribeUrl } from '../../test/harness.js'
import { createHub, type Hub } from '../hub.js'
import { createHubFetchHandler } from './index.js'

// The hub on the web-standard mount, served by @hono/node-server (as on Bun, Deno, Workers).
let hub: Hub
let server: ReturnType<typeof serve>
let hubUrl: string
const streams: TestEventStream[] = []

beforeAll(async () => {
  hub = await createHub({ jwtKey: SECRET, anonymous: true, heartbeatMs: 0 })
  const fetchHandler = createHubFetchHandler(hub)
  await new Promise<void>((resolve) => {
    server = serve({ fetch: fetchHandler, port: 0, hostname: '127.0.0.1' }, () => resolve())
  })
  hubUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/mercure`
})

afterAll(async () => {
  for (const s of streams) s.close()
  await hub.close()
  await new Promise((resolve) => server.close(resolve))
})

it('publishes, delivers public and private updates, and replays, through (Request) → Response', async () => {
  const topic = 'https://example.com/web/1'
  const publisher = await mint({ publish: ['*'] })
  const open = async (headers: Record<string, string> = {}) => {
    const s = await openEventStream(subscribeUrl(hubUrl, [topic]), { headers })
    streams.push(s)
    return s
  }
  const anonymous = await open()
  const allowed = await open({ authorization: `Bearer ${await mint({ subscribe: [topic] })}` })
  expect(anonymous.response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8')
  const first = await publishOk(hubUrl, publisher, { topic, data: 'public' })
  await publishOk(hubUrl, publisher, { topic, data: 'private', private: true })
  await publishOk(hubUrl, publisher, { topic, data: 'end' })
  expect((await allowed.waitForEvents(3)).map((e) => e.data)).toEqual(['public', 'private', 'end'])
  expect((await anonymous.waitForEvents(2)).map((e) => e.data)).toEqual(['public', 'end'])
  const resumed = await open({ 'last-event-id': first })
  expect(resumed.response.headers.get('last-event-id')).toBe(first)
  expect((await resumed.waitForEvents(1)).map((e) => e.data)).toEqual(['end'])
})

it('answers errors and unknown paths as the node mount does', async () => {
  const origin = new URL(hubUrl).origin
  expect((await fetch(`${origin}/nope`)).status).toBe(404)
  expect((await fetch(hubUrl, { method: 'DELETE' })).status).toBe(405)
  const big = await publish(hubUrl, await mint({ publish: ['*'] }), {
    topic: 'x',
    data: 'y'.repeat(2 * 1024 * 1024),
  })
  expect([big.status, (await big.json()).error]).toEqual([
    413,
    {
      code: 'ERR_HUB_BODY_TOO_LARGE',
      // Names the knob: the option when embedded, the flag of `sprinkler hub`.
      message: expect.stringMatching(/larger than 1048576 bytes.*maxBodyBytes.*--max-body/),
    },
  ])
  expect((await (await fetch(`${origin}/healthz`)).json()).status).toBe('ok')
})
