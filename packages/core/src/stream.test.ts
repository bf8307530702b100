import { describe, expect, it } from 'vitest'
import type { SprinklerError } from './errors.js'
import { EventStreamParser, type EventStreamParserOptions } from './stream.js'
import type { SseEvent } from './types.js'

/** A real byte stream that delivers `chunks` one by one. */
function byteStream(chunks: (string | number[])[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder()
  const queue = chunks.map((chunk) =>
    typeof chunk === 'string' ? encoder.encode(chunk) : Uint8Array.from(chunk),
  )
  return new ReadableStream({
    pull(controller) {
      const next = queue.shift()
      if (next === undefined) controller.close()
      else controller.enqueue(next)
    },
  })
}

async function collect(
  body: ReadableStream<Uint8Array>,
  options?: EventStreamParserOptions,
): Promise<SseEvent[]> {
  const events: SseEvent[] = []
  // A reader loop, not `for await`: core's lib settings don't assume async-iterable streams.
  const reader = body.pipeThrough(new EventStreamParser(options)).getReader()
  for (;;) {
    const { done, value } = await reader.read()
    if (done) return events
    events.push(value)
  }
}

describe('EventStreamParser', () => {
  it('turns a byte stream into events, end to end', async () => {
    const euro = [...new TextEncoder().encode('€')]
    const events = await collect(
      byteStream([
        [0xef, 0xbb],
        [0xbf, ...new TextEncoder().encode('retry: 1000\r\nid: 1\r\nevent: price\r\ndata: 5 ')],
        euro.slice(0, 1),
        [...euro.slice(1), 0x0d],
        '\n\r',
        '\n: comment\ndata: line 1\ndata: line 2\n\n',
        'id\ndata: after reset\n\n',
      ]),
    )
    expect(events).toEqual([
      { type: 'price', data: '5 €', lastEventId: '1' },
      { type: 'message', data: 'line 1\nline 2', lastEventId: '1' },
      { type: 'message', data: 'after reset', lastEventId: '' },
    ])
  })

  it('reads a fetch Response body', async () => {
    const response = new Response('data: hello\n\nevent: bye\ndata: 👋\n\n')
    if (!response.body) throw new Error('no body')
    expect(await collect(response.body)).toEqual([
      { type: 'message', data: 'hello', lastEventId: '' },
      { type: 'bye', data: '👋', lastEventId: '' },
    ])
  })

  it('spec: once the end of the stream is reached, an unfinished event is discarded', async () => {
    expect(await collect(byteStream(['data: a\n\n', 'data: b\n']))).toEqual([
      { type: 'message', data: 'a', lastEventId: '' },
    ])
    expect(await collect(byteStream(['data: a\n\ndata: b']))).toHaveLength(1)
    // A character cut off at the end is no reason to dispatch either.
    expect(await collect(byteStream(['data: a\n\ndata: ', [0xe2, 0x82]]))).toHaveLength(1)
  })

  it('passes comments and retry to the callbacks', async () => {
    const comments: string[] = []
    const retries: number[] = []
    await collect(byteStream([': hi\nretry: 250\n\n']), {
      onComment: (comment) => comments.push(comment),
      onRetry: (ms) => retries.push(ms),
    })
    expect(comments).toEqual(['hi'])
    expect(retries).toEqual([250])
  })

  it('a parser limit errors the stream when there is no onError', async () => {
    const body = byteStream([`data: ${'x'.repeat(100)}\n\ndata: b\n\n`])
    await expect(collect(body, { maxLineLength: 50 })).rejects.toMatchObject({
      code: 'ERR_SSE_LINE_TOO_LONG',
    })
  })

  it('a parser limit goes to onError, and parsing continues, when there is one', async () => {
    const errors: SprinklerError[] = []
    const body = byteStream([`data: ${'x'.repeat(100)}\ndata: b\n\n`])
    const events = await collect(body, {
      maxLineLength: 50,
      onError: (error) => errors.push(error),
    })
    expect(errors.map((error) => error.code)).toEqual(['ERR_SSE_LINE_TOO_LONG'])
    expect(events).toEqual([{ type: 'message', data: 'b', lastEventId: '' }])
  })

  it('checks the parser options when it is constructed, before any byte', () => {
    expect(() => new EventStreamParser({ maxLineLength: -1 })).toThrow(
      expect.objectContaining({ code: 'ERR_SSE_INVALID_OPTION' }),
    )
  })
})
