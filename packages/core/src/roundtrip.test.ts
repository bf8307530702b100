import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createUtf8Decoder } from './decode.js'
import { encodeEvent, encodeEventBytes } from './encode.js'
import { createParser } from './parse.js'
import type { EventInput, SseEvent } from './types.js'

// Properties that tie the encoder, the decoder and the parser together. Seeds are fixed so a
// failure reproduces; run counts keep the whole file to well under a second.

/** Arbitrary well-formed Unicode text, rich in line breaks and NUL. */
const text = fc
  .array(
    fc.oneof(
      { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 10 }) },
      { weight: 2, arbitrary: fc.constantFrom('\r', '\n', '\r\n', '\0', ' ', ':', 'é', '😀') },
    ),
    { maxLength: 12 },
  )
  .map((pieces) => pieces.join(''))

const singleLine = text.map((value) => value.replace(/[\r\n]/g, ''))

const eventInput: fc.Arbitrary<EventInput> = fc.record(
  {
    data: text,
    event: singleLine,
    id: singleLine.map((value) => value.replace(/\0/g, '')),
    retry: fc.nat(),
    comment: text,
  },
  { requiredKeys: ['data'] },
)

/** What a spec-exact client should see for `inputs`, computed from the contract alone. */
function expected(inputs: EventInput[]) {
  let lastEventId = ''
  const events: SseEvent[] = []
  const retries: number[] = []
  const comments: string[] = []
  for (const input of inputs) {
    if (input.comment !== undefined) comments.push(...input.comment.split(/\r\n|\r|\n/))
    if (input.id !== undefined) lastEventId = input.id
    if (input.retry !== undefined) retries.push(input.retry)
    events.push({
      type: input.event ? input.event : 'message',
      data: (input.data ?? '').replace(/\r\n?/g, '\n'),
      lastEventId,
    })
  }
  return { events, retries, comments }
}

/** Decodes and parses `chunks` of bytes as one stream. */
function readBytes(chunks: Uint8Array[]) {
  const seen = { events: [] as SseEvent[], retries: [] as number[], comments: [] as string[] }
  const parser = createParser({
    onEvent: (event) => seen.events.push(event),
    onRetry: (ms) => seen.retries.push(ms),
    onComment: (comment) => seen.comments.push(comment),
  })
  const decoder = createUtf8Decoder()
  for (const chunk of chunks) parser.feed(decoder.decode(chunk))
  parser.feed(decoder.flush())
  return seen
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0))
  let offset = 0
  for (const part of parts) {
    out.set(part, offset)
    offset += part.length
  }
  return out
}

/** Cuts `bytes` at the given offsets (in any order, duplicates allowed). */
function splitAt(bytes: Uint8Array, offsets: number[]): Uint8Array[] {
  const cuts = [...new Set(offsets)].sort((a, b) => a - b)
  const pieces: Uint8Array[] = []
  let start = 0
  for (const cut of cuts) {
    pieces.push(bytes.subarray(start, cut))
    start = cut
  }
  pieces.push(bytes.subarray(start))
  return pieces
}

describe('parse(encode(x)) = x', () => {
  it('every field survives a round trip, with CRLF and CR in data read back as LF', () => {
    fc.assert(
      fc.property(fc.array(eventInput, { minLength: 1, maxLength: 5 }), (inputs) => {
        const seen = { events: [] as SseEvent[], retries: [] as number[], comments: [] as string[] }
        const parser = createParser({
          onEvent: (event) => seen.events.push(event),
          onRetry: (ms) => seen.retries.push(ms),
          onComment: (comment) => seen.comments.push(comment),
        })
        parser.feed(inputs.map(encodeEvent).join(''))
        expect(seen).toEqual(expected(inputs))
      }),
      { seed: 42, numRuns: 400 },
    )
  })

  it('the same holds through encodeEventBytes and the UTF-8 decoder', () => {
    fc.assert(
      fc.property(fc.array(eventInput, { minLength: 1, maxLength: 5 }), (inputs) => {
        expect(readBytes(inputs.map(encodeEventBytes))).toEqual(expected(inputs))
      }),
      { seed: 42, numRuns: 200 },
    )
  })
})

describe('chunk boundaries never change the events', () => {
  // A stream with every kind of line ending, a BOM, comments, multi-byte characters of every
  // length and events built by the encoder.
  const stream = concat([
    Uint8Array.of(0xef, 0xbb, 0xbf),
    new TextEncoder().encode(': hello\r\nretry: 1500\rid: é1\r\nevent: ünï\ndata: 2€\r\r'),
    new TextEncoder().encode('data: one\r\ndata\ndata: 中文\r\n\n:\rdata: \u{1F600}x\r\n\r\n'),
    encodeEventBytes({ data: 'a\r\nb\rc😀', event: 'ключ', id: '𝒾𝒹', retry: 0, comment: 'c' }),
    encodeEventBytes({ data: '\0é\0', id: '' }),
    encodeEventBytes({ comment: 'tail' }),
    new TextEncoder().encode('data: unfinished'),
  ])
  const whole = readBytes([stream])

  it('the reference stream parses as intended', () => {
    expect(whole.events).toEqual([
      { type: 'ünï', data: '2€', lastEventId: 'é1' },
      { type: 'message', data: 'one\n\n中文', lastEventId: 'é1' },
      { type: 'message', data: '\u{1F600}x', lastEventId: 'é1' },
      { type: 'ключ', data: 'a\nb\nc😀', lastEventId: '𝒾𝒹' },
      { type: 'message', data: '\0é\0', lastEventId: '' },
    ])
    expect(whole.retries).toEqual([1500, 0])
    expect(whole.comments).toEqual(['hello', '', 'c', 'tail'])
  })

  it('split in two at every byte boundary', () => {
    for (let cut = 0; cut <= stream.length; cut++) {
      expect(readBytes(splitAt(stream, [cut])), `cut at byte ${cut}`).toEqual(whole)
    }
  })

  it('split into pieces of every size', () => {
    for (let size = 1; size <= stream.length; size++) {
      const cuts: number[] = []
      for (let offset = size; offset < stream.length; offset += size) cuts.push(offset)
      expect(readBytes(splitAt(stream, cuts)), `pieces of ${size} bytes`).toEqual(whole)
    }
  })

  it('split at random sets of boundaries', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: stream.length }), { maxLength: 40 }),
        (cuts) => {
          expect(readBytes(splitAt(stream, cuts))).toEqual(whole)
        },
      ),
      { seed: 42, numRuns: 300 },
    )
  })

  it('random events, encoded, split at random boundaries', () => {
    fc.assert(
      fc.property(
        fc.array(eventInput, { minLength: 1, maxLength: 4 }),
        fc.array(fc.nat(), { maxLength: 20 }),
        (inputs, rawCuts) => {
          const bytes = concat(inputs.map(encodeEventBytes))
          const cuts = rawCuts.map((cut) => cut % (bytes.length + 1))
          expect(readBytes(splitAt(bytes, cuts))).toEqual(expected(inputs))
        },
      ),
      { seed: 42, numRuns: 200 },
    )
  })
})
