// A fuzzer for the hub (issue 10): mutated publish forms and mutated subscribe targets, query
// strings and headers, sent over loopback HTTP to a real hub. Bounded runs with fixed seeds, so
// a failure replays. What must hold for every request:
// - the answer is a well-formed HTTP response with a 2xx or 4xx status, never 5xx, and every
//   JSON error names a code of the registry;
// - nothing escapes: the route handler never rejects, the hub and its endpoint report no error;
// - subscribers that stay connected keep receiving, in order, throughout.
import { errorCodes } from '@sprinkler/core'
import fc from 'fast-check'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { openEventStream, type TestEventStream, until } from '../../server/test/client.js'
import {
  type EmbeddedHub,
  type RawResponse,
  rawRequest,
  startEmbeddedHub,
} from '../test/embedded.js'
import { mint, SECRET, subscribeUrl } from '../test/harness.js'
import { describeTransports } from '../test/transports.js'

const EX = 'https://example.com'
const CANARY = `${EX}/fuzz/canary`
let embedded: EmbeddedHub
const reported: unknown[] = []
let canary: TestEventStream
let everything: TestEventStream
const canaryIds: string[] = []
/** Answers by status, so a run shows it reached past authentication and parsing. */
const statuses = new Map<number, number>()
const tokens: Record<string, string> = {}

/** Every few requests, an update the staying subscribers must get. */
async function sendCanary(): Promise<void> {
  const update = await embedded.hub.publish({ topics: [CANARY], data: 'canary' })
  canaryIds.push(update.id)
}

/** The rules every answer holds to (a HEAD answer has no body to check). */
function checkAnswer(what: unknown, res: RawResponse, method = 'POST'): void {
  statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1)
  expect([what, res.status >= 200 && res.status < 500 && res.status !== 304]).toEqual([what, true])
  const json = String(res.headers['content-type']).startsWith('application/json')
  if (res.status >= 400 && json && method !== 'HEAD') {
    const code = JSON.parse(res.body).error.code
    expect([what, code, Object.hasOwn(errorCodes, code)]).toEqual([what, code, true])
  }
}

/** A string as a request target or query may carry it: printable ASCII kept, the rest %XX. */
function asTarget(text: string): string {
  let out = ''
  for (const ch of text) {
    const code = ch.codePointAt(0) as number
    out +=
      code > 0x20 && code < 0x7f
        ? ch
        : [...Buffer.from(ch, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('')
  }
  return out
}

const printable = (text: string) => text.replace(/[^\x20-\x7e]/g, '')

const tricky = fc.constantFrom(
  '',
  'earliest',
  '#x',
  '*',
  '-1',
  '1.5',
  '99999999999999999999999',
  'on',
  'a\r\nb',
  'a\rb',
  'a\0b',
  '\n',
  '{',
  '}',
  '{+a}{+a}{+a}',
  `${EX}/fuzz/{id}`,
  `${EX}/fuzz/1`,
  CANARY,
  '%',
  '%zz',
  '%FF',
  '\uD800',
  'é',
)
const huge = fc.constantFrom(1025, 3000, 70_000).map((n) => 'y'.repeat(n))
const value = fc.oneof(
  { weight: 4, arbitrary: fc.string({ maxLength: 30 }) },
  { weight: 2, arbitrary: fc.string({ maxLength: 30, unit: 'binary' }) },
  { weight: 4, arbitrary: tricky },
  { weight: 1, arbitrary: huge },
)
const fieldName = fc.constantFrom('topic', 'data', 'id', 'type', 'retry', 'private', 'TOPIC', '')
const templateSelector = fc
  .array(
    fc.constantFrom(
      '{',
      '}',
      '{+a}',
      '{#a}',
      '{/a*}',
      '{?a,b}',
      '{&x}',
      '{.y}',
      '{;z}',
      '{a:3}',
      '{a*}',
      '{=}',
      '/',
      'x',
      '%',
      '%7B',
      ',',
    ),
    { maxLength: 24 },
  )
  .map((parts) => `${EX}/fuzz/${parts.join('')}`)

/** Byte-level damage to an encoded form: stray escapes, invalid UTF-8, doubled separators. */
const damage = fc.oneof(
  fc.constant((body: Buffer) => body),
  fc
    .tuple(
      fc.nat(),
      fc.constantFrom('%', '%G0', '%0', '&&', '==', '%00', '+', '&topic=', '&id=earliest'),
    )
    .map(([at, text]) => (body: Buffer) => {
      const i = body.length === 0 ? 0 : at % body.length
      return Buffer.concat([body.subarray(0, i), Buffer.from(text), body.subarray(i)])
    }),
  fc
    .uint8Array({ minLength: 1, maxLength: 8 })
    .map((bytes) => (body: Buffer) => Buffer.concat([body, Buffer.from([0xff, 0xc3]), bytes])),
)

const publishRequest = fc.record({
  withTopic: fc.boolean(),
  fields: fc.array(fc.tuple(fieldName, value), { maxLength: 8 }),
  damage,
  contentType: fc.constantFrom(
    'application/x-www-form-urlencoded',
    'application/x-www-form-urlencoded; charset=utf-8',
    'APPLICATION/X-WWW-FORM-URLENCODED',
    'text/plain',
    undefined,
  ),
  auth: fc.constantFrom('publisher', 'restricted', 'expired', 'none', 'garbage', 'cookie'),
  origin: fc.constantFrom(undefined, 'null', 'https://evil.example', 'https://app.example'),
})

const subscribeRequest = fc.record({
  path: fc.constantFrom(
    '/.well-known/mercure',
    '/.well-known/mercure',
    '/.well-known/mercure/subscriptions',
    '/.well-known/mercure/subscriptions/',
    '/',
    '/healthz',
    '/nope',
    '//x/.well-known/mercure',
    '/\\x',
    '/.well-known/mercure/../metrics',
  ),
  tail: fc.oneof(fc.constant(''), fc.string({ maxLength: 20 }), tricky),
  topics: fc.array(fc.oneof(value, templateSelector), { maxLength: 5 }),
  encode: fc.boolean(),
  extra: fc.array(fc.tuple(fc.constantFrom('lastEventID', 'authorization', 'topic', 'x'), value), {
    maxLength: 3,
  }),
  lastEventId: fc.option(fc.oneof(fc.string({ maxLength: 40 }), huge), { nil: undefined }),
  auth: fc.constantFrom('publisher', 'restricted', 'none', 'garbage'),
  method: fc.constantFrom('GET', 'GET', 'GET', 'HEAD', 'OPTIONS', 'POST', 'DELETE'),
})

function authHeaders(auth: string): Record<string, string> {
  if (auth === 'none') return {}
  if (auth === 'garbage') return { authorization: 'Bearer not.a.jwt' }
  if (auth === 'cookie') return { cookie: `mercureAuthorization=${tokens.publisher}` }
  return { authorization: `Bearer ${tokens[auth]}` }
}

describeTransports('hub fuzzer (fixed seeds, bounded runs)', (transport) => {
  beforeAll(async () => {
    reported.length = 0
    canaryIds.length = 0
    statuses.clear()
    embedded = await startEmbeddedHub(
      {
        jwtKey: SECRET,
        anonymous: true,
        corsOrigins: ['https://app.example'],
        subscriptions: true,
      },
      { maxHeaderSize: 64 * 1024, transport },
    )
    embedded.hub.addEventListener('error', (e) => reported.push((e as CustomEvent).detail))
    embedded.hub.endpoint.addEventListener('error', (e) => reported.push((e as CustomEvent).detail))
    tokens.publisher = await mint({ publish: ['*'], subscribe: ['*'] })
    tokens.restricted = await mint({ publish: [`${EX}/fuzz/{id}`], subscribe: [`${EX}/fuzz/{id}`] })
    tokens.expired = await mint({ publish: ['*'] }, { expiresInS: -10 })
    canary = await openEventStream(subscribeUrl(embedded.url, [CANARY]))
    everything = await openEventStream(subscribeUrl(embedded.url, ['*']), {
      headers: { authorization: `Bearer ${tokens.publisher}` },
    })
  })

  afterAll(async () => {
    canary?.close()
    everything?.close()
    await embedded?.stop()
  })

  it('mutated publish forms: 2xx/4xx answers only, nothing escapes, subscribers keep receiving', async () => {
    let n = 0
    for (const seed of [0x5eed_0101, 0x5eed_0102]) {
      await fc.assert(
        fc.asyncProperty(publishRequest, async (input) => {
          const form = new URLSearchParams()
          if (input.withTopic) form.append('topic', `${EX}/fuzz/${n}`)
          for (const [name, v] of input.fields) form.append(name, v)
          const body = input.damage(Buffer.from(form.toString()))
          const res = await rawRequest(embedded.origin, '/.well-known/mercure', {
            method: 'POST',
            body,
            headers: {
              ...(input.contentType && { 'content-type': input.contentType }),
              ...(input.origin && { origin: input.origin }),
              ...authHeaders(input.auth),
            },
          })
          checkAnswer(input, res)
          if (++n % 25 === 0) await sendCanary()
        }),
        { seed, numRuns: 250 },
      )
    }
  })

  it('mutated selectors, query strings and targets: 2xx/4xx answers only, nothing escapes', async () => {
    let n = 0
    for (const seed of [0x5eed_0201, 0x5eed_0202]) {
      await fc.assert(
        fc.asyncProperty(subscribeRequest, async (input) => {
          const param = (name: string, v: string) =>
            `${name}=${input.encode ? encodeURIComponent(v.replace(/[\uD800-\uDFFF]/g, '')) : asTarget(v)}`
          const query = [
            ...input.topics.map((t) => param('topic', t)),
            ...input.extra.map(([name, v]) => param(name, v)),
          ].join('&')
          const target = `${input.path}${asTarget(input.tail)}${query && `?${query}`}`
          const res = await rawRequest(embedded.origin, target, {
            method: input.method,
            headers: {
              ...(input.lastEventId !== undefined && {
                'last-event-id': printable(input.lastEventId),
              }),
              ...authHeaders(input.auth),
            },
          })
          checkAnswer({ target, method: input.method }, res, input.method)
          if (++n % 25 === 0) await sendCanary()
        }),
        { seed, numRuns: 250 },
      )
    }
  })

  it('ends with the hub healthy: no error reported, staying subscribers got every update in order', async () => {
    await sendCanary()
    const last = canaryIds.at(-1)
    await until(
      () => everything.events.some((e) => e.lastEventId === last),
      'the last canary on `*`',
    )
    await canary.waitForEvents(canaryIds.length)
    expect(canary.events.map((e) => e.lastEventId)).toEqual(canaryIds)
    const seen = everything.events.map((e) => e.lastEventId).filter((id) => canaryIds.includes(id))
    expect(seen).toEqual(canaryIds)
    expect(reported).toEqual([])
    expect(embedded.failures).toEqual([])
    await until(() => embedded.hub.connections === 2, 'only the staying subscribers')
    expect((await rawRequest(embedded.origin, '/healthz')).status).toBe(200)
    // The runs reached every stage: accepted publishes and streams, refusals of each kind.
    for (const status of [200, 400, 401, 403, 404, 405, 415])
      expect([status, (statuses.get(status) ?? 0) > 0]).toEqual([status, true])
  })
})
