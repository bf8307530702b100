export { createUtf8Decoder, type Utf8Decoder } from './decode.js'
export { encodeEvent, encodeEventBytes } from './encode.js'
export { type ErrorCode, errorCodes, SprinklerError } from './errors.js'
export {
  checkOptions,
  finite,
  integer,
  MAX_TIMER_MS,
  type OptionRule,
  ofType,
  oneOf,
  orInfinity,
  required,
  timerMs,
} from './options.js'
export { createParser, type Parser, type ParserOptions } from './parse.js'
export { EventStreamParser, type EventStreamParserOptions } from './stream.js'
export type { EventInput, SseEvent } from './types.js'
