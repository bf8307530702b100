// Every factory checks its options before it serves anything: a wrong type or range throws
// SprinklerError ERR_SSE_INVALID_OPTION naming the option and what it allows (finding 12:
// `maxBufferBytes: NaN` used to remove the per-client bound without a word).
import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { createChannel } from './channel.js'
import { SseEndpoint } from './endpoint.js'
import { sse as expressSse } from './express/index.js'
import { History } from './history.js'
import { sse as honoSse } from './hono/index.js'
import { createSseHandler as nodeHandler } from './node/index.js'
import { Refusal, refuse, type SseOptions } from './types.js'
import { createSseHandler as webHandler } from './web/index.js'

const invalid = (message: string) =>
  expect.objectContaining({
    name: 'SprinklerError',
    code: 'ERR_SSE_INVALID_OPTION',
    message: expect.stringContaining(message),
  })

/** Options shared by every adapter, and what each wrong value is told. */
const wrongEndpointOptions: [SseOptions, string][] = [
  [{ maxBufferBytes: Number.NaN }, 'maxBufferBytes must be an integer >= 1, not NaN'],
  [{ maxBufferBytes: Infinity }, 'maxBufferBytes must be an integer >= 1, not Infinity'],
  [{ maxBufferBytes: 0 }, 'maxBufferBytes must be an integer >= 1, not 0'],
  [{ maxBufferBytes: 1.5 }, 'maxBufferBytes must be an integer >= 1, not 1.5'],
  [{ heartbeatMs: -1 }, 'heartbeatMs must be an integer >= 0 and <= 2147483647, not -1'],
  // A heartbeat interval over 2³¹−1 ms would beat every millisecond.
  [{ heartbeatMs: 2 ** 31 }, 'heartbeatMs must be an integer >= 0 and <= 2147483647'],
  [{ retryMs: 1.5 }, 'retryMs must be an integer >= 0, not 1.5'],
  [{ maxLastEventIdLength: -1 }, 'maxLastEventIdLength must be an integer >= 0, not -1'],
  [{ lastEventIdParam: 1 as unknown as string }, 'lastEventIdParam must be of type string, not 1'],
  [
    { authorize: 'yes' as unknown as SseOptions['authorize'] },
    'authorize must be of type function',
  ],
  [
    { responseHeaders: {} as unknown as SseOptions['responseHeaders'] },
    'responseHeaders must be of type function, not object',
  ],
]

const factories: [string, (options: SseOptions) => unknown][] = [
  ['SseEndpoint', (options) => new SseEndpoint(options)],
  ['node createSseHandler', (options) => nodeHandler(options)],
  ['web createSseHandler', (options) => webHandler(options)],
  ['express sse', (options) => expressSse(options)],
  ['hono sse', (options) => new Hono().get('/events', honoSse(options))],
]

describe('endpoint options, in every adapter factory', () => {
  for (const [factory, make] of factories) {
    it.each(wrongEndpointOptions)(`${factory} refuses %o: %s`, (options, message) => {
      expect(() => make(options)).toThrow(invalid(`SseEndpoint: ${message}`))
    })
  }

  it('accepts every option at its bounds', () => {
    expect(
      () =>
        new SseEndpoint({
          maxBufferBytes: 1,
          heartbeatMs: 0,
          retryMs: 0,
          maxLastEventIdLength: 0,
          lastEventIdParam: 'lastEventId',
          authorize: () => ({}),
          responseHeaders: () => ({}),
        }),
    ).not.toThrow()
    expect(() => new SseEndpoint({ heartbeatMs: 2 ** 31 - 1 })).not.toThrow()
  })

  it('close() checks its options before it closes anything', async () => {
    const endpoint = new SseEndpoint()
    await expect(endpoint.close({ timeoutMs: Number.NaN })).rejects.toMatchObject(
      invalid('close: timeoutMs must be an integer >= 0 and <= 2147483647, not NaN'),
    )
    // Still open: a valid close works.
    await endpoint.close({ timeoutMs: 0 })
  })
})

describe('channel and history options', () => {
  it.each([
    [
      { coalesceMs: -1 },
      'createChannel: coalesceMs must be an integer >= 0 and <= 2147483647, not -1',
    ],
    [{ coalesceMs: Number.NaN }, 'createChannel: coalesceMs must be an integer >= 0'],
    [
      { onUnknownLastEventId: 'all' },
      'onUnknownLastEventId must be one of ["gap","replay-all"], not "all"',
    ],
    [{ history: 100 }, 'createChannel: history must be of type object, not 100'],
    [{ history: { maxEvents: Number.NaN } }, 'history: maxEvents must be an integer >= 0, not NaN'],
    [{ history: { maxEvents: 2.5 } }, 'history: maxEvents must be an integer >= 0, not 2.5'],
    [
      { history: { maxAgeMs: -5 } },
      'history: maxAgeMs must be a finite number >= 0 or Infinity, not -5',
    ],
  ])('createChannel(%o) throws: %s', (options, message) => {
    expect(() => createChannel(options as never)).toThrow(invalid(message))
  })

  it('a history without an age limit takes Infinity', () => {
    expect(() => new History({ maxEvents: 0, maxAgeMs: Infinity })).not.toThrow()
  })
})

describe('refuse()', () => {
  it.each([
    [200, 'refuse: status must be an integer >= 201 and <= 599, not 200'],
    [101, 'refuse: status must be an integer >= 201 and <= 599, not 101'],
    [600, 'refuse: status must be an integer >= 201 and <= 599, not 600'],
    [Number.NaN, 'refuse: status must be an integer >= 201 and <= 599, not NaN'],
  ])('refuse(%s) throws: %s', (status, message) => {
    expect(() => refuse(status, 'no')).toThrow(invalid(message))
  })

  it('checks the reason, code and headers too, also for new Refusal()', () => {
    expect(() => refuse(403, undefined as unknown as string)).toThrow(
      invalid('refuse: reason must be of type string, not undefined'),
    )
    expect(() => refuse(429, 'slow down', { code: 42 as unknown as string })).toThrow(
      invalid('refuse: code must be of type string, not 42'),
    )
    expect(() => new Refusal(403, 'no', undefined, 'x' as never)).toThrow(
      invalid('refuse: headers must be of type object, not "x"'),
    )
    expect(refuse(204, 'over')).toBeInstanceOf(Refusal)
  })
})
