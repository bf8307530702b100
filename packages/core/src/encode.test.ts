import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { encodeEvent, encodeEventBytes } from './encode.js'
import { SprinklerError } from './errors.js'
import { createParser } from './parse.js'
import type { EventInput, SseEvent } from './types.js'

/** What a spec-exact client sees when it reads `text` as a whole stream. */
function read(text: string) {
  const seen = { events: [] as SseEvent[], retries: [] as number[], comments: [] as string[] }
  const parser = createParser({
    onEvent: (event) => seen.events.push(event),
    onRetry: (ms) => seen.retries.push(ms),
    onComment: (comment) => seen.comments.push(comment),
  })
  parser.feed(text)
  return { ...seen, lastEventId: parser.lastEventId }
}

/** Calls `fn`, expecting a SprinklerError with `code`. */
function expectCode(code: string, fn: () => unknown): void {
  let thrown: unknown
  try {
    fn()
  } catch (error) {
    thrown = error
  }
  expect(thrown).toBeInstanceOf(SprinklerError)
  expect((thrown as SprinklerError).code).toBe(code)
}

describe('encodeEvent', () => {
  it('writes the fields in a fixed order: comment, event, id, retry, data, blank line', () => {
    const text = encodeEvent({ data: 'd', event: 'e', id: 'i', retry: 5, comment: 'c' })
    expect(text).toBe(': c\nevent: e\nid: i\nretry: 5\ndata: d\n\n')
  })

  it('a data-only event is one data line and a blank line', () => {
    expect(encodeEvent({ data: 'hello' })).toBe('data: hello\n\n')
  })

  it('spec: CRLF, CR and LF all end a line, so data is split on each into data lines', () => {
    expect(encodeEvent({ data: 'a\r\nb\rc\nd' })).toBe('data: a\ndata: b\ndata: c\ndata: d\n\n')
    expect(encodeEvent({ data: '\n' })).toBe('data: \ndata: \n\n')
    expect(encodeEvent({ data: '\r\r\n' })).toBe('data: \ndata: \ndata: \n\n')
    expect(read(encodeEvent({ data: 'a\r\nb\rc\nd\n' })).events[0]?.data).toBe('a\nb\nc\nd\n')
  })

  it('empty data is sent as one empty data line, which dispatches an event with empty data', () => {
    expect(encodeEvent({ data: '' })).toBe('data: \n\n')
    expect(read(encodeEvent({ data: '' })).events).toEqual([
      { type: 'message', data: '', lastEventId: '' },
    ])
  })

  it('a value starting with a space survives: one space is written after the colon', () => {
    const text = encodeEvent({ data: ' x', event: '  e', id: ' 1' })
    expect(read(text).events).toEqual([{ type: '  e', data: ' x', lastEventId: ' 1' }])
  })

  it('retry: 0 is kept', () => {
    expect(encodeEvent({ retry: 0 })).toBe('retry: 0\n\n')
    expect(read(encodeEvent({ retry: 0 })).retries).toEqual([0])
  })

  it("id: '' is emitted, and resets the client's last event ID", () => {
    expect(encodeEvent({ id: '', data: 'x' })).toBe('id: \ndata: x\n\n')
    const { events } = read(
      encodeEvent({ id: '7', data: 'a' }) + encodeEvent({ id: '', data: 'b' }),
    )
    expect(events.map((event) => event.lastEventId)).toEqual(['7', ''])
  })

  it('an id-only or retry-only frame dispatches no event but still takes effect', () => {
    const seen = read(encodeEvent({ id: '9' }) + encodeEvent({ retry: 100 }))
    expect(seen.events).toEqual([])
    expect(seen.lastEventId).toBe('9')
    expect(seen.retries).toEqual([100])
  })

  it('a comment-only frame is comment lines without a blank line', () => {
    expect(encodeEvent({ comment: 'ping' })).toBe(': ping\n')
    expect(encodeEvent({ comment: '' })).toBe(':\n')
    expect(encodeEvent({ comment: 'a\r\nb\n' })).toBe(': a\n: b\n:\n')
    // It can go between the lines of an event without ending it.
    const text = `data: 1\n${encodeEvent({ comment: 'keep-alive' })}data: 2\n\n`
    expect(read(text).events).toEqual([{ type: 'message', data: '1\n2', lastEventId: '' }])
  })

  it('a comment cannot inject fields or events', () => {
    const seen = read(encodeEvent({ comment: 'x\n\ndata: evil\n\nid: 6\r\rretry: 1\n' }))
    expect(seen.events).toEqual([])
    expect(seen.retries).toEqual([])
    expect(seen.lastEventId).toBe('')
    expect(seen.comments).toEqual(['x', '', 'data: evil', '', 'id: 6', '', 'retry: 1', ''])
  })

  it('CR or LF in event throws ERR_SSE_INVALID_FIELD', () => {
    for (const event of ['a\nb', 'a\rb', 'a\r\nb', '\n', 'x\r']) {
      expectCode('ERR_SSE_INVALID_FIELD', () => encodeEvent({ event, data: 'x' }))
    }
  })

  it('CR or LF in id throws ERR_SSE_INVALID_FIELD', () => {
    for (const id of ['1\n2', '1\r2', '1\r\n', '\n']) {
      expectCode('ERR_SSE_INVALID_FIELD', () => encodeEvent({ id, data: 'x' }))
    }
  })

  it('spec: an id with NUL would be ignored by clients, so it throws ERR_SSE_INVALID_FIELD', () => {
    expectCode('ERR_SSE_INVALID_FIELD', () => encodeEvent({ id: 'a\0b', data: 'x' }))
  })

  it('NUL is allowed in event and data', () => {
    expect(read(encodeEvent({ event: 'a\0', data: '\0' })).events).toEqual([
      { type: 'a\0', data: '\0', lastEventId: '' },
    ])
  })

  it('retry must be a non-negative integer, else ERR_SSE_INVALID_FIELD', () => {
    for (const retry of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53, -0.5]) {
      expectCode('ERR_SSE_INVALID_FIELD', () => encodeEvent({ retry }))
    }
    const notANumber = '100' as unknown as number
    expectCode('ERR_SSE_INVALID_FIELD', () => encodeEvent({ retry: notANumber }))
  })

  it('non-string fields throw ERR_SSE_INVALID_FIELD rather than being stringified', () => {
    const fields = { data: 1, event: {}, id: 2 } as Record<string, unknown>
    for (const [name, value] of Object.entries(fields)) {
      expectCode('ERR_SSE_INVALID_FIELD', () => encodeEvent({ [name]: value } as EventInput))
    }
  })

  it('an event with no field at all throws ERR_SSE_EMPTY_EVENT', () => {
    expectCode('ERR_SSE_EMPTY_EVENT', () => encodeEvent({}))
    expectCode('ERR_SSE_EMPTY_EVENT', () => encodeEvent({ data: undefined, id: undefined }))
  })

  it('the error message names the field and the reason', () => {
    expect(() => encodeEvent({ event: 'a\nb' })).toThrow(/`event`.*CR or LF/)
  })
})

describe('encodeEventBytes', () => {
  it('is the UTF-8 encoding of encodeEvent', () => {
    const inputs: EventInput[] = [
      { data: 'héllo 😀 中文\u{10FFFF}', event: 'ünïcode', id: '€1', retry: 3, comment: '✓' },
      { data: 'a\r\nb' },
      { comment: 'x' },
    ]
    for (const input of inputs) {
      const bytes = encodeEventBytes(input)
      expect(bytes).toBeInstanceOf(Uint8Array)
      expect([...bytes]).toEqual([...new TextEncoder().encode(encodeEvent(input))])
      expect(new TextDecoder().decode(bytes)).toBe(encodeEvent(input))
    }
  })

  it('throws the same errors as encodeEvent', () => {
    expectCode('ERR_SSE_INVALID_FIELD', () => encodeEventBytes({ event: '\r' }))
    expectCode('ERR_SSE_EMPTY_EVENT', () => encodeEventBytes({}))
  })
})

describe('injection: an attacker-controlled event or id can never start a new field or event', () => {
  // Pieces an attacker would try, mixed with arbitrary text.
  const hostile = fc
    .array(
      fc.oneof(
        fc.constantFrom(
          '\r',
          '\n',
          '\r\n',
          '\0',
          '\r\n\r\ndata: evil',
          '\n\nevent: admin\ndata: evil\n\n',
          '\rid: 666\r\r',
          '\nretry: 1\n',
          ':',
          ': ',
          'data: ',
          '\u2028',
          '\u0085',
          '\uFEFF',
        ),
        fc.string({ unit: 'binary', maxLength: 8 }),
      ),
      { maxLength: 6 },
    )
    .map((pieces) => pieces.join(''))

  // Half the time plain text, which is mostly accepted, so both outcomes get exercised.
  const field = fc.oneof(hostile, fc.string({ unit: 'binary', maxLength: 12 }))
  const crOrLf = /[\r\n]/

  it('encodeEvent throws ERR_SSE_INVALID_FIELD exactly when event or id could inject', () => {
    fc.assert(
      fc.property(fc.option(field), fc.option(field), (event, id) => {
        const input: EventInput = { data: 'payload' }
        if (event !== null) input.event = event
        if (id !== null) input.id = id
        const unsafe =
          (event !== null && crOrLf.test(event)) ||
          (id !== null && (crOrLf.test(id) || id.includes('\0')))
        let text: string
        try {
          text = encodeEvent(input)
        } catch (error) {
          expect(error).toBeInstanceOf(SprinklerError)
          expect((error as SprinklerError).code).toBe('ERR_SSE_INVALID_FIELD')
          expect(unsafe).toBe(true)
          return
        }
        expect(unsafe).toBe(false)
        // Accepted: the output is exactly one event carrying exactly those fields.
        const seen = read(text)
        expect(seen.events).toEqual([
          {
            type: event === null || event === '' ? 'message' : event,
            data: 'payload',
            lastEventId: id ?? '',
          },
        ])
        expect(seen.retries).toEqual([])
        expect(seen.comments).toEqual([])
        expect(seen.lastEventId).toBe(id ?? '')
      }),
      { seed: 42, numRuns: 500 },
    )
  })

  it('hostile data stays data: one event, with CRLF and CR read back as LF', () => {
    fc.assert(
      fc.property(hostile, (data) => {
        const seen = read(encodeEvent({ data, event: 'safe', id: '1' }))
        expect(seen.events).toEqual([
          { type: 'safe', data: data.replace(/\r\n?/g, '\n'), lastEventId: '1' },
        ])
        expect(seen.retries).toEqual([])
        expect(seen.comments).toEqual([])
      }),
      { seed: 42, numRuns: 300 },
    )
  })

  it('the classic payloads are refused', () => {
    for (const payload of ['x\r\n\r\ndata: evil', 'x\n\nevent: admin', 'x\rid: 1', 'x\nretry: 0']) {
      expectCode('ERR_SSE_INVALID_FIELD', () => encodeEvent({ event: payload, data: 'a' }))
      expectCode('ERR_SSE_INVALID_FIELD', () => encodeEvent({ id: payload, data: 'a' }))
    }
  })
})
