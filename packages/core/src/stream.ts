import { createUtf8Decoder } from './decode.js'
import type { SprinklerError } from './errors.js'
import { createParser, type ParserOptions } from './parse.js'
import type { SseEvent } from './types.js'

/** Options for {@link EventStreamParser}: the parser's, less `onEvent` (events go downstream). */
export interface EventStreamParserOptions extends Omit<ParserOptions, 'onEvent' | 'onError'> {
  /**
   * Called for parser-enforced limits; when absent such an error errors the stream.
   */
  onError?: (error: SprinklerError) => void
}

/**
 * Bytes of a `text/event-stream` body in, dispatched events out:
 * `response.body.pipeThrough(new EventStreamParser())`. An unfinished event at the end of the
 * stream is discarded, as the spec says.
 */
export class EventStreamParser extends TransformStream<Uint8Array, SseEvent> {
  constructor(options: EventStreamParserOptions = {}) {
    const decoder = createUtf8Decoder()
    let parser: ReturnType<typeof createParser> | undefined
    super({
      start(controller) {
        parser = createParser({
          ...options,
          onEvent: (event) => controller.enqueue(event),
          onError: options.onError ?? ((error) => controller.error(error)),
        })
      },
      transform(chunk) {
        parser?.feed(decoder.decode(chunk))
      },
      flush() {
        // spec: "Once the end of the file is reached, any pending data must be discarded."
        // Flushing the decoder may still complete lines (or emit U+FFFD for a cut character).
        parser?.feed(decoder.flush())
      },
    })
  }
}
