import { describe, expect, it } from 'vitest'
import { createUtf8Decoder } from './decode.js'
import { createParser } from './parse.js'
import type { SseEvent } from './types.js'

// Spec: "Streams must be decoded using the UTF-8 decode algorithm", which strips one leading
// BOM and replaces invalid bytes with U+FFFD.
// https://html.spec.whatwg.org/multipage/server-sent-events.html#parsing-an-event-stream

const BOM = [0xef, 0xbb, 0xbf]
const utf8 = (text: string) => [...new TextEncoder().encode(text)]

/** Decodes `chunks` (arrays of byte values) with one decoder, flushing at the end. */
function decode(...chunks: number[][]): string {
  const decoder = createUtf8Decoder()
  let text = ''
  for (const chunk of chunks) text += decoder.decode(Uint8Array.from(chunk))
  return text + decoder.flush()
}

/** Decodes and parses `chunks` of bytes, returning the dispatched events. */
function decodeAndParse(...chunks: number[][]): SseEvent[] {
  const events: SseEvent[] = []
  const parser = createParser({ onEvent: (event) => events.push(event) })
  const decoder = createUtf8Decoder()
  for (const chunk of chunks) parser.feed(decoder.decode(Uint8Array.from(chunk)))
  parser.feed(decoder.flush())
  return events
}

describe('byte order mark', () => {
  it('spec: one leading BOM is stripped', () => {
    expect(decode([...BOM, ...utf8('data: a\n\n')])).toBe('data: a\n\n')
    expect(decodeAndParse([...BOM, ...utf8('data: a\n\n')])).toEqual([
      { type: 'message', data: 'a', lastEventId: '' },
    ])
  })

  it('spec: a leading BOM split across chunks is stripped', () => {
    expect(decode([0xef], [0xbb], [0xbf, ...utf8('data: a')])).toBe('data: a')
    expect(decode([0xef, 0xbb], [], [0xbf], utf8('x'))).toBe('x')
  })

  it('spec: only one BOM is stripped; a second one is kept as U+FEFF', () => {
    expect(decode([...BOM, ...BOM, ...utf8('a')])).toBe('\uFEFFa')
    // Kept, it becomes part of the first field name, so the line is an unknown field.
    expect(decodeAndParse([...BOM, ...BOM, ...utf8('data: a\n\ndata: b\n\n')])).toEqual([
      { type: 'message', data: 'b', lastEventId: '' },
    ])
  })

  it('spec: a BOM anywhere but the start of the stream is data', () => {
    expect(decode(utf8('data: '), BOM, utf8('x'))).toBe('data: \uFEFFx')
    expect(decode(utf8('data: a\n\n'), [...BOM, ...utf8('data: b\n\n')])).toBe(
      'data: a\n\n\uFEFFdata: b\n\n',
    )
    expect(decodeAndParse([...BOM, ...utf8('data: '), ...BOM, ...utf8('x\n\n')])).toEqual([
      { type: 'message', data: '\uFEFFx', lastEventId: '' },
    ])
  })

  it('spec: the start of a BOM followed by something else is an invalid sequence, not a BOM', () => {
    expect(decode([0xef, 0xbb], utf8('A'))).toBe('\uFFFDA')
  })

  it('flush() ends the stream, so the next stream may start with a BOM of its own', () => {
    const decoder = createUtf8Decoder()
    expect(decoder.decode(Uint8Array.from([...BOM, 0x61]))).toBe('a')
    expect(decoder.flush()).toBe('')
    expect(decoder.decode(Uint8Array.from([...BOM, 0x62]))).toBe('b')
  })
})

describe('invalid bytes', () => {
  it('spec: invalid bytes become U+FFFD REPLACEMENT CHARACTER', () => {
    expect(decode([0x61, 0xff, 0x62])).toBe('a\uFFFDb')
    expect(decode([0x80])).toBe('\uFFFD') // a lone continuation byte
    expect(decode([0xc0, 0x80])).toBe('\uFFFD\uFFFD') // an overlong NUL
    expect(decode([0xed, 0xa0, 0x80])).toBe('\uFFFD\uFFFD\uFFFD') // an encoded surrogate
    expect(decode([0xf4, 0x90, 0x80, 0x80])).toBe('\uFFFD\uFFFD\uFFFD\uFFFD') // past U+10FFFF
  })

  it('spec: a character cut off by the end of the stream becomes U+FFFD', () => {
    expect(decode(utf8('a'), [0xf0, 0x9f, 0x98])).toBe('a\uFFFD')
  })

  it('invalid bytes in a field value reach the event as U+FFFD', () => {
    expect(decodeAndParse([...utf8('data: a'), 0xfe, ...utf8('b\n\n')])).toEqual([
      { type: 'message', data: 'a\uFFFDb', lastEventId: '' },
    ])
  })
})

describe('characters split across chunks', () => {
  const text = 'a é € 😀 中文 \u{10FFFF} z'
  const bytes = utf8(text)

  it('a multi-byte character split at any byte is kept whole', () => {
    for (let split = 0; split <= bytes.length; split++) {
      expect(decode(bytes.slice(0, split), bytes.slice(split)), `split at ${split}`).toBe(text)
    }
  })

  it('a multi-byte character fed one byte at a time is kept whole', () => {
    expect(decode(...bytes.map((byte) => [byte]))).toBe(text)
  })

  it('decode() never returns half a surrogate pair', () => {
    const decoder = createUtf8Decoder()
    for (const byte of utf8('😀😀')) {
      const piece = decoder.decode(Uint8Array.of(byte))
      expect(piece === '' || piece === '😀').toBe(true)
    }
  })
})
