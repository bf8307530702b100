import { afterEach, describe, expect, it, vi } from 'vitest'
import { createChannel } from './channel.js'
import { SseStream, type SseTransport } from './stream.js'

/** A stream over an in-memory transport that records each socket write. */
function recordingStream() {
  const writes: string[] = []
  const transport: SseTransport = {
    write: (chunk) => {
      writes.push(new TextDecoder().decode(chunk))
      return true
    },
    bufferedBytes: () => 0,
    end: () => {},
    destroy: () => {},
  }
  const stream = new SseStream({
    request: { method: 'GET', url: new URL('http://x/'), header: () => null, raw: null },
    principal: {},
    lastEventId: undefined,
    transport,
    heartbeatMs: 0,
    maxBufferBytes: 1 << 20,
  })
  return { stream, writes }
}

const settle = async () => {
  for (let i = 0; i < 5; i++) await Promise.resolve()
}

describe('channel write coalescing', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  it('writes what one tick publishes in one write per subscriber', async () => {
    const channel = createChannel()
    const { stream, writes } = recordingStream()
    channel.subscribe(stream)
    channel.publish({ data: 'a' })
    channel.publish({ data: 'b' })
    await settle()
    expect(writes).toEqual(['data: a\n\ndata: b\n\n'])
  })

  it('with coalesceMs, sends after a quiet spell at once and batches a steady stream', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
    const channel = createChannel({ coalesceMs: 50 })
    const { stream, writes } = recordingStream()
    channel.subscribe(stream)
    channel.publish({ data: 'first' })
    await settle()
    expect(writes).toEqual(['data: first\n\n']) // no delay after a quiet spell
    vi.advanceTimersByTime(10)
    channel.publish({ data: 'b' })
    await settle()
    channel.publish({ data: 'c' }) // another turn, same window
    await settle()
    vi.advanceTimersByTime(39)
    await settle()
    expect(writes).toHaveLength(1) // held: the window is not over
    vi.advanceTimersByTime(1)
    await settle()
    expect(writes).toEqual(['data: first\n\n', 'data: b\n\ndata: c\n\n'])
    vi.advanceTimersByTime(1000)
    channel.publish({ data: 'later' })
    await settle()
    expect(writes.at(-1)).toBe('data: later\n\n') // quiet again: at once
  })

  it('flushes what is held when the channel closes', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
    const channel = createChannel({ coalesceMs: 50 })
    const { stream, writes } = recordingStream()
    channel.subscribe(stream)
    channel.publish({ data: 'a' })
    await settle()
    channel.publish({ data: 'b' })
    channel.close({ data: 'bye' })
    await settle()
    expect(writes.join('')).toBe('data: a\n\ndata: b\n\ndata: bye\n\n')
    expect(vi.getTimerCount()).toBe(0)
  })

  it('with coalesceMs, writes a batch that reaches 64 KiB without waiting out the window', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
    const channel = createChannel({ coalesceMs: 1000 })
    const { stream, writes } = recordingStream()
    channel.subscribe(stream)
    channel.publish({ data: 'quiet' })
    await settle()
    const big = 'x'.repeat(8 * 1024)
    for (let i = 0; i < 8; i++) {
      channel.publish({ data: big }) // each in its own turn, all inside the window
      await settle()
    }
    expect(writes).toHaveLength(2) // 8 × 8 KiB (+ framing) passed 64 KiB: written at once
    expect(writes[1]?.length).toBeGreaterThanOrEqual(64 * 1024)
    channel.close()
  })
})
