import { request as httpRequest } from 'node:http'
import { Readable } from 'node:stream'
import type { FetchLike, FetchLikeInit } from '../src/index.js'

/**
 * The global fetch with the body handed over one byte per read: every line ending, field and
 * multi-byte character of the stream is split across chunks, whatever TCP did with it.
 */
export const byteByByte: FetchLike = async (url, init) => {
  const response = await fetch(url, init)
  const body = response.body?.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        for (const byte of chunk) controller.enqueue(Uint8Array.of(byte))
      },
    }),
  )
  return {
    status: response.status,
    url: response.url,
    headers: response.headers,
    body: body ?? null,
  }
}

/** A fetch that records every call (the request init and the fake-able time) before fetching. */
export function recordingFetch(): {
  fetch: FetchLike
  calls: { at: number; init: FetchLikeInit }[]
} {
  const calls: { at: number; init: FetchLikeInit }[] = []
  return {
    calls,
    fetch: (url, init) => {
      calls.push({ at: Date.now(), init })
      return fetch(url, init)
    },
  }
}

/**
 * The global fetch whose body reports every chunk as it is handed to the client, so a test can
 * wait until the client has read some bytes (a comment, say) that dispatch no event.
 */
export function observedFetch(onChunk: (text: string) => void): FetchLike {
  return async (url, init) => {
    const response = await fetch(url, init)
    const decoder = new TextDecoder()
    const body = response.body?.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          controller.enqueue(chunk)
          onChunk(decoder.decode(chunk, { stream: true }))
        },
      }),
    )
    return {
      status: response.status,
      url: response.url,
      headers: response.headers,
      body: body ?? null,
    }
  }
}

/**
 * A fetch over node:http instead of undici: a test that counts timers then sees only the
 * client's (undici keeps timers of its own on the global setTimeout).
 */
export const nodeHttpFetch: FetchLike = (url, init) =>
  new Promise((resolve, reject) => {
    const request = httpRequest(
      url,
      { method: init.method, headers: init.headers, signal: init.signal },
      (response) => {
        resolve({
          status: response.statusCode ?? 0,
          url,
          headers: { get: (name) => String(response.headers[name.toLowerCase()] ?? '') || null },
          body: Readable.toWeb(response) as ReadableStream<Uint8Array>,
        })
      },
    )
    request.on('error', reject)
    request.end(typeof init.body === 'string' ? init.body : undefined)
  })
