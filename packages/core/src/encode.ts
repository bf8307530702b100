import { SprinklerError } from './errors.js'
import type { EventInput } from './types.js'

const textEncoder = new TextEncoder()
const LINE_BREAK = /\r\n|\r|\n/

/**
 * Encodes one event as `text/event-stream` text, ending with the blank line that dispatches it
 * (a comment-only frame ends with its comment line). Field order: comment, event, id, retry,
 * data. Throws `ERR_SSE_INVALID_FIELD` rather than rewrite a field that could inject others.
 */
export function encodeEvent(input: EventInput): string {
  const { data, event, id, retry, comment } = input
  let out = ''
  if (comment !== undefined) {
    for (const line of splitLines(comment)) out += line === '' ? ':\n' : `: ${line}\n`
  }
  if (event !== undefined) {
    assertSingleLine('event', event)
    out += `event: ${event}\n`
  }
  if (id !== undefined) {
    assertSingleLine('id', id)
    // spec: an id containing NUL is ignored by the parser; refuse it rather than send a no-op.
    if (id.indexOf('\0') !== -1) invalid('id', 'contains NUL, which clients ignore')
    out += `id: ${id}\n`
  }
  if (retry !== undefined) {
    if (!Number.isSafeInteger(retry) || retry < 0) {
      invalid('retry', `must be a non-negative integer, got ${String(retry)}`)
    }
    out += `retry: ${retry}\n`
  }
  if (data !== undefined) {
    if (typeof data !== 'string') invalid('data', `must be a string, got ${typeof data}`)
    // spec: CRLF, CR and LF all end a line, so each becomes its own data: line.
    for (const line of splitLines(data)) out += `data: ${line}\n`
  }
  if (out === '') {
    throw new SprinklerError('ERR_SSE_EMPTY_EVENT', 'encodeEvent needs at least one field.')
  }
  if (event === undefined && id === undefined && retry === undefined && data === undefined) {
    return out
  }
  return `${out}\n`
}

/** {@link encodeEvent}, as UTF-8 bytes ready for a socket. */
export function encodeEventBytes(input: EventInput): Uint8Array {
  return textEncoder.encode(encodeEvent(input))
}

function splitLines(text: string): string[] {
  if (text.indexOf('\n') === -1 && text.indexOf('\r') === -1) return [text]
  return text.split(LINE_BREAK)
}

function assertSingleLine(field: 'event' | 'id', value: string): void {
  if (typeof value !== 'string') invalid(field, `must be a string, got ${typeof value}`)
  if (value.indexOf('\n') !== -1 || value.indexOf('\r') !== -1) {
    invalid(field, 'contains CR or LF, which would start a new field or event')
  }
}

function invalid(field: string, reason: string): never {
  throw new SprinklerError('ERR_SSE_INVALID_FIELD', `Invalid \`${field}\`: ${reason}.`)
}
