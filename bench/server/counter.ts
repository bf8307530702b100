/**
 * A minimal client-side reader for one connection: finds the end of the HTTP response head,
 * then counts frames in the body — SSE events (a blank line, `\n\n`, ends each; the servers
 * under test write whole events per chunk, so chunked-encoding framing never splits a `\n\n`)
 * or WebSocket data frames (parsed by their length header). Optionally it reads the publish
 * timestamp (`@` + digits, see `makePayload`) at the start of every payload to measure latency.
 * No strings are built on the hot path.
 */
import { STAMP_DIGITS } from './protocol.js'

const LF = 10
const AT = 64
const HEAD_END = [13, 10, 13, 10]

export class FrameCounter {
  frames = 0
  /** HTTP status of the response head once it is complete; 0 before. */
  status = 0
  #ws: boolean
  #headMatch = 0
  #statusDigits = 0
  #statusPos = 0
  // SSE: whether the last byte seen was a LF.
  #prevLF = false
  // WebSocket: 0 = expect opcode byte, 1 = expect length byte, 2 = extended length bytes.
  #hdrPos = 0
  #dataFrame = false
  #lenBytesLeft = 0
  #lenAcc = 0
  #payloadLeft = 0
  // Timestamp being read: -1 = none, else digits read so far.
  #stampDigits = -1
  #stampAcc = 0

  constructor(ws: boolean) {
    this.#ws = ws
  }

  /**
   * Feeds `view` (one read). Returns the number of frames completed by it. With `onStamp`,
   * every payload timestamp found is passed with `receivedUs` minus the stamp.
   */
  feed(view: Uint8Array, receivedUs: number, onStamp?: (latencyUs: number) => void): number {
    let i = 0
    const end = view.length
    if (this.status === 0) {
      i = this.#head(view)
      if (this.status === 0) return 0
    }
    const before = this.frames
    if (this.#ws) this.#wsBody(view, i, end, receivedUs, onStamp)
    else this.#sseBody(view, i, end, receivedUs, onStamp)
    return this.frames - before
  }

  /** Consumes response-head bytes; returns where the body starts. */
  #head(view: Uint8Array): number {
    for (let i = 0; i < view.length; i++) {
      const b = view[i] as number
      // "HTTP/1.1 200": the status code is bytes 9–11.
      if (this.#statusPos >= 9 && this.#statusPos < 12)
        this.#statusDigits = this.#statusDigits * 10 + (b - 48)
      this.#statusPos++
      this.#headMatch = b === HEAD_END[this.#headMatch] ? this.#headMatch + 1 : b === 13 ? 1 : 0
      if (this.#headMatch === 4) {
        this.status = this.#statusDigits > 0 ? this.#statusDigits : -1
        return i + 1
      }
    }
    return view.length
  }

  #sseBody(
    view: Uint8Array,
    start: number,
    end: number,
    receivedUs: number,
    onStamp?: (latencyUs: number) => void,
  ): void {
    if (start >= end) return
    let i = start
    let last = this.#prevLF ? start - 1 : -2
    for (;;) {
      const j = view.indexOf(LF, i)
      if (j === -1) break
      if (j === last + 1) {
        this.frames++
        last = -2 // "\n\n\n" is one blank line plus a stray LF, not two events
      } else {
        last = j
      }
      i = j + 1
    }
    this.#prevLF = view[end - 1] === LF && last === end - 1
    if (onStamp) this.#stamps(view, start, end, receivedUs, onStamp)
  }

  #wsBody(
    view: Uint8Array,
    start: number,
    end: number,
    receivedUs: number,
    onStamp?: (latencyUs: number) => void,
  ): void {
    let i = start
    while (i < end) {
      if (this.#payloadLeft > 0) {
        const take = Math.min(this.#payloadLeft, end - i)
        if (onStamp && this.#dataFrame) this.#stamps(view, i, i + take, receivedUs, onStamp)
        i += take
        this.#payloadLeft -= take
        if (this.#payloadLeft === 0) this.#frameDone()
        continue
      }
      const b = view[i++] as number
      if (this.#hdrPos === 0) {
        const opcode = b & 0x0f
        this.#dataFrame = opcode === 1 || opcode === 2 || opcode === 0
        this.#hdrPos = 1
      } else if (this.#hdrPos === 1) {
        // Server frames are never masked (RFC 6455 §5.1).
        const len = b & 0x7f
        if (len < 126) this.#payloadStart(len)
        else {
          this.#lenBytesLeft = len === 126 ? 2 : 8
          this.#lenAcc = 0
          this.#hdrPos = 2
        }
      } else {
        this.#lenAcc = this.#lenAcc * 256 + b
        if (--this.#lenBytesLeft === 0) this.#payloadStart(this.#lenAcc)
      }
    }
  }

  #payloadStart(length: number): void {
    this.#hdrPos = 0
    this.#payloadLeft = length
    if (length === 0) this.#frameDone()
  }

  #frameDone(): void {
    if (this.#dataFrame) this.frames++
  }

  #stamps(
    view: Uint8Array,
    from: number,
    to: number,
    receivedUs: number,
    onStamp: (latencyUs: number) => void,
  ): void {
    let i = from
    for (;;) {
      if (this.#stampDigits >= 0) {
        while (i < to && this.#stampDigits < STAMP_DIGITS) {
          this.#stampAcc = this.#stampAcc * 10 + ((view[i] as number) - 48)
          this.#stampDigits++
          i++
        }
        if (this.#stampDigits < STAMP_DIGITS) return
        onStamp(receivedUs - this.#stampAcc)
        this.#stampDigits = -1
      }
      if (i >= to) return
      const j = view.indexOf(AT, i)
      if (j === -1 || j >= to) return
      this.#stampDigits = 0
      this.#stampAcc = 0
      i = j + 1
    }
  }
}
