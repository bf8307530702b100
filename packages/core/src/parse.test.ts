import { describe, expect, it } from 'vitest'
import type { SprinklerError } from './errors.js'
import { createParser, type ParserOptions } from './parse.js'
import type { SseEvent } from './types.js'

// Spec: https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation
// Each test is named after the rule it checks, quoted or paraphrased from that section.

interface Recorded {
  events: SseEvent[]
  comments: string[]
  retries: number[]
  errors: SprinklerError[]
  lastEventId: () => string
}

/** Feeds `chunks` in order to a fresh parser and records every callback. */
function parse(chunks: string | string[], options: Partial<ParserOptions> = {}): Recorded {
  const out: Recorded = { events: [], comments: [], retries: [], errors: [], lastEventId: () => '' }
  const parser = createParser({
    onEvent: (event) => out.events.push(event),
    onComment: (comment) => out.comments.push(comment),
    onRetry: (ms) => out.retries.push(ms),
    onError: (error) => out.errors.push(error),
    ...options,
  })
  for (const chunk of typeof chunks === 'string' ? [chunks] : chunks) parser.feed(chunk)
  out.lastEventId = () => parser.lastEventId
  return out
}

const message = (data: string, lastEventId = '', type = 'message'): SseEvent => ({
  type,
  data,
  lastEventId,
})

/** Splits `text` into pieces of `size` code units. */
function chunksOf(text: string, size: number): string[] {
  const out: string[] = []
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size))
  return out
}

describe('line endings', () => {
  it('spec: a line ends with a single LF', () => {
    expect(parse('data: a\n\ndata: b\n\n').events).toEqual([message('a'), message('b')])
  })

  it('spec: a line ends with a single CR', () => {
    expect(parse('data: a\r\rdata: b\r\r').events).toEqual([message('a'), message('b')])
  })

  it('spec: a line ends with a CRLF pair, which is one line ending, not two', () => {
    expect(parse('data: a\r\ndata: b\r\n\r\n').events).toEqual([message('a\nb')])
  })

  it('spec: CR, LF and CRLF may be mixed in one stream', () => {
    expect(parse('data: a\rdata: b\ndata: c\r\n\ndata: d\n\r').events).toEqual([
      message('a\nb\nc'),
      message('d'),
    ])
  })

  it('spec: a CR at the end of one chunk and an LF at the start of the next are one line ending', () => {
    const { events } = parse(['data: a\r', '\ndata: b\r', '\n\r', '\n'])
    expect(events).toEqual([message('a\nb')])
  })

  it('spec: a CR at the end of one chunk followed by anything but LF is a line ending of its own', () => {
    expect(parse(['data: a\r', 'data: b\r', '\r']).events).toEqual([message('a\nb')])
    expect(parse(['data: a\r', '\r']).events).toEqual([message('a')])
  })

  it('spec: the CRLF pair still counts as one line ending when empty chunks come between CR and LF', () => {
    expect(parse(['data: a\r', '', '', '\n', 'data: b\n\n']).events).toEqual([message('a\nb')])
  })

  it('spec: an LF right after a CRLF is a blank line of its own', () => {
    expect(parse(['data: a\r\n', '\n']).events).toEqual([message('a')])
  })

  it('spec: a line may be split across any number of chunks', () => {
    const text = 'event: update\r\nid: 7\rdata: hello\ndata: world\r\n\r\n'
    for (let size = 1; size <= text.length; size++) {
      expect(parse(chunksOf(text, size)).events, `chunk size ${size}`).toEqual([
        message('hello\nworld', '7', 'update'),
      ])
    }
  })
})

describe('comments', () => {
  it('spec: a line starting with a colon is ignored (a comment)', () => {
    const { events, comments } = parse(': hello\n:world\n\n')
    expect(events).toEqual([])
    expect(comments).toEqual(['hello', 'world'])
  })

  it('comment text reaches onComment with exactly one leading space removed', () => {
    expect(parse(':  two spaces\n:\n: \n:x:y\n').comments).toEqual([' two spaces', '', '', 'x:y'])
  })

  it('spec: a comment line inside an event does not interrupt it', () => {
    expect(parse('data: a\n: keep-alive\ndata: b\n\n').events).toEqual([message('a\nb')])
  })

  it('comments are ignored when there is no onComment', () => {
    const events: SseEvent[] = []
    const parser = createParser({ onEvent: (event) => events.push(event) })
    parser.feed(': ping\ndata: a\n\n')
    expect(events).toEqual([message('a')])
  })
})

describe('fields', () => {
  it('spec: a line with no colon is a field name with the empty string as value', () => {
    // `data` alone appends an empty line to the data buffer, so an event with empty data fires.
    expect(parse('data\n\n').events).toEqual([message('')])
    expect(parse('data\ndata\ndata: x\n\n').events).toEqual([message('\n\nx')])
    expect(parse('event\ndata: a\n\n').events).toEqual([message('a')])
  })

  it('spec: the field name is everything before the first colon, the value everything after it', () => {
    expect(parse('data:a:b: c\n\n').events).toEqual([message('a:b: c')])
  })

  it('spec: if the value starts with a space, exactly one space is removed', () => {
    const { events } = parse('data:no space\n\ndata: one\n\ndata:  two\n\ndata:\tab\n\n')
    expect(events).toEqual([message('no space'), message('one'), message(' two'), message('\tab')])
  })

  it('spec: a value that is just one space is the empty string', () => {
    expect(parse('data: \n\n').events).toEqual([message('')])
    expect(parse('data:\n\n').events).toEqual([message('')])
  })

  it('spec: field names are compared literally, with no case folding or trimming', () => {
    const { events, errors } = parse('DATA: a\nData: b\n data: c\ndata : d\n\n')
    expect(events).toEqual([])
    expect(errors).toEqual([])
  })

  it('spec: unknown fields are ignored (and do not reach onError)', () => {
    const { events, errors } = parse('foo: bar\ndata: a\nretries: 3\nx\n:\n\n')
    expect(events).toEqual([message('a')])
    expect(errors).toEqual([])
  })
})

describe('data', () => {
  it('spec: each data line is appended to the data buffer followed by an LF', () => {
    expect(parse('data: a\ndata: b\ndata: c\n\n').events).toEqual([message('a\nb\nc')])
  })

  it('spec: the final LF of the data buffer is removed before dispatch', () => {
    expect(parse('data: a\n\n').events[0]?.data).toBe('a')
    expect(parse('data: a\ndata:\n\n').events[0]?.data).toBe('a\n')
  })

  it('spec: if the data buffer is empty at a blank line, no event is dispatched', () => {
    const { events } = parse('\n\n\nevent: ping\n\nid: 1\n\nretry: 5\n\n: c\n\n')
    expect(events).toEqual([])
  })

  it('data may contain NUL and any Unicode', () => {
    expect(parse('data: a\0b 😀 é\n\n').events).toEqual([message('a\0b 😀 é')])
  })
})

describe('event type', () => {
  it('spec: the event field sets the event type buffer, which names the dispatched event', () => {
    expect(parse('event: add\ndata: 1\n\n').events).toEqual([message('1', '', 'add')])
  })

  it('spec: the event type resets to "message" after each dispatch', () => {
    expect(parse('event: add\ndata: 1\n\ndata: 2\n\n').events).toEqual([
      message('1', '', 'add'),
      message('2'),
    ])
  })

  it('spec: the event type buffer is cleared even when a block dispatches nothing', () => {
    expect(parse('event: add\n\ndata: 2\n\n').events).toEqual([message('2')])
  })

  it('spec: an empty event field gives the type "message"', () => {
    expect(parse('event:\ndata: 1\n\n').events).toEqual([message('1')])
    expect(parse('event: add\nevent:\ndata: 1\n\n').events).toEqual([message('1')])
  })

  it('spec: the last event field of a block wins', () => {
    expect(parse('event: a\nevent: b\ndata: 1\n\n').events).toEqual([message('1', '', 'b')])
  })
})

describe('last event ID', () => {
  it('spec: the id field sets the last event ID buffer, copied to the event at dispatch', () => {
    expect(parse('id: 42\ndata: a\n\n').events).toEqual([message('a', '42')])
  })

  it('spec: an id field whose value contains NUL is ignored', () => {
    const { events } = parse('id: 1\n\nid: 2\0x\ndata: a\n\n')
    expect(events).toEqual([message('a', '1')])
  })

  it('spec: an empty id field resets the last event ID to the empty string', () => {
    const { events } = parse('id: 1\ndata: a\n\nid\ndata: b\n\nid: 2\ndata: c\n\nid:\ndata: d\n\n')
    expect(events.map((event) => event.lastEventId)).toEqual(['1', '', '2', ''])
  })

  it('spec: the last event ID buffer is not reset at dispatch, so it carries to later events', () => {
    const { events } = parse('id: 1\ndata: a\n\ndata: b\n\ndata: c\n\n')
    expect(events.map((event) => event.lastEventId)).toEqual(['1', '1', '1'])
  })

  it('spec: the last event ID string is set at every blank line, even when no event is dispatched', () => {
    const result = parse('id: 5\n\n')
    expect(result.events).toEqual([])
    expect(result.lastEventId()).toBe('5')
    expect(parse('id: 5\n\ndata: a\n\n').events).toEqual([message('a', '5')])
  })

  it('spec: an id in a block that has not ended yet is not the last event ID string', () => {
    const result = parse('id: 1\n\nid: 2\ndata: a\n')
    expect(result.lastEventId()).toBe('1')
  })

  it('spec: id values are kept exactly, spaces and colons included (one leading space removed)', () => {
    expect(parse('id:  a:b \ndata: x\n\n').events).toEqual([message('x', ' a:b ')])
  })
})

describe('retry', () => {
  it('spec: a retry field of only ASCII digits sets the reconnection time', () => {
    expect(parse('retry: 3000\n').retries).toEqual([3000])
    expect(parse('retry:0\nretry: 007\n').retries).toEqual([0, 7])
  })

  it('spec: a retry field that is not only ASCII digits is ignored (without onError)', () => {
    for (const value of ['1.5', ' 10', '-1', '1e3', '', '10ms', '+5', '١٢', '0x10', '5 ']) {
      const { retries, errors, events } = parse(`retry: ${value}\ndata: a\n\n`)
      expect(retries, JSON.stringify(value)).toEqual([])
      expect(errors, JSON.stringify(value)).toEqual([])
      expect(events).toEqual([message('a')])
    }
  })

  it('spec: retry alone dispatches no event', () => {
    expect(parse('retry: 10\n\n').events).toEqual([])
  })
})

describe('end of stream and reset()', () => {
  it('spec: an unfinished event at the end of the stream is not dispatched', () => {
    expect(parse('data: a\n\ndata: b\n').events).toEqual([message('a')])
    expect(parse('data: a\n\ndata: b').events).toEqual([message('a')])
  })

  it('reset() discards the unfinished line and event', () => {
    const events: SseEvent[] = []
    const parser = createParser({ onEvent: (event) => events.push(event) })
    parser.feed('event: x\ndata: half\ndata: unfinished line')
    parser.reset()
    parser.feed('data: fresh\n\n')
    expect(events).toEqual([message('fresh')])
  })

  it('reset() keeps the committed last event ID but forgets an id from an incomplete block', () => {
    const events: SseEvent[] = []
    const parser = createParser({ onEvent: (event) => events.push(event) })
    parser.feed('id: 1\ndata: a\n\nid: 2\ndata: b\n')
    parser.reset()
    expect(parser.lastEventId).toBe('1')
    parser.feed('data: c\n\n')
    expect(events).toEqual([message('a', '1'), message('c', '1')])
  })

  it('reset() forgets a CR that ended the previous stream: a leading LF is then a blank line', () => {
    const events: SseEvent[] = []
    const parser = createParser({ onEvent: (event) => events.push(event) })
    parser.feed('data: a\r')
    parser.reset()
    parser.feed('data: b\n\n')
    expect(events).toEqual([message('b')])
  })
})

describe('size and volume', () => {
  const MiB = 1024 * 1024

  it('parses a 1 MiB line fed whole', () => {
    const big = 'x'.repeat(MiB)
    expect(parse(`data: ${big}\n\n`).events).toEqual([message(big)])
  })

  it('parses a 1 MiB line fed in small chunks', () => {
    const big = 'abcdefghijklmnopq'.repeat(MiB / 16).slice(0, MiB)
    const { events } = parse(chunksOf(`data: ${big}\r\n\r\n`, 1000))
    expect(events).toHaveLength(1)
    expect(events[0]?.data).toBe(big)
  })

  it('parsing time is linear: one big chunk costs about what the same bytes in small chunks do', () => {
    // A search of the rest of the chunk at every line once made a 1 MiB chunk ~700× slower
    // than 64 KiB ones. Every kind of line ending, and a rare CR among LFs, must stay linear.
    const endings = {
      LF: ['\n', '\n'],
      CRLF: ['\r\n', '\r\n'],
      CR: ['\r', '\r'],
      rareCR: ['\n', '\r'],
    }
    const count = 100_000
    for (const [name, [eol, rare]] of Object.entries(endings)) {
      let text = ''
      for (let i = 0; i < count; i++)
        text += `${i % 5000 === 0 ? `:${rare}` : ''}data: ${i % 10}${eol}${eol}`
      const time = (chunks: string[]) => {
        let best = Number.POSITIVE_INFINITY
        for (let run = 0; run < 3; run++) {
          let events = 0
          const parser = createParser({ onEvent: () => events++ })
          const start = performance.now()
          for (const chunk of chunks) parser.feed(chunk)
          best = Math.min(best, performance.now() - start)
          expect(events).toBe(count)
        }
        return best
      }
      const small = time(chunksOf(text, 16 * 1024))
      const whole = time([text])
      expect(whole, `${name}: ${whole.toFixed(1)} ms whole vs ${small.toFixed(1)} ms`).toBeLessThan(
        small * 10 + 50,
      )
    }
  })

  it('dispatches thousands of events from one chunk, in order', () => {
    let text = ''
    for (let i = 0; i < 10_000; i++) text += `id: ${i}\nevent: e${i % 3}\ndata: ${i}\n\n`
    const { events } = parse(text)
    expect(events).toHaveLength(10_000)
    events.forEach((event, i) => {
      expect(event).toEqual(message(String(i), String(i), `e${i % 3}`))
    })
  })
})

describe('maxLineLength', () => {
  it('a line longer than maxLineLength is reported with ERR_SSE_LINE_TOO_LONG and parsing continues', () => {
    const { events, errors } = parse(`data: ${'x'.repeat(100)}\ndata: ok\n\n`, {
      maxLineLength: 50,
    })
    expect(errors.map((error) => error.code)).toEqual(['ERR_SSE_LINE_TOO_LONG'])
    expect(events).toEqual([message('ok')])
  })

  it('a long line split across chunks is reported once and skipped up to its line ending', () => {
    const chunks = [
      'data: ',
      'x'.repeat(30),
      'y'.repeat(30),
      'z'.repeat(30),
      '\r',
      '\ndata: ok\n\n',
    ]
    const { events, errors } = parse(chunks, { maxLineLength: 50 })
    expect(errors.map((error) => error.code)).toEqual(['ERR_SSE_LINE_TOO_LONG'])
    expect(events).toEqual([message('ok')])
  })

  it('a line of exactly maxLineLength is kept', () => {
    const line = `data: ${'x'.repeat(44)}`
    expect(line).toHaveLength(50)
    const { events, errors } = parse(chunksOf(`${line}\n\n`, 7), { maxLineLength: 50 })
    expect(errors).toEqual([])
    expect(events).toEqual([message('x'.repeat(44))])
  })

  it('without onError the limit error is thrown from feed()', () => {
    const parser = createParser({ onEvent: () => {}, maxLineLength: 10 })
    expect(() => parser.feed('data: 0123456789\n')).toThrow(
      expect.objectContaining({ code: 'ERR_SSE_LINE_TOO_LONG' }),
    )
  })
})

describe('createParser options', () => {
  it('a function instead of options throws ERR_SSE_INVALID_OPTION with a hint', () => {
    const misuse = createParser as unknown as (fn: () => void) => unknown
    expect(() => misuse(() => {})).toThrow(
      expect.objectContaining({
        code: 'ERR_SSE_INVALID_OPTION',
        message: expect.stringContaining('onEvent'),
      }),
    )
  })

  it.each([
    [{}, 'createParser: onEvent must be of type function, not undefined'],
    [{ onEvent: 'x' }, 'createParser: onEvent must be of type function, not "x"'],
    [{ onEvent() {}, onRetry: 1 }, 'createParser: onRetry must be of type function, not 1'],
    [{ onEvent() {}, maxLineLength: Number.NaN }, 'maxLineLength must be an integer >= 1, not NaN'],
    [{ onEvent() {}, maxLineLength: 0 }, 'maxLineLength must be an integer >= 1, not 0'],
    [{ onEvent() {}, maxLineLength: 1.5 }, 'maxLineLength must be an integer >= 1, not 1.5'],
    [
      { onEvent() {}, maxLineLength: Infinity },
      'maxLineLength must be an integer >= 1, not Infinity',
    ],
  ])('invalid options %o throw ERR_SSE_INVALID_OPTION before any input: %s', (options, message) => {
    expect(() => createParser(options as unknown as ParserOptions)).toThrow(
      expect.objectContaining({
        name: 'SprinklerError',
        code: 'ERR_SSE_INVALID_OPTION',
        message: expect.stringContaining(message),
      }),
    )
  })
})
