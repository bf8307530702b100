/** What a source does with each whole line: its text and its size in bytes (UTF-8). */
export type LineHandler = (text: string, bytes: number) => void

const NEWLINE = 0x0a
const CR = 0x0d

/** The marker put after a line cut at `maxLineBytes`, so nobody mistakes it for the whole line. */
export function cutMarker(maxLineBytes: number): string {
  return ` … [line cut at ${maxLineBytes} bytes]`
}

/**
 * Splits a byte stream into lines (LF or CRLF), holding a partial line until its end arrives.
 * A line longer than `maxLineBytes` is emitted once, cut at that size (on a character
 * boundary) with a visible marker, and the rest of it is dropped up to its newline: memory
 * stays bounded by `maxLineBytes` whatever the input.
 */
export class LineSplitter {
  readonly #maxLineBytes: number
  readonly #onLine: LineHandler
  readonly #marker: string
  /** Bytes of the line not ended yet. */
  #held: Buffer[] = []
  #heldBytes = 0
  /** Dropping the rest of a line that was already emitted cut. */
  #cutting = false

  constructor(maxLineBytes: number, onLine: LineHandler) {
    this.#maxLineBytes = maxLineBytes
    this.#onLine = onLine
    this.#marker = cutMarker(maxLineBytes)
  }

  /** Whether part of a line is waiting for its end. */
  get holding(): boolean {
    return this.#heldBytes > 0
  }

  push(chunk: Buffer): void {
    let start = 0
    for (;;) {
      const end = chunk.indexOf(NEWLINE, start)
      if (end === -1) break
      if (this.#cutting) this.#cutting = false
      else this.#emit(chunk.subarray(start, end))
      start = end + 1
    }
    if (start < chunk.length && !this.#cutting) this.#hold(chunk.subarray(start))
  }

  /** The input ended (stream closed, file rotated away): a held partial line is a line. */
  end(): void {
    if (this.#heldBytes > 0) this.#emit(Buffer.alloc(0))
    this.#cutting = false
  }

  #hold(bytes: Buffer): void {
    // Copied: the caller may reuse its read buffer.
    this.#held.push(Buffer.from(bytes))
    this.#heldBytes += bytes.length
    if (this.#heldBytes > this.#maxLineBytes) {
      this.#emit(Buffer.alloc(0))
      this.#cutting = true
    }
  }

  #emit(tail: Buffer): void {
    let line = tail
    if (this.#heldBytes > 0) {
      line = Buffer.concat([...this.#held, tail], this.#heldBytes + tail.length)
      this.#held = []
      this.#heldBytes = 0
    }
    if (line.length > this.#maxLineBytes) {
      const cut = line.subarray(0, charBoundary(line, this.#maxLineBytes))
      const text = cut.toString('utf8') + this.#marker
      this.#onLine(text, Buffer.byteLength(text))
      return
    }
    const bytes = line.length > 0 && line[line.length - 1] === CR ? line.length - 1 : line.length
    this.#onLine(line.toString('utf8', 0, bytes), bytes)
  }
}

/** The largest index ≤ `at` that does not split a UTF-8 character. */
function charBoundary(bytes: Buffer, at: number): number {
  let i = at
  // Continuation bytes are 10xxxxxx; back off to the start of the character at `at`.
  while (i > 0 && ((bytes[i] as number) & 0xc0) === 0x80) i--
  return i
}
