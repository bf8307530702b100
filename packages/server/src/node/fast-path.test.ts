import { createServer, request } from 'node:http'
import type { AddressInfo } from 'node:net'
import { connect, Socket } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { behaviourSuite } from '../../test/behaviour.js'
import { leakSuite } from '../../test/leak.js'
import { SseEndpoint } from '../endpoint.js'
import { createFastPath, type FastPathServer } from './fast-path.js'
import { serveSse } from './index.js'

/**
 * An app with its own routes and the event stream mounted the regular way, and the fast path
 * in front of it for GET /events.
 */
function appWithFastPath(endpoint: SseEndpoint, options: { headersTimeoutMs?: number } = {}) {
  const app = createServer((req, res) => {
    if (req.url?.split('?')[0] === '/events') return void serveSse(endpoint, req, res)
    let body = ''
    req.on('data', (chunk) => {
      body += chunk
    })
    req.on('end', () => res.end(`app: ${req.method} ${req.url} ${body.length}`))
  })
  return createFastPath(app, endpoint, { path: '/events', ...options })
}

async function listen(server: FastPathServer): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return (server.address() as AddressInfo).port
}

behaviourSuite('node fast path', async (options) => {
  const endpoint = new SseEndpoint(options)
  const server = appWithFastPath(endpoint)
  const port = await listen(server)
  return {
    url: `http://127.0.0.1:${port}/events`,
    endpoint,
    httpVersion: 1,
    close: async () => {
      await endpoint.close({ timeoutMs: 1000 })
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    },
  }
})

leakSuite('node fast path', 10_000, (options) => {
  const endpoint = new SseEndpoint(options)
  return { server: appWithFastPath(endpoint), endpoint }
})

describe('node fast path: everything else is the app’s', () => {
  let server: FastPathServer | undefined
  afterEach(async () => {
    server?.closeAllConnections()
    await new Promise((resolve) => server?.close(resolve))
  })

  it('hands other paths to node:http untouched, keep-alive and request bodies included', async () => {
    server = appWithFastPath(new SseEndpoint())
    const port = await listen(server)
    const agent = new (await import('node:http')).Agent({ keepAlive: true, maxSockets: 1 })
    const ask = (method: string, path: string, body = '') =>
      new Promise<string>((resolve, reject) => {
        const req = request({ port, host: '127.0.0.1', method, path, agent }, (res) => {
          let text = ''
          res.on('data', (chunk) => {
            text += chunk
          })
          res.on('end', () => resolve(text))
        })
        req.on('error', reject)
        req.end(body)
      })
    expect(await ask('GET', '/other')).toBe('app: GET /other 0')
    expect(await ask('POST', '/upload', 'x'.repeat(200_000))).toBe('app: POST /upload 200000')
    expect(await ask('GET', '/events-not?really')).toBe('app: GET /events-not?really 0')
    agent.destroy()
  })

  it('answers 431 to an oversized head, 400 to a GET with a body, and drops a silent client', async () => {
    server = appWithFastPath(new SseEndpoint(), { headersTimeoutMs: 200 })
    const port = await listen(server)
    const raw = (text: string) =>
      new Promise<string>((resolve) => {
        const socket = connect({ port, host: '127.0.0.1' })
        let got = ''
        socket.on('data', (chunk) => {
          got += chunk
        })
        socket.on('close', () => resolve(got))
        socket.on('error', () => {})
        if (text) socket.write(text)
      })
    const huge = await raw(`GET /events HTTP/1.1\r\nX-Big: ${'a'.repeat(20_000)}\r\n`)
    expect(huge).toMatch(/^HTTP\/1\.1 431 /)
    const smuggled = await raw('GET /events HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello')
    expect(smuggled).toMatch(/^HTTP\/1\.1 400 /)
    // Says nothing at all: dropped at the head timeout (the test's own timeout is the net).
    expect(await raw('')).toBe('')
  })

  it('reads headers case-insensitively and joins repeated ones', async () => {
    const seen: (string | null)[] = []
    server = appWithFastPath(
      new SseEndpoint({
        authorize: (req) => {
          seen.push(req.header('X-Tag'), req.header('x-none'), req.header('HOST'))
          // Served by the fast path itself, not by node:http.
          seen.push(req.raw instanceof Socket ? 'socket' : 'node:http')
          return {}
        },
      }),
    )
    const port = await listen(server)
    const socket = connect({ port, host: '127.0.0.1' })
    socket.write('GET /events HTTP/1.1\r\nHost: h\r\nx-tag: a\r\nX-TAG:  b \r\n\r\n')
    await new Promise((resolve) => socket.once('data', resolve))
    socket.destroy()
    expect(seen).toEqual(['a, b', null, 'h', 'socket'])
  })
})
