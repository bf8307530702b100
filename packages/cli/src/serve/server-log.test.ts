import { createServer, request } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createHub } from '@sprinkler/hub'
import {
  createFastPath,
  createSseHandler,
  type FastPathServer,
  type NodeSseHandler,
} from '@sprinkler/server/node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openEventStream, type TestEventStream, until } from '../../../server/test/client.js'
import { createDemoApp } from './app.js'
import { createServerLog, publishLine, redactTarget, type ServerLog } from './server-log.js'

const SECRETS = [
  'SECRET-Q1',
  'SECRET-Q2',
  'SECRET-Q3',
  'SECRET-AUTH',
  'SECRET-COOKIE',
  'SECRET-USER',
]

/** A GET as a browser or script would send it, with the headers given; resolves its status. */
function get(base: string, path: string, headers: Record<string, string> = {}) {
  return new Promise<number>((resolve, reject) => {
    const { hostname, port } = new URL(base)
    const req = request({ hostname, port, path, headers })
    req.on('error', reject)
    req.on('response', (res) => {
      res.resume()
      res.on('end', () => resolve(res.statusCode ?? 0))
    })
    req.end()
  })
}

describe("sprinkler serve's request log (/logs)", () => {
  let log: ServerLog
  let stream: NodeSseHandler
  let server: FastPathServer
  let url: string
  let events: TestEventStream

  beforeAll(async () => {
    log = await createServerLog()
    // A stand-in hub stream on the fast path, as `sprinkler serve` serves the hub's.
    stream = createSseHandler({
      authorize: () => ({}),
      onStream: (s) => {
        s.send({ data: 'hi' })
      },
    })
    log.logStreams(stream.endpoint)
    const app = createServer(
      log.logRequests(async (req, res) => {
        if (await log.app.routes(req, res)) return
        const path = new URL(req.url ?? '/', 'http://x').pathname
        res.writeHead(path === '/ok' ? 200 : path === '/boom' ? 500 : 404).end()
      }),
    )
    server = createFastPath(app, stream.endpoint, { path: '/stream' })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    events = await openEventStream(`${url}/logs/events`)
  })

  afterAll(async () => {
    events?.close()
    await log?.close()
    await stream?.close({ timeoutMs: 1000 })
    server?.closeAllConnections()
    await new Promise((resolve) => server?.close(resolve))
  })

  /** Every line of `source` (0 requests, 1 demos, 2 server) received on the page's stream so far. */
  const lines = (source = '0') =>
    events.events
      .filter((e) => e.type === 'lines')
      .flatMap((e) => JSON.parse(e.data) as { source: string; lines: string[] })
      .filter((batch) => batch.source === source)
      .flatMap((batch) => batch.lines)

  const lineWith = async (text: string, source = '0') => {
    await until(() => lines(source).some((line) => line.includes(text)), text)
    return lines(source).find((line) => line.includes(text)) as string
  }

  it('logs method, path, status and duration, with the level of the status', async () => {
    expect(await get(url, '/ok')).toBe(200)
    expect(await get(url, '/missing')).toBe(404)
    expect(await get(url, '/boom')).toBe(500)
    expect(await lineWith('/ok ')).toMatch(/^info GET \/ok 200 \d+(\.\d)? ms$/)
    expect(await lineWith('/missing')).toMatch(/^warn GET \/missing 404 \d+(\.\d)? ms$/)
    expect(await lineWith('/boom')).toMatch(/^error GET \/boom 500 \d+(\.\d)? ms$/)
  })

  it('never shows secrets: query values (but topics), Authorization, cookies, URL credentials', async () => {
    const status = await get(
      url,
      '/ok?access_token=SECRET-Q1&topic=/demo/x&authorization=SECRET-Q2;jwt=SECRET-Q3&flag',
      { authorization: 'Bearer SECRET-AUTH', cookie: 'mercureAuthorization=SECRET-COOKIE' },
    )
    expect(status).toBe(200)
    // Absolute form, with credentials in it (a proxy-style request line).
    expect(await get(url, 'http://admin:SECRET-USER@example.com/abs?x=1')).toBe(404)
    expect(await lineWith('access_token')).toMatch(
      /^info GET \/ok\?access_token=\*\*\*&topic=\/demo\/x&authorization=\*\*\*;jwt=\*\*\*&flag 200 /,
    )
    expect(await lineWith('/abs')).toMatch(/^warn GET \/abs\?x=\*\*\* 404 /)
    const all = JSON.stringify(events.events)
    for (const secret of SECRETS) expect(all).not.toContain(secret)
  })

  it('bounds a long path and query, with a visible marker', async () => {
    const path = `/long-${'a'.repeat(6000)}`
    expect(await get(url, `${path}?q=${'b'.repeat(6000)}`)).toBe(404)
    const line = await lineWith('/long-')
    expect(line.length).toBeLessThan(700)
    expect(line).toContain('more characters)')
    expect(line).toMatch(/ 404 \d+(\.\d)? ms$/)
  })

  it('logs the streams the fast path serves when they end', async () => {
    const hub = await openEventStream(`${url}/stream?topic=/demo/ticker&authorization=SECRET-Q1`)
    await hub.waitForEvents(1)
    hub.close()
    expect(await lineWith('/stream')).toMatch(
      /^info GET \/stream\?topic=\/demo\/ticker&authorization=\*\*\* 200 \d+(\.\d)? ms \(stream\)$/,
    )
  })

  it("shows what the server's logger writes, line by line", async () => {
    log.output.write('{"level":50,"msg":"hook failed"}\n{"level":30,')
    log.output.write('"msg":"serving"}\n')
    expect(await lineWith('hook failed', '2')).toBe('{"level":50,"msg":"hook failed"}')
    expect(await lineWith('serving', '2')).toBe('{"level":30,"msg":"serving"}')
  })

  it('answers only requests addressed to a loopback name (no DNS rebinding)', async () => {
    expect(await get(url, '/logs', { host: 'attacker.example' })).toBe(403)
    expect(await get(url, '/logs/events', { host: 'attacker.example' })).toBe(403)
    expect(await get(url, '/logs', { host: `localhost:${new URL(url).port}` })).toBe(200)
  })
})

describe('request targets and publishes as log text', () => {
  it('percent-encodes control characters and escape sequences in targets', () => {
    expect(redactTarget('/a\u001b[31mb\r\nc')).toBe('/a%1B[31mb%0D%0Ac')
    expect(redactTarget('/caf\u00e9')).toBe('/caf%C3%A9')
  })

  it('shows no data of a private update, and no control characters of a public one', () => {
    const secret = publishLine({
      topics: ['/users/ann/notifications'],
      data: 'SECRET-DATA',
      type: 'notification',
      private: true,
    })
    expect(secret).toBe('info publish /users/ann/notifications (notification) private, 11 bytes')
    expect(publishLine({ topics: ['/demo/x'], data: 'a\u001b[2Jb\u202ec' })).toBe(
      'info publish /demo/x a%1B[2Jb%E2%80%AEc',
    )
  })
})

describe('sprinkler serve on a non-loopback host', () => {
  it('has no /logs: 403 ERR_SERVE_LOOPBACK_ONLY', async () => {
    const hub = await createHub({ jwtKey: 'k'.repeat(32) })
    const app = await createDemoApp({
      hub,
      jwtKey: 'k'.repeat(32),
      secure: false,
      interactive: false,
    })
    const server = createServer((req, res) => {
      app.handle(req, res).then((handled) => handled || res.writeHead(404).end())
    })
    try {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
      for (const path of ['/logs', '/logs/events', '/logs/assets/logs.js']) {
        const res = await fetch(`${base}${path}`)
        expect(res.status).toBe(403)
        expect(((await res.json()) as { error: { code: string } }).error.code).toBe(
          'ERR_SERVE_LOOPBACK_ONLY',
        )
      }
      expect(await (await fetch(base)).text()).not.toContain('href="/logs"')
    } finally {
      app.close()
      await hub.close()
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    }
  })
})
