/** Incremental UTF-8 decoding for event streams. */
export interface Utf8Decoder {
  /** Decode the next bytes; a character split across calls is kept whole for the next one. */
  decode(bytes: Uint8Array): string
  /** End of stream: return what is left (an unfinished character becomes U+FFFD) and reset. */
  flush(): string
}

/**
 * spec: "Streams must be decoded using the UTF-8 decode algorithm." That algorithm strips one
 * leading BOM (only at the start of the stream) and turns invalid bytes into U+FFFD, which is
 * exactly TextDecoder's non-fatal, BOM-stripping mode with `stream: true`.
 * @see https://html.spec.whatwg.org/multipage/server-sent-events.html#parsing-an-event-stream
 */
export function createUtf8Decoder(): Utf8Decoder {
  const decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: false })
  return {
    decode: (bytes) => decoder.decode(bytes, { stream: true }),
    flush: () => decoder.decode(),
  }
}
