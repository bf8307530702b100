// #region docs
import { createParser, EventStreamParser, encodeEvent, type SseEvent } from '@sprinkler/core'

// Encoding: data is split on CR, LF and CRLF; a CR or LF in `event` or `id` throws
// (ERR_SSE_INVALID_FIELD) instead of letting a value inject fields into the stream.
export const frame = encodeEvent({ event: 'score', id: '42', data: 'line one\nline two' })
// → 'event: score\nid: 42\ndata: line one\ndata: line two\n\n'

// Parsing text as it arrives, in chunks of any size:
export function parseText(chunks: string[]): SseEvent[] {
  const events: SseEvent[] = []
  const parser = createParser({ onEvent: (event) => events.push(event) })
  for (const chunk of chunks) parser.feed(chunk)
  return events
}

// Parsing a byte stream (a fetch body): UTF-8 decoding, BOM and split characters handled.
export async function* parseBody(response: Response): AsyncGenerator<SseEvent> {
  const reader = (response.body as ReadableStream<Uint8Array>)
    .pipeThrough(new EventStreamParser())
    .getReader()
  for (;;) {
    const { done, value } = await reader.read()
    if (done) return
    yield value
  }
}
// #endregion docs
