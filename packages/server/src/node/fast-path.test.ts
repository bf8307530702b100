import { createServer, request, type ServerOptions } from 'node:http'
import type { AddressInfo } from 'node:net'
import { connect, Socket } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { behaviourSuite } from '../../test/behaviour.js'
import { leakSuite } from '../../test/leak.js'
import { exchange } from '../../test/raw-http.js'
import { SseEndpoint, type SseEndpointOptions } from '../endpoint.js'
import { refuse } from '../types.js'
import { createFastPath, type FastPathOptions, type FastPathServer } from './fast-path.js'
import { serveSse } from './index.js'

/**
 * An app with its own routes and the event stream mounted the regular way, and the fast path
 * in front of it for GET /events. `app` are the node:http options of the app.
 */
function appWithFastPath(
  endpoint: SseEndpoint,
  options: Partial<FastPathOptions> & { app?: ServerOptions } = {},
) {
  const { app: appOptions = {}, ...fastPath } = options
  const app = createServer(appOptions, (req, res) => {
    if (req.url?.split('?')[0] === '/events') return void serveSse(endpoint, req, res)
    let body = ''
    req.on('data', (chunk) => {
      body += chunk
    })
    req.on('end', () => res.end(`app: ${req.method} ${req.url} ${body.length}`))
  })
  return createFastPath(app, endpoint, { path: '/events', ...fastPath })
}

async function listen(server: FastPathServer): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return (server.address() as AddressInfo).port
}

/** Drops every connection of the test's server and closes it, after each test. */
function closeAfterEach(current: () => FastPathServer | undefined): void {
  afterEach(async () => {
    const server = current()
    if (!server?.listening) return
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  })
}

const connections = (server: FastPathServer) =>
  new Promise<number>((resolve, reject) =>
    server.getConnections((error, n) => (error ? reject(error) : resolve(n))),
  )

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
  closeAfterEach(() => server)

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

  it('leaves what it does not serve to node:http: an oversized head (431), a GET with a body (read, then served)', async () => {
    const served: string[] = []
    server = appWithFastPath(
      new SseEndpoint({
        authorize: (req) => {
          served.push(req.raw instanceof Socket ? 'fast path' : 'node:http')
          return {}
        },
      }),
    )
    const port = await listen(server)
    const huge = await exchange(port, [`GET /events HTTP/1.1\r\nX-Big: ${'a'.repeat(20_000)}\r\n`])
    expect(huge.status).toBe(431)
    const withBody = await exchange(port, [
      'GET /events HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello',
    ])
    expect(withBody.status).toBe(200)
    expect(served).toEqual(['node:http'])
  })

  it('reads headers case-insensitively and joins repeated ones as node:http does', async () => {
    const seen: (string | null)[] = []
    server = appWithFastPath(
      new SseEndpoint({
        authorize: (req) => {
          seen.push(req.header('X-Tag'), req.header('x-none'), req.header('HOST'))
          seen.push(req.header('cookie'), req.header('authorization'))
          // Served by the fast path itself, not by node:http.
          seen.push(req.raw instanceof Socket ? 'socket' : 'node:http')
          return {}
        },
      }),
    )
    const port = await listen(server)
    const socket = connect({ port, host: '127.0.0.1' })
    socket.write(
      'GET /events HTTP/1.1\r\nHost: h\r\nx-tag: a\r\nX-TAG:  b \r\n' +
        'Cookie: c=1\r\nAuthorization: first\r\ncookie: d=2\r\nAuthorization: second\r\n\r\n',
    )
    await new Promise((resolve) => socket.once('data', resolve))
    socket.destroy()
    expect(seen).toEqual(['a, b', null, 'h', 'c=1; d=2', 'first', 'socket'])
  })
})

describe('node fast path: every socket state has a timeout (issue 10, finding 3)', () => {
  let server: FastPathServer | undefined
  closeAfterEach(() => server)
  // Small timeouts set on the app the way node:http apps set them; node checks every 25 ms.
  const app = { headersTimeout: 300, requestTimeout: 600, connectionsCheckingInterval: 25 }

  /** Sends `text` and nothing more; resolves with the status and how long until it came. */
  async function slow(text: string, options: Parameters<typeof appWithFastPath>[1] = { app }) {
    server = appWithFastPath(new SseEndpoint(), options)
    const port = await listen(server)
    const started = performance.now()
    const answer = await exchange(port, [text])
    const ms = Math.round(performance.now() - started)
    // Closed too: nothing of it is left on the server.
    await expect.poll(() => connections(server as FastPathServer)).toBe(0)
    console.info(`slow ${JSON.stringify(text.split('\r\n')[0])}: ${answer.status} after ${ms} ms`)
    return { status: answer.status, ms }
  }

  it('answers a slow head handed to node:http (GET /healthz) 408 at the app’s headersTimeout, and closes it', async () => {
    const { status, ms } = await slow('GET /healthz HTTP/1.1\r\nHost: x\r\n')
    expect(status).toBe(408)
    expect(ms).toBeGreaterThanOrEqual(300)
  })

  it('answers a slow POST body handed to node:http 408 at the app’s requestTimeout, and closes it', async () => {
    const { status, ms } = await slow(
      'POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc',
    )
    expect(status).toBe(408)
    expect(ms).toBeGreaterThanOrEqual(600)
  })

  it('answers a slow head in the fast path’s own reader 408 at the app’s headersTimeout', async () => {
    const { status, ms } = await slow('GET /events HTTP/1.1\r\nHost: x\r\n')
    expect(status).toBe(408)
    expect(ms).toBeGreaterThanOrEqual(300)
  })

  it('answers a connection that sends nothing 408 (headersTimeoutMs overrides the app’s)', async () => {
    const { status } = await slow('', { headersTimeoutMs: 100 })
    expect(status).toBe(408)
  })

  it('answers a head that ends its lines with bare LF at once, not at a timeout (RFC 9112 §2.2)', async () => {
    // node's default timeouts (60 s): an answer within the test's time can only be at once.
    const { status, ms } = await slow('GET /events HTTP/1.1\nHost: x\n\n', {})
    expect(status).toBe(400)
    expect(ms).toBeLessThan(5000)
  })

  it.each([
    ['GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: '],
    ['GET /events HTTP/1.1\r\nHost: x\r\nX-Slow: '],
  ])('closes a head dripped a byte every 20 ms (%j…) at the header timeouts', async (head) => {
    server = appWithFastPath(new SseEndpoint(), { app })
    const port = await listen(server)
    const socket = connect({ port, host: '127.0.0.1' })
    socket.on('error', () => {})
    let text = ''
    socket.on('data', (chunk) => {
      text += chunk
    })
    let sent = 0
    const started = performance.now()
    const drip = setInterval(() => socket.write(head[sent++ % head.length] as string), 20)
    await new Promise((resolve) => socket.once('close', resolve))
    clearInterval(drip)
    const ms = Math.round(performance.now() - started)
    console.info(`dripped ${JSON.stringify(head.split('\r\n')[0])}: closed after ${ms} ms`)
    expect(text).toMatch(/^HTTP\/1\.1 408 /)
    // At most the fast path's 300 ms until it hands the head over, then node's 300 ms (checked
    // every 25 ms); the bound here is only a safety net for a busy machine.
    expect(ms).toBeLessThan(5000)
  })

  it('closes the app with the server: node stops checking, idle keep-alive connections go at once', async () => {
    server = appWithFastPath(new SseEndpoint(), { app: { ...app, keepAliveTimeout: 60_000 } })
    const port = await listen(server)
    const socket = connect({ port, host: '127.0.0.1' })
    socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n')
    await new Promise((resolve) => socket.once('data', resolve))
    const closed = new Promise((resolve) => socket.once('close', resolve))
    await new Promise((resolve) => server?.close(resolve))
    await closed
  })
})

describe('node fast path: answered connections are released (issue 10, finding 4)', () => {
  let server: FastPathServer | undefined
  closeAfterEach(() => server)

  /**
   * Opens `count` connections whose clients keep their half open after the server ends its
   * own (`allowHalfOpen`), sends `head` on each, waits for every response, and resolves with
   * how long the server then took to hold none of them.
   */
  async function halfOpen(
    options: SseEndpointOptions,
    head: string,
    count: number,
    endGraceMs = 300,
  ): Promise<number> {
    const endpoint = new SseEndpoint(options)
    server = appWithFastPath(endpoint, { endGraceMs })
    const port = await listen(server)
    const clients = await Promise.all(
      Array.from(
        { length: count },
        () =>
          new Promise<Socket>((resolve, reject) => {
            const socket = connect({ port, host: '127.0.0.1', allowHalfOpen: true })
            socket.on('error', reject)
            socket.once('data', () => resolve(socket))
            socket.write(head)
          }),
      ),
    )
    const answered = performance.now()
    await expect.poll(() => connections(server as FastPathServer), { timeout: 10_000 }).toBe(0)
    const ms = Math.round(performance.now() - answered)
    for (const socket of clients) socket.destroy()
    console.info(`${count} half-open connections released ${ms} ms after the last answer`)
    return ms
  }

  it('destroys 600 refused connections whose clients never close, endGraceMs after the refusal', async () => {
    const head = 'GET /events HTTP/1.1\r\nHost: x\r\n\r\n'
    const ms = await halfOpen({ authorize: () => refuse(401, 'Sign in.') }, head, 600)
    expect(ms).toBeLessThan(5000)
  })

  it('destroys a half-open connection after a HEAD, and after a stream the server ended', async () => {
    await halfOpen({}, 'HEAD /events HTTP/1.1\r\nHost: x\r\n\r\n', 50)
    await halfOpen(
      { onStream: (stream) => stream.close({ data: 'bye' }) },
      'GET /events HTTP/1.1\r\nHost: x\r\n\r\n',
      50,
    )
  })
})

describe('node fast path: the path as sent, in origin-form (issue 10, finding 6)', () => {
  let server: FastPathServer | undefined
  closeAfterEach(() => server)

  it.each([
    ['a protocol-relative target', '//evil/events'],
    ['a backslash', '/\\evil/../events'],
    ['dot segments', '/x/../events'],
    ['percent-encoded dot segments', '/x/%2e%2E/events'],
    ['absolute-form', 'http://evil/events'],
    ['a target no URL parser takes', '//['],
  ])('leaves %s (%s) to the app, even to a path test that normalises', async (_, target) => {
    const served: string[] = []
    // A path test that resolves the target as a router would: the fast path must not let it
    // see anything but the path in origin-form.
    server = appWithFastPath(
      new SseEndpoint({
        authorize: () => {
          served.push('fast path')
          return {}
        },
      }),
      { path: (pathname) => new URL(pathname, 'http://h').pathname === '/events' },
    )
    const port = await listen(server)
    const answer = await exchange(port, [`GET ${target} HTTP/1.1\r\nHost: x\r\n\r\n`])
    expect(answer.status).toBe(200)
    expect(answer.text).toContain(`app: GET ${target} 0`)
    expect(served).toEqual([])
  })
})
