import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { openEventStream, type TestEventStream } from '../../server/test/client.js'
import { mint, publish, publishOk, SECRET, subscribeUrl } from '../test/harness.js'
import { describeTransports } from '../test/transports.js'
import { createHub, type Hub } from './hub.js'
import { createHubRoutes } from './node/index.js'
import type { HubOptions } from './options.js'
import {
  checkSelector,
  compileSelector,
  MAX_SELECTOR_LENGTH,
  MAX_TEMPLATE_VARIABLES,
  matchesAny,
  SELECTOR_CACHE_BYTES,
  selectorCacheStats,
} from './topics.js'
import { compileUriTemplate, matchMeter } from './uri-template.js'

describe('Mercure topic selectors', () => {
  it('spec: `*` matches every topic', () => {
    expect(compileSelector('*').matches('anything at all')).toBe(true)
  })

  it('spec: a selector matches the identical string, templates included', () => {
    expect(compileSelector('https://example.com/foo').matches('https://example.com/foo')).toBe(true)
    expect(compileSelector('https://example.com/foo').matches('https://example.com/foo/')).toBe(
      false,
    )
    expect(compileSelector('https://example.com/{id}').matches('https://example.com/{id}')).toBe(
      true,
    )
  })

  it('spec: a URI Template selector matches the strings it could expand to', () => {
    const s = compileSelector('https://example.com/books/{id}')
    expect(s.matches('https://example.com/books/42')).toBe(true)
    expect(s.matches('https://example.com/books/42/reviews')).toBe(false)
  })

  it('refuses a malformed template with a 400 HubError', () => {
    expect(() => compileSelector('https://example.com/books/{id')).toThrow(
      expect.objectContaining({ status: 400, code: 'ERR_HUB_INVALID_TOPIC_SELECTOR' }),
    )
  })

  it('matches when any topic matches any selector', () => {
    const selectors = ['https://example.com/a', 'https://example.com/b/{x}'].map(compileSelector)
    expect(matchesAny(selectors, ['nope', 'https://example.com/b/1'])).toBe(true)
    expect(matchesAny(selectors, ['nope'])).toBe(false)
    expect(matchesAny([], ['https://example.com/a'])).toBe(false)
  })
})

describe('selector limits and the compile cache', () => {
  it.each([
    ['an exact selector', `https://example.com/${'x'.repeat(MAX_SELECTOR_LENGTH)}`],
    ['a template', `https://example.com/{id}/${'x'.repeat(MAX_SELECTOR_LENGTH)}`],
    ['too many variables', `https://example.com/${'{x}'.repeat(MAX_TEMPLATE_VARIABLES + 1)}`],
  ])('refuses %s past the limits with a 400 HubError, before compiling it', (_, selector) => {
    const refusal = expect.objectContaining({
      status: 400,
      code: 'ERR_HUB_TOPIC_SELECTOR_TOO_LARGE',
    })
    expect(() => checkSelector(selector)).toThrow(refusal)
    expect(() => compileSelector(selector)).toThrow(refusal)
  })

  it('holds at most SELECTOR_CACHE_BYTES of selectors and compiled forms, least recently used out', () => {
    const kept = compileSelector('https://example.com/kept/{id}')
    // Distinct selectors at the limits, their literal between expressions (compiled into
    // states): ~33 KB each, 300 of them well over the bound.
    const selector = (i: number) => {
      const tail = '{x}/'.repeat(MAX_TEMPLATE_VARIABLES - 1)
      const head = `https://example.com/${i}/{x}`
      return head + 'p'.repeat(MAX_SELECTOR_LENGTH - head.length - tail.length) + tail
    }
    const first = compileSelector(selector(0))
    for (let i = 1; i < 300; i++) {
      compileSelector(selector(i))
      expect(compileSelector('https://example.com/kept/{id}')).toBe(kept) // used: stays
      expect(selectorCacheStats().bytes).toBeLessThanOrEqual(SELECTOR_CACHE_BYTES)
    }
    expect(selectorCacheStats().entries).toBeLessThan(300)
    expect(selectorCacheStats().bytes).toBeGreaterThan(SELECTOR_CACHE_BYTES / 2)
    // The oldest was evicted: compiling it again makes a new selector.
    expect(compileSelector(selector(0))).not.toBe(first)
  })
})

// Real requests over loopback to a hub mounted on node:http, on each transport.
describeTransports('hostile selectors against a running hub', (transport) => {
  const EX = 'https://example.com'
  let server: Server | undefined
  let hub: Hub | undefined
  const streams: TestEventStream[] = []

  afterEach(async () => {
    for (const stream of streams.splice(0)) stream.close()
    await hub?.close()
    server?.closeAllConnections()
    await new Promise((resolve) => server?.close(resolve))
  })

  async function start(options: HubOptions = {}): Promise<string> {
    hub = await createHub(
      await transport.hubOptions({ jwtKey: SECRET, heartbeatMs: 0, ...options }),
    )
    const routes = createHubRoutes(hub)
    server = createServer((req, res) => void routes(req, res))
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve))
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/mercure`
  }

  async function subscribe(url: string, token?: string) {
    const stream = await openEventStream(url, {
      headers: token ? { authorization: `Bearer ${token}` } : {},
    })
    expect(stream.response.status).toBe(200)
    streams.push(stream)
    return stream
  }

  it('finding 1: an anonymous `{+a}{+a}{+a}{+a}{+a}{+a}{+a}{+a}{+a}!` subscriber costs each publish steps linear in the topic', async () => {
    const hostile = `${'{+a}'.repeat(9)}!`
    const url = await start({ anonymous: true })
    const stream = await subscribe(subscribeUrl(url, [hostile]))
    const publisher = await mint({ publish: ['*'] })
    // Topics that every `{+a}` thread follows to the last character, and that then fail.
    const cost = async (n: number) => {
      const before = matchMeter.steps
      await publishOk(url, publisher, { topic: `${EX}/${'a'.repeat(n)} !`, data: 'x' })
      return matchMeter.steps - before
    }
    const n = await cost(1000)
    const twice = await cost(2000)
    expect(n).toBeGreaterThan(1000) // the subscriber's selector was tested
    expect(twice).toBeLessThanOrEqual(2 * n)
    const { work } = compileUriTemplate(hostile)
    expect(twice).toBeLessThanOrEqual(work * (EX.length + 2003))
    // And it still matches what it should.
    await publishOk(url, publisher, { topic: `${EX}/books/1!`, data: 'match' })
    expect((await stream.waitForEvents(1)).map((e) => e.data)).toEqual(['match'])
  })

  it('refuses a selector past the limits with 400 ERR_HUB_TOPIC_SELECTOR_TOO_LARGE', async () => {
    const url = await start({ anonymous: true })
    const res = await fetch(
      subscribeUrl(url, [`${EX}/${'{x}'.repeat(MAX_TEMPLATE_VARIABLES + 1)}`]),
    )
    expect(res.status).toBe(400)
    expect((await res.json()).error.code).toBe('ERR_HUB_TOPIC_SELECTOR_TOO_LARGE')
  })

  it('finding 5: mercure.subscribe `…/users{/id}` admits the private update on /users/1, not on /users/1/secret', async () => {
    const url = await start()
    const publisher = await mint({ publish: ['*'] })
    const subscriber = await mint({ subscribe: [`${EX}/users{/id}`] })
    const stream = await subscribe(
      subscribeUrl(url, [`${EX}/users/1/secret`, `${EX}/users/1`]),
      subscriber,
    )
    await publishOk(url, publisher, {
      topic: `${EX}/users/1/secret`,
      data: 'secret',
      private: true,
    })
    await publishOk(url, publisher, { topic: `${EX}/users/1`, data: 'user 1', private: true })
    await publishOk(url, publisher, { topic: `${EX}/users/1/secret`, data: 'public' })
    // Updates arrive in order: the secret, published first, would be first.
    expect((await stream.waitForEvents(2)).map((e) => e.data)).toEqual(['user 1', 'public'])
  })

  it('finding 5: mercure.publish `…/users{/id}` may publish to /users/1, not to /users/1/secret', async () => {
    const url = await start()
    const publisher = await mint({ publish: [`${EX}/users{/id}`] })
    const refused = await publish(url, publisher, { topic: `${EX}/users/1/secret`, data: 'x' })
    expect(refused.status).toBe(403)
    expect((await refused.json()).error.code).toBe('ERR_HUB_FORBIDDEN_TOPIC')
    expect((await publish(url, publisher, { topic: `${EX}/users/1`, data: 'x' })).status).toBe(200)
    expect((await publish(url, publisher, { topic: `${EX}/users/1%2Fsecret` })).status).toBe(200)
  })
})
