import { SprinklerError } from './errors.js'
import { checkOptions, integer, ofType, required } from './options.js'
import type { SseEvent } from './types.js'

/** Callbacks and limits for {@link createParser}. */
export interface ParserOptions {
  /** Called for every dispatched event. */
  onEvent: (event: SseEvent) => void
  /** Called when a `retry:` field holds a valid reconnection time (ASCII digits only). */
  onRetry?: (ms: number) => void
  /** Called for every comment line, with one leading space removed. */
  onComment?: (comment: string) => void
  /**
   * Called only for limits this parser enforces itself (`ERR_SSE_LINE_TOO_LONG`), never for
   * input the spec says to ignore. Without it such an error is thrown from `feed`.
   */
  onError?: (error: SprinklerError<'ERR_SSE_LINE_TOO_LONG'>) => void
  /** Longest line kept, in UTF-16 code units; longer lines are discarded. Default 16 Mi. */
  maxLineLength?: number
}

/** A streaming parser for `text/event-stream`, fed decoded text in chunks of any size. */
export interface Parser {
  /** Parse the next piece of the stream; any split between chunks is fine. */
  feed(chunk: string): void
  /**
   * Start a new stream (a reconnection): the unfinished line and event are discarded, but
   * the last event ID string is kept, as browsers keep it across reconnections.
   */
  reset(): void
  /** The last event ID string: updated at every blank line, even when no event is dispatched. */
  readonly lastEventId: string
}

const DEFAULT_MAX_LINE_LENGTH = 16 * 1024 * 1024
const LF = 10
const CR = 13
const SPACE = 32
const COLON = 58
const LOWER_D = 100
const LOWER_E = 101
const LOWER_I = 105

const callback = ofType('function')
const PARSER_OPTIONS = {
  onEvent: required(callback),
  onRetry: callback,
  onComment: callback,
  onError: callback,
  maxLineLength: integer(1),
}

/**
 * Creates a parser that follows the HTML spec's event stream interpretation to the letter.
 * @see https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation
 */
export function createParser(options: ParserOptions): Parser {
  if (typeof options === 'function') {
    throw new SprinklerError(
      'ERR_SSE_INVALID_OPTION',
      'createParser takes an options object: did you mean `createParser({ onEvent: fn })`?',
    )
  }
  checkOptions('createParser', options, PARSER_OPTIONS)
  const { onEvent, onRetry, onComment, onError } = options
  const maxLineLength = options.maxLineLength ?? DEFAULT_MAX_LINE_LENGTH

  // spec: "a data buffer, an event type buffer, and a last event ID buffer ... must be
  // initialized to the empty string". The data buffer is held without its trailing LF, so
  // `undefined` stands for the empty buffer and '' for a buffer holding just one LF.
  let data: string | undefined
  let eventType = ''
  let idBuffer = ''
  // spec: the event source's "last event ID string", set from the buffer at every dispatch.
  let lastEventId = ''

  // The unfinished line carried between chunks, as pieces joined once the line ends.
  let pending: string[] = []
  let pendingLength = 0
  // spec: CRLF is one line ending, even when the CR ends one chunk and the LF starts the next.
  let swallowLeadingLF = false
  // Past maxLineLength the rest of the line is skipped up to its line ending.
  let discarding = false

  function dispatch(): void {
    // spec: "Set the last event ID string of the event source to the value of the last
    // event ID buffer." This happens even when no event is dispatched.
    lastEventId = idBuffer
    // spec: "If the data buffer is an empty string, set the data buffer and the event type
    // buffer to the empty string and return."
    if (data === undefined) {
      eventType = ''
      return
    }
    // spec: "If the data buffer's last character is a U+000A LINE FEED (LF) character, then
    // remove the last character" (we join with LF instead of appending one per line).
    const event: SseEvent = { type: eventType === '' ? 'message' : eventType, data, lastEventId }
    data = undefined
    eventType = ''
    onEvent(event)
  }

  function processField(field: string, value: string): void {
    switch (field) {
      // The same three rules as in `scan`, which handles the usual `data:`, `event:` and
      // `id:` lines itself; these cases take the unusual ones (`data` with no colon, a line
      // carried over from the previous chunk).
      case 'data':
        // spec: "Append the field value to the data buffer, then append a single U+000A LINE
        // FEED (LF) character to the data buffer."
        data = data === undefined ? value : `${data}\n${value}`
        return
      case 'event':
        // spec: "Set the event type buffer to the field value."
        eventType = value
        return
      case 'id':
        // spec: "If the field value does not contain U+0000 NULL, then set the last event ID
        // buffer to the field value. Otherwise, ignore the field."
        if (value.indexOf('\0') === -1) idBuffer = value
        return
      case 'retry':
        // spec: "If the field value consists of only ASCII digits, then interpret the field
        // value as an integer in base ten ... Otherwise, ignore the field."
        if (isAsciiDigits(value)) onRetry?.(Number.parseInt(value, 10))
        return
      default:
      // spec: "Otherwise: The field is ignored."
    }
  }

  function processLine(line: string): void {
    // spec: "If the line is empty (a blank line): Dispatch the event"
    if (line.length === 0) {
      dispatch()
      return
    }
    const colon = line.indexOf(':')
    // spec: "If the line starts with a U+003A COLON character (:): Ignore the line."
    if (colon === 0) {
      if (onComment) onComment(valueAt(line, 1, line.length))
      return
    }
    // spec: "If the line contains a U+003A COLON character (:)": the field name is what comes
    // before the first colon, the value what comes after it, less one leading U+0020 SPACE.
    if (colon !== -1) {
      processField(line.slice(0, colon), valueAt(line, colon + 1, line.length))
      return
    }
    // spec: "Otherwise, the string is not empty but does not contain a U+003A COLON character
    // (:): Process the field using ... the whole line as the field name, and the empty string
    // as the field value."
    processField(line, '')
  }

  // `lineContinues`: the line has not ended yet, so skip the rest of it when it arrives.
  function tooLong(lineContinues: boolean): void {
    pending = []
    pendingLength = 0
    discarding = lineContinues
    const error = new SprinklerError(
      'ERR_SSE_LINE_TOO_LONG',
      `An event stream line exceeded maxLineLength (${maxLineLength}); the line was discarded.`,
    )
    if (onError) onError(error)
    else throw error
  }

  /** The chunk ended inside a line: keep `chunk[start, …)` for the next chunk. */
  function carry(chunk: string, start: number): void {
    if (start === chunk.length) return
    pendingLength += chunk.length - start
    if (pendingLength > maxLineLength) tooLong(true)
    else pending.push(start === 0 ? chunk : chunk.slice(start))
  }

  /**
   * Where the next line starts after the line ending at `chunk[end]`.
   * spec: lines end with "a U+000D CARRIAGE RETURN U+000A LINE FEED (CRLF) character pair, a
   * single U+000A LINE FEED (LF) character ..., or a single U+000D CARRIAGE RETURN (CR)
   * character". A CR that ends the chunk may be half of a CRLF: the next chunk says.
   */
  function afterLineEnding(chunk: string, end: number): number {
    if (chunk.charCodeAt(end) !== CR) return end + 1
    if (end + 1 === chunk.length) {
      swallowLeadingLF = true
      return end + 1
    }
    return chunk.charCodeAt(end + 1) === LF ? end + 2 : end + 1
  }

  /**
   * Ends the line carried over from earlier chunks (or being skipped as too long). Returns
   * where the next line starts, or -1 when this chunk ends inside the line too.
   */
  function finishCarriedLine(chunk: string, start: number): number {
    const lf = chunk.indexOf('\n', start)
    const cr = chunk.indexOf('\r', start)
    const end = cr === -1 ? lf : lf === -1 || cr < lf ? cr : lf
    if (end === -1) {
      if (!discarding) carry(chunk, start)
      return -1
    }
    if (discarding) discarding = false
    else if (pendingLength + end - start > maxLineLength) tooLong(false)
    else {
      pending.push(chunk.slice(start, end))
      const line = pending.join('')
      pending = []
      pendingLength = 0
      processLine(line)
    }
    return afterLineEnding(chunk, end)
  }

  /**
   * Parses the lines of `chunk` from `start` on; an unfinished last line is carried to the
   * next chunk. `hasCR`: whether the chunk holds a CR at or after `start`, decided once per
   * chunk. Without one (the common case), each line ends at the next LF: one `indexOf` per
   * line. With one, each `indexOf` result is kept until the scan passes it, so a line ending
   * that is far away or absent is searched for once per chunk, not once per line.
   *
   * Speed, measured with `npm run bench -- core` and CPU profiles on Node 20:
   * - `hasCR` is a branch taken before the loop, and an absent LF is a -1 decided by an
   *   `includes` branch before it too. An earlier loop searched for the absent CR before the
   *   loop and only used the result inside it; V8 then scheduled that loop-invariant,
   *   side-effect-free whole-chunk `indexOf` inside the loop, re-running it at every line
   *   (seen with `node --trace-turbo-scheduled`): 100,000 events took 176 ms in 64 KiB chunks
   *   and 7.4 s in 1 MiB chunks, against ~8 ms now for either.
   * - `data`, `event` and `id` lines are matched by char code and handled right here, in the
   *   loop: no copy of the line or field name, and no function call. The same through small
   *   helper functions was 10-20% slower on 100,000 small events (V8 stopped inlining them
   *   once the loop's inlined code passed its budget), `startsWith` ~15% slower, and slicing
   *   the line then `indexOf(':')` ~25% slower. Other lines take {@link processLine}.
   * - After an LF, a blank line (the end of an event) is taken without another search
   *   (100,000 one-line events: ~12% faster).
   * A field-name match can't run past `end`: `chunk[end]` is CR or LF, or past the string.
   */
  function scan(chunk: string, start: number, hasCR: boolean): void {
    let pos = start
    let nextCR = hasCR ? chunk.indexOf('\r', pos) : -1
    let nextLF = hasCR && chunk.includes('\n', pos) ? chunk.indexOf('\n', pos) : -1
    for (;;) {
      // spec: lines end with "a U+000D CARRIAGE RETURN U+000A LINE FEED (CRLF) character
      // pair, a single U+000A LINE FEED (LF) character ..., or a single U+000D CARRIAGE
      // RETURN (CR) character".
      let end: number
      if (hasCR) {
        if (nextCR !== -1 && nextCR < pos) nextCR = chunk.indexOf('\r', pos)
        if (nextLF !== -1 && nextLF < pos) nextLF = chunk.indexOf('\n', pos)
        end = nextCR === -1 ? nextLF : nextLF === -1 || nextCR < nextLF ? nextCR : nextLF
      } else end = chunk.indexOf('\n', pos)
      if (end === -1) {
        carry(chunk, pos)
        return
      }

      // The line is chunk[pos, end). Each value below is `valueAt` written out: less one
      // leading space.
      const first = chunk.charCodeAt(pos)
      if (end - pos > maxLineLength) tooLong(false)
      else if (first === LOWER_D && isDataField(chunk, pos)) {
        // spec: "data": "Append the field value to the data buffer, then append a single
        // U+000A LINE FEED (LF) character to the data buffer" (held without its last LF).
        const value = chunk.slice(chunk.charCodeAt(pos + 5) === SPACE ? pos + 6 : pos + 5, end)
        data = data === undefined ? value : `${data}\n${value}`
      } else if (first === LOWER_E && isEventField(chunk, pos)) {
        // spec: "event": "Set the event type buffer to the field value."
        eventType = chunk.slice(chunk.charCodeAt(pos + 6) === SPACE ? pos + 7 : pos + 6, end)
      } else if (first === LOWER_I && isIdField(chunk, pos)) {
        // spec: "id": "If the field value does not contain U+0000 NULL, then set the last
        // event ID buffer to the field value. Otherwise, ignore the field."
        const value = chunk.slice(chunk.charCodeAt(pos + 3) === SPACE ? pos + 4 : pos + 3, end)
        if (value.indexOf('\0') === -1) idBuffer = value
      } else processLine(chunk.slice(pos, end))

      if (hasCR && chunk.charCodeAt(end) === CR) pos = afterLineEnding(chunk, end)
      else if (chunk.charCodeAt(end + 1) === LF) {
        // spec: "If the line is empty (a blank line): Dispatch the event".
        dispatch()
        pos = end + 2
      } else pos = end + 1
    }
  }

  function feed(chunk: string): void {
    let pos = 0
    if (swallowLeadingLF && chunk.length > 0) {
      if (chunk.charCodeAt(0) === LF) pos = 1
      swallowLeadingLF = false
    }
    if (pendingLength > 0 || discarding) {
      pos = finishCarriedLine(chunk, pos)
      if (pos === -1) return
    }
    scan(chunk, pos, chunk.indexOf('\r', pos) !== -1)
  }

  function reset(): void {
    pending = []
    pendingLength = 0
    swallowLeadingLF = false
    discarding = false
    data = undefined
    eventType = ''
    // The new stream starts from the last event ID string the source already holds; an
    // `id:` from an event that never completed is forgotten.
    idBuffer = lastEventId
  }

  return {
    feed,
    reset,
    get lastEventId() {
      return lastEventId
    },
  }
}

/**
 * The field value `line[start, end)`. spec: "If value starts with a U+0020 SPACE character,
 * remove it from value." When the value is empty, `line[end]` is a line ending or past the
 * string, so it is never taken for that space.
 */
function valueAt(line: string, start: number, end: number): string {
  return line.slice(line.charCodeAt(start) === SPACE ? start + 1 : start, end)
}

/** `data:` at `i`, given that `s[i]` is `d`. */
function isDataField(s: string, i: number): boolean {
  return (
    s.charCodeAt(i + 1) === 97 && // a
    s.charCodeAt(i + 2) === 116 && // t
    s.charCodeAt(i + 3) === 97 && // a
    s.charCodeAt(i + 4) === COLON
  )
}

/** `event:` at `i`, given that `s[i]` is `e`. */
function isEventField(s: string, i: number): boolean {
  return (
    s.charCodeAt(i + 1) === 118 && // v
    s.charCodeAt(i + 2) === 101 && // e
    s.charCodeAt(i + 3) === 110 && // n
    s.charCodeAt(i + 4) === 116 && // t
    s.charCodeAt(i + 5) === COLON
  )
}

/** `id:` at `i`, given that `s[i]` is `i`. */
function isIdField(s: string, i: number): boolean {
  return s.charCodeAt(i + 1) === LOWER_D && s.charCodeAt(i + 2) === COLON
}

function isAsciiDigits(value: string): boolean {
  if (value.length === 0) return false
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i)
    if (c < 48 || c > 57) return false
  }
  return true
}
