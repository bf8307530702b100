import { getEventListeners } from 'node:events'
import { readFileSync } from 'node:fs'
import { SprinklerError } from '@sprinkler/core'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { behaviourSuite } from '../../test/behaviour.js'
import { until } from '../../test/client.js'
import { adapterServer, serveFetch } from '../../test/servers.js'
import type { SseEndpointOptions } from '../endpoint.js'
import type { SseStream } from '../stream.js'
import { createSseHandler } from './index.js'

// Mounted the way Hono users run web handlers on Node: @hono/node-server over node:http and
// node:http2, which reads the body as its socket drains and cancels it when the client leaves.
// A body we error (a slow client dropped) is logged by node-server; that, and only that, is
// kept out of the test output.
beforeEach(() => {
  const log = console.error
  vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
    const [first] = args
    if (first instanceof SprinklerError && first.code === 'ERR_SSE_SLOW_CLIENT') return
    log(...args)
  })
})

for (const httpVersion of [1, 2] as const) {
  behaviourSuite(`web on @hono/node-server, HTTP/${httpVersion}`, async (options) => {
    const handler = createSseHandler(options)
    const listening = await serveFetch(
      (request) =>
        new URL(request.url).pathname === '/events'
          ? handler(request)
          : new Response(null, { status: 404 }),
      httpVersion,
    )
    return adapterServer(listening, handler.endpoint)
  })
}

/** A handler whose streams the test can reach, and a request to it. */
function setup(options: SseEndpointOptions = {}) {
  const streams: SseStream[] = []
  const handler = createSseHandler({
    heartbeatMs: 0,
    ...options,
    onStream: (stream) => {
      streams.push(stream)
    },
  })
  const controller = new AbortController()
  const request = (init: RequestInit = {}) =>
    new Request('http://localhost/events', { signal: controller.signal, ...init })
  return { handler, streams, controller, request }
}

const decoder = new TextDecoder()
const kib = (n: number) => 'z'.repeat(n * 1024)
/** Lets queued microtasks (the stream's coalesced flush) and the body's pull run. */
const settle = () => new Promise((resolve) => setImmediate(resolve))

describe('web transport', () => {
  it('sends no Connection header (the runtime owns the connection) and HEAD gets headers only', async () => {
    const { handler, request } = setup()
    const head = await handler(request({ method: 'HEAD' }))
    expect(head.status).toBe(200)
    expect(head.body).toBeNull()
    expect(head.headers.get('content-type')).toBe('text/event-stream; charset=utf-8')
    expect(head.headers.get('connection')).toBeNull()
    expect(handler.endpoint.streams.size).toBe(0)
  })

  it('queues up to the high-water mark in the body, then holds events until the runtime reads', async () => {
    const { handler, streams, request } = setup()
    const response = await handler(request())
    const [stream] = streams as [SseStream]
    stream.send({ data: kib(100) }) // one write, past the 64 KiB mark: write() says wait
    await settle()
    const queued = stream.bufferedBytes
    expect(queued).toBeGreaterThan(100 * 1024)
    stream.send({ data: 'held' }) // waits in the stream, not in the body
    await settle()
    expect(stream.bufferedBytes).toBe(queued + 'data: held\n\n'.length)
    const reader = (response.body as ReadableStream<Uint8Array>).getReader()
    const first = await reader.read()
    expect(first.value?.byteLength).toBe(queued)
    // That read pulled: drained, so the held event is written into the body.
    const second = await reader.read()
    expect(decoder.decode(second.value)).toBe('data: held\n\n')
    expect(stream.bufferedBytes).toBe(0)
    await reader.cancel()
  })

  it('drops a client that stops reading past maxBufferBytes: the body errors', async () => {
    const { handler, streams, request } = setup({ maxBufferBytes: 128 * 1024 })
    const response = await handler(request())
    const [stream] = streams as [SseStream]
    for (let i = 0; i < 5; i++) {
      stream.send({ data: kib(40) })
      await settle()
    }
    expect(stream.signal.reason.code).toBe('ERR_SSE_SLOW_CLIENT')
    expect(handler.endpoint.stats.slowClientDisconnects).toBe(1)
    const reader = (response.body as ReadableStream<Uint8Array>).getReader()
    await expect(reader.read()).rejects.toMatchObject({ code: 'ERR_SSE_SLOW_CLIENT' })
    await stream.whenFinished()
  })

  it('cancelling the body ends the stream as the client closing it', async () => {
    const { handler, streams, request } = setup()
    const response = await handler(request())
    await response.body?.cancel()
    const [stream] = streams as [SseStream]
    expect(stream.signal.reason.code).toBe('ERR_SSE_CLIENT_CLOSED')
    expect(handler.endpoint.streams.size).toBe(0)
    await stream.whenFinished()
  })

  it('an aborted request signal ends the stream, and its listener goes with it', async () => {
    const { handler, streams, controller, request } = setup()
    await handler(request())
    controller.abort()
    const [stream] = streams as [SseStream]
    expect(stream.signal.reason.code).toBe('ERR_SSE_CLIENT_CLOSED')
    await stream.whenFinished()
  })

  it('leaves no listener on the request signal once the stream is gone', async () => {
    const { handler, streams, request } = setup()
    const req = request()
    const response = await handler(req)
    expect(getEventListeners(req.signal, 'abort')).toHaveLength(1)
    const [stream] = streams as [SseStream]
    stream.close()
    await response.body?.cancel()
    await stream.whenFinished()
    expect(getEventListeners(req.signal, 'abort')).toHaveLength(0)
  })

  it('close() ends the body after the last event, once the runtime has read it all', async () => {
    const { handler, streams, request } = setup()
    const response = await handler(request())
    const [stream] = streams as [SseStream]
    stream.send({ data: kib(80) })
    await settle()
    stream.close({ event: 'bye', data: 'now' })
    let finished = false
    void stream.whenFinished().then(() => {
      finished = true
    })
    await settle()
    expect(finished).toBe(false) // the runtime has not read the queue yet
    const text = await new Response(response.body).text()
    expect(text.endsWith('event: bye\ndata: now\n\n')).toBe(true)
    await until(() => finished, 'the stream to finish')
  })

  it('a stream closed by onStream itself still finishes', async () => {
    const handler = createSseHandler({ heartbeatMs: 0, onStream: (stream) => stream.close() })
    const response = await handler(new Request('http://localhost/events'))
    expect(await response.text()).toBe('')
    expect(handler.endpoint.streams.size).toBe(0)
    await handler.close({ timeoutMs: 60_000 }) // nothing left to wait for
  })
})

describe('web module graph', () => {
  /** Every module a subpath loads, following relative imports, and what else each imports. */
  function importsOf(entry: URL, seen = new Map<string, string[]>()): Map<string, string[]> {
    if (seen.has(entry.href)) return seen
    const source = readFileSync(entry, 'utf8')
    const specifiers = [...source.matchAll(/^(?:import|export)\s[^'"]*?from\s+'([^']+)'/gm)]
      .filter((m) => !/^import\s+type\s/.test(m[0]))
      .map((m) => m[1] as string)
    seen.set(entry.href, specifiers)
    for (const s of specifiers) {
      if (s.startsWith('.')) importsOf(new URL(s.replace(/\.js$/, '.ts'), entry), seen)
    }
    return seen
  }

  it.each(['../web/index.ts', '../hono/index.ts'])('%s loads no node: module', (path) => {
    const graph = importsOf(new URL(path, import.meta.url))
    const external = [...graph.values()].flat().filter((s) => !s.startsWith('.'))
    expect(graph.size).toBeGreaterThan(3)
    expect(external.filter((s) => s.startsWith('node:'))).toEqual([])
    expect(new Set(external)).toEqual(new Set(['@sprinkler/core']))
  })
})
