import { afterEach, describe, expect, it } from 'vitest'
import { openEventStream, type TestEventStream, until } from '../../server/test/client.js'
import { type EmbeddedHub, rawRequest, startEmbeddedHub } from '../test/embedded.js'
import { mint, publish, publishOk, SECRET, startHub, subscribeUrl } from '../test/harness.js'
import { describeTransports } from '../test/transports.js'
import { MemoryTransport } from './memory-transport.js'
import { MAX_SELECTOR_LENGTH, selectorCacheStats } from './topics.js'
import type { SubscriptionRecord } from './transport.js'

// Regressions of the attacks in issue 10, each sent for real over loopback.
const EX = 'https://example.com'
let embedded: EmbeddedHub | undefined
const streams: TestEventStream[] = []
afterEach(async () => {
  for (const s of streams.splice(0)) s.close()
  expect(embedded?.failures ?? []).toEqual([])
  await embedded?.stop()
  embedded = undefined
})

async function open(url: string, headers: Record<string, string> = {}) {
  const s = await openEventStream(url, { headers })
  streams.push(s)
  return s
}

const errorOf = async (res: Response) => [res.status, (await res.json()).error.code]

// Each attack against a hub on each transport.
describeTransports('hardening', (transport) => {
  describe('authentication comes before any work proportional to the request', () => {
    it('refuses tokenless subscribes with 401 before compiling or caching their selectors', async () => {
      embedded = await startEmbeddedHub({ jwtKey: SECRET }, { maxHeaderSize: 64 * 1024, transport })
      const cacheBefore = selectorCacheStats()
      // Valid templates as long as the limits allow, each new: compiled, each would be cached.
      for (let i = 0; i < 300; i++) {
        const selector = `${EX}/${i}/${'{a}/'.repeat(16)}${'x'.repeat(MAX_SELECTOR_LENGTH - 100)}`
        const res = await fetch(
          subscribeUrl(embedded.url, [selector.slice(0, MAX_SELECTOR_LENGTH)]),
        )
        expect(await errorOf(res)).toEqual([401, 'ERR_HUB_UNAUTHORIZED'])
      }
      expect(selectorCacheStats()).toEqual(cacheBefore)
      // 16 KB malformed templates: checked first, they would be 400s.
      const selector = `${EX}/${'{a}'.repeat(5460)}{`
      expect(selector.length).toBeGreaterThan(16 * 1024)
      for (let i = 0; i < 50; i++) {
        const res = await fetch(subscribeUrl(embedded.url, [`${selector}${i}`]))
        expect(await errorOf(res)).toEqual([401, 'ERR_HUB_UNAUTHORIZED'])
      }
      // A token that does not verify is refused before compiling too.
      const res = await fetch(subscribeUrl(embedded.url, [selector]), {
        headers: { authorization: 'Bearer not.a.jwt' },
      })
      expect(await errorOf(res)).toEqual([401, 'ERR_HUB_INVALID_TOKEN'])
    })

    it('applies the anonymous rule before compiling: a refused selector gets 401, not 400', async () => {
      embedded = await startEmbeddedHub(
        {
          jwtKey: SECRET,
          anonymous: { allow: (s) => s.startsWith('/public/') },
        },
        { transport },
      )
      const res = await fetch(subscribeUrl(embedded.url, [`/private/{broken`]))
      expect(await errorOf(res)).toEqual([401, 'ERR_HUB_UNAUTHORIZED'])
      const allowed = await fetch(subscribeUrl(embedded.url, [`/public/{broken`]))
      expect(await errorOf(allowed)).toEqual([400, 'ERR_HUB_INVALID_TOPIC_SELECTOR'])
    })
  })

  describe('the request target is parsed strictly as origin-form (RFC 9112 §3.2.1)', () => {
    const token = () => mint({ subscribe: ['*'] })

    it('never routes a protocol-relative, backslash or dot-segment target as the path it resembles', async () => {
      embedded = await startEmbeddedHub({ jwtKey: SECRET, anonymous: true }, { transport })
      const authorization = `Bearer ${await token()}`
      for (const target of [
        '//evil/.well-known/mercure/subscriptions',
        '/\\evil/metrics',
        '//[',
        '/x/../metrics',
        '/.well-known/mercure/./subscriptions',
        '/metrics/..',
        '*',
      ]) {
        const res = await rawRequest(embedded.origin, target, { headers: { authorization } })
        expect([target, res.status, JSON.parse(res.body).error.code]).toEqual([
          target,
          400,
          'ERR_HUB_INVALID_TARGET',
        ])
      }
      // The real paths still work.
      const real = await rawRequest(embedded.origin, '/.well-known/mercure/subscriptions', {
        headers: { authorization },
      })
      expect(real.status).toBe(200)
      expect((await rawRequest(embedded.origin, '/metrics')).status).toBe(200)
    })

    it('answers malformed percent-escapes in a subscriptions-API path with 400, not 500', async () => {
      embedded = await startEmbeddedHub({ jwtKey: SECRET }, { transport })
      const headers = { authorization: `Bearer ${await token()}` }
      // `%zz` is not an escape at all; `%FF` and `%E0%A4%A` are escapes of invalid UTF-8.
      for (const tail of ['%zz', '%FF', 'x/%E0%A4%A', '%']) {
        const res = await rawRequest(
          embedded.origin,
          `/.well-known/mercure/subscriptions/${tail}`,
          {
            headers,
          },
        )
        expect([tail, res.status, JSON.parse(res.body).error.code]).toEqual([
          tail,
          400,
          'ERR_HUB_INVALID_TARGET',
        ])
      }
    })

    it('answers `GET //[` on `sprinkler hub` with 400 and logs no error', async () => {
      const hub = await startHub(['--jwt-key', SECRET, ...transport.flags()])
      let stderr = ''
      hub.process.stderr?.on('data', (chunk: Buffer) => {
        stderr += chunk.toString()
      })
      try {
        const authorization = `Bearer ${await token()}`
        for (const target of ['//[', '/.well-known/mercure/subscriptions/%FF']) {
          const res = await rawRequest(hub.origin, target, { headers: { authorization } })
          expect([target, res.status]).toEqual([target, 400])
        }
        // The hub still answers, and said nothing about failing requests.
        expect((await fetch(`${hub.origin}/healthz`)).status).toBe(200)
        expect(stderr).not.toContain('request failed')
      } finally {
        await hub.stop()
      }
    })
  })

  describe('CORS `*` never grants credentials', () => {
    it('answers any Origin (null too) with `*` and no credentials; named origins keep theirs', async () => {
      embedded = await startEmbeddedHub(
        {
          jwtKey: SECRET,
          anonymous: true,
          corsOrigins: ['*', 'https://app.example'],
        },
        { transport },
      )
      for (const origin of ['null', 'https://evil.example']) {
        const preflight = await fetch(embedded.url, { method: 'OPTIONS', headers: { origin } })
        const stream = await open(subscribeUrl(embedded.url, [`${EX}/cors`]), { origin })
        for (const res of [preflight, stream.response]) {
          expect([origin, res.headers.get('access-control-allow-origin')]).toEqual([origin, '*'])
          expect(res.headers.get('access-control-allow-credentials')).toBeNull()
        }
      }
      const named = await fetch(embedded.url, {
        method: 'OPTIONS',
        headers: { origin: 'https://app.example' },
      })
      expect(named.headers.get('access-control-allow-origin')).toBe('https://app.example')
      expect(named.headers.get('access-control-allow-credentials')).toBe('true')
    })

    it('refuses a cookie publish from any origin not named, whatever `*` says', async () => {
      embedded = await startEmbeddedHub(
        { jwtKey: SECRET, corsOrigins: ['*', 'https://app.example'] },
        { transport },
      )
      const cookie = `mercureAuthorization=${await mint({ publish: ['*'] })}`
      const from = (origin: string) =>
        publish(
          embedded?.url as string,
          undefined,
          { topic: `${EX}/c`, data: 'x' },
          {
            headers: { cookie, origin },
          },
        )
      for (const origin of ['null', 'https://evil.example']) {
        expect([origin, ...(await errorOf(await from(origin)))]).toEqual([
          origin,
          403,
          'ERR_HUB_FORBIDDEN_ORIGIN',
        ])
      }
      expect((await from('https://app.example')).status).toBe(200)
    })
  })

  describe('publish ids stay resumable', () => {
    it('accepts an id up to the Last-Event-ID limit (1 024), refuses longer and `earliest`', async () => {
      embedded = await startEmbeddedHub({ jwtKey: SECRET, anonymous: true }, { transport })
      const publisher = await mint({ publish: ['*'] })
      const topic = `${EX}/ids`
      const longest = `urn:x:${'i'.repeat(1024 - 6)}`
      expect(await publishOk(embedded.url, publisher, { topic, id: longest, data: 'a' })).toBe(
        longest,
      )
      for (const id of [`${longest}j`, 'earliest']) {
        const res = await publish(embedded.url, publisher, { topic, id, data: 'b' })
        expect([id.length, ...(await errorOf(res))]).toEqual([
          id.length,
          400,
          'ERR_HUB_INVALID_UPDATE',
        ])
      }
      // A client resuming from the longest id is served, not refused.
      await publishOk(embedded.url, publisher, { topic, data: 'after' })
      const resumed = await open(subscribeUrl(embedded.url, [topic]), { 'last-event-id': longest })
      expect(resumed.response.status).toBe(200)
      expect((await resumed.waitForEvents(1)).map((e) => e.data)).toEqual(['after'])
    })
  })
})

describe('transport failures', () => {
  it('reports failing presence updates as the hub’s error events, never an unhandled rejection', async () => {
    class FailingTransport extends MemoryTransport {
      override async addSubscriptions(_: readonly SubscriptionRecord[]): Promise<void> {
        throw new Error('transport down')
      }
      override async removeSubscriptions(_: readonly SubscriptionRecord[]): Promise<void> {
        throw new Error('transport down')
      }
    }
    const unhandled: unknown[] = []
    const onUnhandled = (reason: unknown) => unhandled.push(reason)
    process.on('unhandledRejection', onUnhandled)
    try {
      embedded = await startEmbeddedHub({ anonymous: true, transport: new FailingTransport() })
      const errors: unknown[] = []
      embedded.hub.addEventListener('error', (e) => errors.push((e as CustomEvent).detail))
      const s = await open(subscribeUrl(embedded.url, [`${EX}/t`]))
      await until(() => errors.length === 1, 'the error event of the add')
      // The stream goes on without presence.
      await embedded.hub.publish({ topics: [`${EX}/t`], data: 'still delivered' })
      expect((await s.waitForEvents(1)).map((e) => e.data)).toEqual(['still delivered'])
      s.close()
      await until(() => errors.length === 2, 'the error event of the removal')
      for (const error of errors) {
        expect(error).toMatchObject({ code: 'ERR_HUB_TRANSPORT_FAILED' })
        expect((error as Error).cause).toMatchObject({ message: 'transport down' })
      }
      // Unhandled rejections are reported after the microtask queue drains.
      await new Promise((resolve) => setImmediate(resolve))
      await new Promise((resolve) => setTimeout(resolve, 10))
      expect(unhandled).toEqual([])
    } finally {
      process.off('unhandledRejection', onUnhandled)
    }
  })
})
