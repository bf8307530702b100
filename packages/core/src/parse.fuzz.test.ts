// A fuzzer for the parser (issue 10): mutated event streams (random bytes, CR/LF/NUL/BOM
// insertions, invalid UTF-8, lines longer than maxLineLength) cut into random chunks, fed to
// `createParser` and to `EventStreamParser`. Bounded runs with fixed seeds, so a failure
// replays. What must hold for every input:
// - no exception escapes `feed` (with `onError` set) and the stream never errors;
// - `onError` fires only for the parser's own limit, once per line longer than maxLineLength;
// - the result is the same whatever the chunking, and the same as a line-at-a-time model of
//   the spec written out below.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { SprinklerError } from './errors.js'
import { createParser } from './parse.js'
import { EventStreamParser } from './stream.js'
import type { SseEvent } from './types.js'

interface Parsed {
  events: SseEvent[]
  retries: number[]
  comments: string[]
  /** Codes of the errors reported through onError. */
  errors: string[]
  lastEventId: string
}

/**
 * The spec's interpretation, one whole line at a time, as plainly as it reads: lines end at
 * CRLF, LF or CR; the unfinished last line is discarded. A line over `maxLineLength` is
 * dropped and reported (the parser's own limit, not the spec's).
 * @see https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation
 */
function specModel(text: string, maxLineLength: number): Parsed {
  const out: Parsed = { events: [], retries: [], comments: [], errors: [], lastEventId: '' }
  const lines = text.split(/\r\n|\r|\n/)
  const unfinished = lines.pop() as string
  let data = ''
  let type = ''
  let id = ''
  for (const line of lines) {
    if (line.length > maxLineLength) {
      out.errors.push('ERR_SSE_LINE_TOO_LONG')
      continue
    }
    if (line === '') {
      out.lastEventId = id
      if (data === '') {
        type = ''
        continue
      }
      out.events.push({ type: type || 'message', data: data.slice(0, -1), lastEventId: id })
      data = ''
      type = ''
      continue
    }
    if (line.startsWith(':')) {
      out.comments.push(line.slice(1).replace(/^ /, ''))
      continue
    }
    const colon = line.indexOf(':')
    const field = colon === -1 ? line : line.slice(0, colon)
    const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '')
    if (field === 'data') data += `${value}\n`
    else if (field === 'event') type = value
    else if (field === 'id' && !value.includes('\0')) id = value
    else if (field === 'retry' && /^[0-9]+$/.test(value)) out.retries.push(Number(value))
  }
  if (unfinished.length > maxLineLength) out.errors.push('ERR_SSE_LINE_TOO_LONG')
  return out
}

function parseChunks(chunks: readonly string[], maxLineLength: number): Parsed {
  const out: Parsed = { events: [], retries: [], comments: [], errors: [], lastEventId: '' }
  const parser = createParser({
    onEvent: (event) => out.events.push(event),
    onRetry: (ms) => out.retries.push(ms),
    onComment: (comment) => out.comments.push(comment),
    onError: (error) => out.errors.push(error.code),
    maxLineLength,
  })
  for (const chunk of chunks) parser.feed(chunk)
  out.lastEventId = parser.lastEventId
  return out
}

/** `whole` cut at the given points (any order, duplicates allowed). */
function cut<T extends string | Uint8Array>(whole: T, points: readonly number[]): T[] {
  const at = [...new Set(points.map((p) => p % (whole.length + 1)))].sort((a, b) => a - b)
  const pieces: T[] = []
  let start = 0
  for (const end of [...at, whole.length]) {
    pieces.push(whole.slice(start, end) as T)
    start = end
  }
  return pieces
}

// The raw material: what an event stream is made of, and what breaks one.
const token = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('data', 'data:', 'data: ', 'event: ', 'id: ', 'id:') },
  { weight: 2, arbitrary: fc.constantFrom('retry: ', 'retry:', ':', ': ping', 'x-unknown: ') },
  { weight: 6, arbitrary: fc.constantFrom('\n', '\r', '\r\n', '\n\n', '\r\r', '\r\n\r\n') },
  { weight: 2, arbitrary: fc.constantFrom('\0', '\uFEFF', '\u2028', ':', ' ', 'é', '😀') },
  { weight: 5, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 2, arbitrary: fc.stringMatching(/^[0-9]{1,25}$/) },
  // A long line, for maxLineLength.
  { weight: 1, arbitrary: fc.nat({ max: 3000 }).map((n) => `data: ${'x'.repeat(n)}`) },
)
const streamText = fc.array(token, { maxLength: 60 }).map((tokens) => tokens.join(''))
const splitPoints = fc.array(fc.nat({ max: 40_000 }), { maxLength: 30 })
const lineLimit = fc.oneof(fc.constant(16 * 1024 * 1024), fc.integer({ min: 1, max: 2048 }))

/** Bytes that are not always UTF-8: random bytes, cut characters, overlongs, lone BOMs. */
const mutation = fc.oneof(
  fc.uint8Array({ maxLength: 8 }),
  fc
    .constantFrom(
      [0xff],
      [0xc0, 0x80],
      [0x80],
      [0xe2, 0x82],
      [0xf0, 0x9f, 0x98],
      [0xed, 0xa0, 0x80],
      [0xef, 0xbb, 0xbf],
      [0x00],
      [0x0d],
      [0x0a],
      [0x0d, 0x0a],
    )
    .map((bytes) => Uint8Array.from(bytes)),
)
const streamBytes = fc
  .tuple(
    streamText.map((text) => new TextEncoder().encode(text)),
    fc.array(fc.tuple(fc.nat(), mutation), { maxLength: 8 }),
    fc.boolean(),
  )
  .map(([bytes, inserts, bom]) => {
    let out = bytes
    for (const [at, insert] of inserts) {
      const i = at % (out.length + 1)
      out = Uint8Array.from([...out.subarray(0, i), ...insert, ...out.subarray(i)])
    }
    return bom ? Uint8Array.from([0xef, 0xbb, 0xbf, ...out]) : out
  })

async function parseByteChunks(
  chunks: readonly Uint8Array[],
  maxLineLength: number,
): Promise<Parsed> {
  const out: Parsed = { events: [], retries: [], comments: [], errors: [], lastEventId: '' }
  const parser = new EventStreamParser({
    onRetry: (ms) => out.retries.push(ms),
    onComment: (comment) => out.comments.push(comment),
    onError: (error: SprinklerError) => out.errors.push(error.code),
    maxLineLength,
  })
  const source = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk)
      controller.close()
    },
  })
  const reader = source.pipeThrough(parser).getReader()
  for (let read = await reader.read(); !read.done; read = await reader.read()) {
    out.events.push(read.value)
  }
  out.lastEventId = out.events.at(-1)?.lastEventId ?? ''
  return out
}

describe('parser fuzzer (fixed seeds, bounded runs)', () => {
  it('createParser: the spec model’s result, whatever the chunking; onError only for long lines', () => {
    fc.assert(
      fc.property(streamText, splitPoints, lineLimit, (text, points, max) => {
        const expected = specModel(text, max)
        expect(parseChunks([text], max)).toEqual(expected)
        expect(parseChunks(cut(text, points), max)).toEqual(expected)
      }),
      { seed: 0x5eed_0010, numRuns: 400 },
    )
  })

  it('createParser: one character per feed gives the same result', () => {
    fc.assert(
      fc.property(streamText, lineLimit, (text, max) => {
        expect(parseChunks([...text], max)).toEqual(specModel(text, max))
      }),
      { seed: 0x5eed_0011, numRuns: 200 },
    )
  })

  it('EventStreamParser: mutated bytes in random chunks never error the stream; same result as the whole', async () => {
    await fc.assert(
      fc.asyncProperty(streamBytes, splitPoints, lineLimit, async (bytes, points, max) => {
        // The whole body decoded at once (one BOM stripped, invalid bytes → U+FFFD), then
        // parsed by the spec model: what any chunking of the bytes must give.
        const text = new TextDecoder().decode(bytes)
        const expected = specModel(text, max)
        const whole = await parseByteChunks([bytes], max)
        const chunked = await parseByteChunks(cut(bytes, points), max)
        expect(whole.events).toEqual(expected.events)
        expect(chunked).toEqual(whole)
        expect(whole.errors).toEqual(expected.errors)
      }),
      { seed: 0x5eed_0012, numRuns: 150 },
    )
  })

  it('without onError, feed throws only the parser’s own limit error, and only for long lines', () => {
    fc.assert(
      fc.property(streamText, splitPoints, lineLimit, (text, points, max) => {
        const parser = createParser({ onEvent: () => {}, maxLineLength: max })
        const thrown: unknown[] = []
        for (const chunk of cut(text, points)) {
          try {
            parser.feed(chunk)
          } catch (error) {
            thrown.push(error)
          }
        }
        const limited = specModel(text, max).errors.length > 0
        for (const error of thrown) {
          expect(error).toMatchObject({ name: 'SprinklerError', code: 'ERR_SSE_LINE_TOO_LONG' })
        }
        if (!limited) expect(thrown).toEqual([])
      }),
      { seed: 0x5eed_0013, numRuns: 300 },
    )
  })
})
