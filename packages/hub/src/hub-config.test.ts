import { execFile } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { createServer, request } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { exportJWK, exportSPKI, generateKeyPair, SignJWT } from 'jose'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { openEventStream, type TestEventStream, until } from '../../server/test/client.js'
import {
  type HubProcess,
  mint,
  publish,
  publishOk,
  SECRET,
  startHub,
  subscribeUrl,
} from '../test/harness.js'
import { describeTransports } from '../test/transports.js'

// Each test starts `sprinkler` processes (a few seconds each on a busy 2-core machine): a
// wider safety net than the default 30 s.
vi.setConfig({ testTimeout: 90_000 })

// Black-box tests of `sprinkler hub` flags, each against its own hub process, on each transport.
const EX = 'https://example.com'
let hub: HubProcess | undefined
const streams: TestEventStream[] = []
const cleanups: (() => Promise<void> | void)[] = []

afterEach(async () => {
  for (const s of streams.splice(0)) s.close()
  for (const c of cleanups.splice(0)) await c()
  await hub?.stop()
  hub = undefined
})

async function open(url: string, headers: Record<string, string> = {}) {
  const s = await openEventStream(url, { headers })
  streams.push(s)
  return s
}

describeTransports('sprinkler hub', (transport) => {
  describe('subscriptions', () => {
    it('lists active subscriptions (JSON-LD) and publishes subscription events with --subscriptions', async () => {
      hub = await startHub(['--jwt-key', SECRET, '--subscriptions', ...transport.flags()])
      const publisher = await mint({ publish: ['*'] })
      const watcher = await mint({
        subscribe: ['/.well-known/mercure/subscriptions{/topic}{/subscriber}'],
      })
      const events = await open(
        subscribeUrl(hub.hub, ['/.well-known/mercure/subscriptions{/topic}{/subscriber}']),
        {
          authorization: `Bearer ${watcher}`,
        },
      )
      const selector = `${EX}/books/{id}`
      const alice = await open(subscribeUrl(hub.hub, [selector]), {
        authorization: `Bearer ${await mint({ subscribe: [`${EX}/users/alice`], payload: { user: 'alice' } })}`,
      })
      expect(alice.response.status).toBe(200)
      await until(
        () => events.events.some((e) => JSON.parse(e.data).topic === selector),
        'an active event',
      )
      const active = JSON.parse(
        events.events.find((e) => JSON.parse(e.data).topic === selector)?.data ?? '',
      )
      expect(active).toMatchObject({
        '@context': 'https://mercure.rocks/',
        type: 'Subscription',
        topic: selector,
        active: true,
        payload: { user: 'alice' },
      })
      expect(active.subscriber).toMatch(/^urn:uuid:/)
      expect(active.id).toBe(
        `/.well-known/mercure/subscriptions/${encodeURIComponent(selector)}/${encodeURIComponent(active.subscriber)}`,
      )

      const list = await fetch(`${hub.origin}/.well-known/mercure/subscriptions`, {
        headers: { authorization: `Bearer ${watcher}` },
      })
      expect(list.headers.get('content-type')).toBe('application/ld+json')
      const doc = await list.json()
      expect(doc).toMatchObject({
        '@context': 'https://mercure.rocks/',
        type: 'Subscriptions',
        id: '/.well-known/mercure/subscriptions',
      })
      expect(doc.lastEventID).toEqual(expect.any(String))
      expect(doc.subscriptions.map((s: { topic: string }) => s.topic)).toContain(selector)

      const byTopic = await fetch(
        `${hub.origin}/.well-known/mercure/subscriptions/${encodeURIComponent(selector)}`,
        {
          headers: { authorization: `Bearer ${watcher}` },
        },
      )
      expect((await byTopic.json()).subscriptions).toHaveLength(1)
      const one = await fetch(`${hub.origin}${active.id}`, {
        headers: { authorization: `Bearer ${watcher}` },
      })
      expect(await one.json()).toMatchObject({
        topic: selector,
        active: true,
        lastEventID: expect.any(String),
      })

      alice.close()
      await until(
        () => events.events.some((e) => JSON.parse(e.data).active === false),
        'an inactive event',
      )
      const gone = await fetch(`${hub.origin}${active.id}`, {
        headers: { authorization: `Bearer ${watcher}` },
      })
      expect(gone.status).toBe(404)
      const forbidden = await fetch(`${hub.origin}/.well-known/mercure/subscriptions`, {
        headers: { authorization: `Bearer ${await mint({ subscribe: [`${EX}/other`] })}` },
      })
      expect(forbidden.status).toBe(403)
      const anonymous = await fetch(`${hub.origin}/.well-known/mercure/subscriptions`)
      expect(anonymous.status).toBe(401)
      // Subscription events are private: a public subscriber to the same template sees none.
      await publishOk(hub.hub, publisher, { topic: `${EX}/noise`, data: 'x' })
    })
  })

  describe('limits and flags', () => {
    it('enforces per-token (429), per-IP (429), total (503), topic (400) and body (413) limits, read from the environment', async () => {
      hub = await startHub(['--anonymous', ...transport.flags()], {
        SPRINKLER_JWT_KEY: SECRET,
        SPRINKLER_MAX_CONNECTIONS: '4',
        SPRINKLER_MAX_CONNECTIONS_PER_IP: '3',
        SPRINKLER_MAX_CONNECTIONS_PER_TOKEN: '1',
        SPRINKLER_MAX_TOPICS: '2',
        SPRINKLER_MAX_BODY: '1000',
      })
      const url = subscribeUrl(hub.hub, [`${EX}/limits`])
      const token = await mint({ subscribe: ['*'] })
      expect((await open(url, { authorization: `Bearer ${token}` })).response.status).toBe(200)
      const sameToken = await fetch(url, { headers: { authorization: `Bearer ${token}` } })
      expect([sameToken.status, (await sameToken.json()).error.code]).toEqual([
        429,
        'ERR_HUB_TOO_MANY_CONNECTIONS',
      ])
      expect((await open(url)).response.status).toBe(200)
      expect((await open(url)).response.status).toBe(200)
      const fourthFromHere = await fetch(url)
      expect(fourthFromHere.status).toBe(429)
      // Another loopback address is another IP: it gets the last place, then the hub is full.
      const other = await openFrom('127.0.0.2', url)
      expect(other.status).toBe(200)
      const full = await openFrom('127.0.0.3', url)
      expect(full.status).toBe(503)
      const topics = await fetch(subscribeUrl(hub.hub, ['a', 'b', 'c']))
      expect([topics.status, (await topics.json()).error.code]).toEqual([
        400,
        'ERR_HUB_TOO_MANY_TOPICS',
      ])
      const big = await publish(hub.hub, await mint({ publish: ['*'] }), {
        topic: `${EX}/limits`,
        data: 'x'.repeat(2000),
      })
      expect([big.status, (await big.json()).error.code]).toEqual([413, 'ERR_HUB_BODY_TOO_LARGE'])
    })

    it('refuses query-parameter tokens with --no-query-token but accepts the header', async () => {
      hub = await startHub(['--jwt-key', SECRET, '--no-query-token', ...transport.flags()])
      const token = await mint({ subscribe: ['*'] })
      const viaQuery = await fetch(subscribeUrl(hub.hub, [`${EX}/q`], { authorization: token }))
      expect([viaQuery.status, (await viaQuery.json()).error.code]).toEqual([
        401,
        'ERR_HUB_QUERY_TOKEN_DISABLED',
      ])
      const viaHeader = await open(subscribeUrl(hub.hub, [`${EX}/q`]), {
        authorization: `Bearer ${token}`,
      })
      expect(viaHeader.response.status).toBe(200)
    })

    it('refuses anonymous subscribers unless --anonymous', async () => {
      hub = await startHub(['--jwt-key', SECRET, ...transport.flags()])
      const res = await fetch(subscribeUrl(hub.hub, [`${EX}/a`]))
      expect([res.status, (await res.json()).error.code]).toEqual([401, 'ERR_HUB_UNAUTHORIZED'])
    })

    it('keeps history bounded by --history-size and answers earliest for what fell out', async () => {
      hub = await startHub([
        '--jwt-key',
        SECRET,
        '--anonymous',
        '--history-size',
        '3',
        ...transport.flags(),
      ])
      const publisher = await mint({ publish: ['*'] })
      const t = `${EX}/bounded`
      const first = await publishOk(hub.hub, publisher, { topic: t, data: '1' })
      for (const d of ['2', '3', '4', '5'])
        await publishOk(hub.hub, publisher, { topic: t, data: d })
      const s = await open(subscribeUrl(hub.hub, [t], { lastEventID: first }))
      expect(s.response.headers.get('last-event-id')).toBe('earliest')
      expect((await s.waitForEvents(3)).map((e) => e.data)).toEqual(['3', '4', '5'])
    })

    // four CLI processes one after another: a safety net for a busy machine
  })

  describe('keys', () => {
    it('verifies RS256 publishers and ES256 subscribers with separate PEM keys given as paths', async () => {
      const rs = await generateKeyPair('RS256')
      const es = await generateKeyPair('ES256')
      const dir = mkdtempSync(join(tmpdir(), 'sprinkler-keys-'))
      writeFileSync(join(dir, 'pub.pem'), await exportSPKI(rs.publicKey))
      // Different algorithms per role need two hubs' worth of flags; here: RS256 for both roles,
      // keys differing by role.
      const rs2 = await generateKeyPair('RS256')
      writeFileSync(join(dir, 'sub.pem'), await exportSPKI(rs2.publicKey))
      hub = await startHub([
        '--jwt-algorithm',
        'RS256',
        '--publisher-jwt-key',
        join(dir, 'pub.pem'),
        '--subscriber-jwt-key',
        join(dir, 'sub.pem'),
        ...transport.flags(),
      ])
      const sign = (claims: object, key: CryptoKey, alg: string) =>
        new SignJWT({ mercure: claims }).setProtectedHeader({ alg }).sign(key)
      const publisher = await sign({ publish: ['*'] }, rs.privateKey, 'RS256')
      const subscriber = await sign({ subscribe: ['*'] }, rs2.privateKey, 'RS256')
      const s = await open(subscribeUrl(hub.hub, [`${EX}/rs`]), {
        authorization: `Bearer ${subscriber}`,
      })
      expect(s.response.status).toBe(200)
      await publishOk(hub.hub, publisher, { topic: `${EX}/rs`, data: 'signed', private: true })
      expect((await s.waitForEvents(1))[0]?.data).toBe('signed')
      // The subscriber key does not publish, and an ES256 token is not accepted for RS256.
      expect((await publish(hub.hub, subscriber, { topic: `${EX}/rs`, data: 'x' })).status).toBe(
        401,
      )
      const wrongAlg = await sign({ publish: ['*'] }, es.privateKey, 'ES256')
      expect((await publish(hub.hub, wrongAlg, { topic: `${EX}/rs`, data: 'x' })).status).toBe(401)
    })

    it('verifies ES256 tokens against a JWKS URL', async () => {
      const es = await generateKeyPair('ES256')
      const jwk = { ...(await exportJWK(es.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' }
      const jwks = createServer((_req, res) => {
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ keys: [jwk] }))
      })
      await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve))
      cleanups.push(() => new Promise<void>((resolve) => jwks.close(() => resolve())))
      const jwksUrl = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks.json`
      hub = await startHub(['--jwks-url', jwksUrl, ...transport.flags()])
      const token = await new SignJWT({ mercure: { publish: ['*'], subscribe: ['*'] } })
        .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
        .sign(es.privateKey)
      const s = await open(subscribeUrl(hub.hub, [`${EX}/jwks`]), {
        authorization: `Bearer ${token}`,
      })
      expect(s.response.status).toBe(200)
      await publishOk(hub.hub, token, { topic: `${EX}/jwks`, data: 'via jwks' })
      expect((await s.waitForEvents(1))[0]?.data).toBe('via jwks')
    })
  })

  describe('operations', () => {
    it('serves a welcome page, /healthz and Prometheus /metrics with stable names', async () => {
      hub = await startHub(['--jwt-key', SECRET, '--anonymous', ...transport.flags()])
      const s = await open(subscribeUrl(hub.hub, [`${EX}/ops`]))
      await publishOk(hub.hub, await mint({ publish: ['*'] }), { topic: `${EX}/ops`, data: 'x' })
      await s.waitForEvents(1)
      await fetch(hub.hub, { method: 'POST' }) // an auth failure
      const welcome = await fetch(`${hub.origin}/`)
      expect(await welcome.text()).toContain('/.well-known/mercure')
      expect(await (await fetch(`${hub.origin}/healthz`)).json()).toEqual({
        status: 'ok',
        connections: 1,
      })
      const metrics = await (await fetch(`${hub.origin}/metrics`)).text()
      for (const line of [
        'sprinkler_hub_connections 1',
        'sprinkler_hub_subscriptions 1',
        'sprinkler_hub_publishes_total 1',
        'sprinkler_hub_deliveries_total 1',
        'sprinkler_hub_auth_failures_total 1',
        'sprinkler_hub_slow_client_disconnects_total 0',
        'sprinkler_hub_replays_total 0',
      ]) {
        expect(metrics).toContain(line)
      }
    })
  })
})

describe('bad usage', () => {
  it('exits with a clear message for a bad flag, a missing key and an unknown transport', async () => {
    const bin = fileURLToPath(new URL('../../cli/src/bin.ts', import.meta.url))
    const run = (...args: string[]) =>
      promisify(execFile)(
        process.execPath,
        ['--conditions=sprinkler-source', '--import', 'tsx', bin, 'hub', ...args],
        {
          timeout: 60_000,
        },
      )
    // Bad usage exits 2 (docs/cli.md, exit codes).
    await expect(run('--port', 'eighty')).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining('port'),
    })
    await expect(run('--port', '0')).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--jwt-key'),
    })
    await expect(
      run('--jwt-key', 'k', '--transport', 'kafka://127.0.0.1:9092'),
    ).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--transport must be "memory" or a redis://'),
    })
    await expect(run('--jwt-algorithm', 'none', '--jwt-key', 'k')).rejects.toMatchObject({
      code: 2,
    })
  }, 240_000)
})

/** GET from a chosen local address; resolves with the status once the headers arrive. */
function openFrom(localAddress: string, url: string): Promise<{ status: number }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { localAddress }, (res) => {
      resolve({ status: res.statusCode ?? 0 })
      if (res.statusCode === 200) cleanups.push(() => void req.destroy())
      else res.resume()
    })
    req.on('error', reject)
    req.end()
  })
}
