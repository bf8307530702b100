import { execFile } from 'node:child_process'
import { request } from 'node:http'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openEventStream } from '../../../server/test/client.js'
import { http2Fetch } from '../../../server/test/http2.js'
import { type Running, runSprinkler, startServer, stopAll } from '../../test/sprinkler.js'

const run = promisify(execFile)
const ROOT = fileURLToPath(new URL('../../../../', import.meta.url))

describe('sprinkler serve', () => {
  let server: Running
  let hub: string
  let token: string
  let csrf: string

  beforeAll(async () => {
    server = await startServer(['serve'])
    hub = `${server.url}/.well-known/mercure`
    await server.waitFor(/SPRINKLER_TOKEN=(\S+)/)
    token = /SPRINKLER_TOKEN=(\S+)/.exec(server.stdout())?.[1] as string
    const index = await (await fetch(server.url)).text()
    csrf = JSON.parse(/id="demo-config">([^<]*)</.exec(index)?.[1] ?? '{}').csrf
  })

  afterAll(stopAll)

  /**
   * A POST as the console page makes it, with changes (node:http, because fetch will not send
   * a Host header of our choosing).
   */
  const consolePost = (headers: Record<string, string> = {}, body: unknown = {}) =>
    new Promise<{ status: number; json(): Promise<unknown> }>((resolve, reject) => {
      const req = request(`${server.url}/console/publish`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          origin: server.url,
          'x-sprinkler-csrf': csrf,
          ...headers,
        },
      })
      req.on('error', reject)
      req.on('response', async (res) => {
        let text = ''
        for await (const chunk of res) text += chunk
        resolve({ status: res.statusCode ?? 0, json: async () => JSON.parse(text) })
      })
      req.end(JSON.stringify({ topic: '/demo/console', data: 'hi', ...(body as object) }))
    })

  it('starts on --port 0, prints its URL first, then a banner with the URLs and a dev token', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    const banner = server.stdout()
    for (const path of ['/', '/badge', '/scores', '/carousel', '/ticker', '/console']) {
      expect(banner).toContain(`${server.url}${path}`)
    }
    expect(banner).toContain(hub)
    expect(token.split('.')).toHaveLength(3)
  })

  it('with --jwt-key, its banner suggests a token command that works from a checkout, as printed', async () => {
    const keyed = await startServer(['serve', '--jwt-key', 'a-real-secret-of-32-bytes-or-more!'])
    await keyed.waitFor('Mint tokens with: ')
    const line = /Mint tokens with: (.+)/.exec(keyed.stdout())?.[1] as string
    expect(line).toMatch(/^npm run -s sprinkler -- token /)
    // Run exactly what the banner says, in a shell at the checkout's root.
    const env = Object.fromEntries(
      Object.entries(process.env).filter(([name]) => !name.toLowerCase().startsWith('npm_')),
    )
    const { stdout } = await run('sh', ['-c', line], {
      cwd: ROOT,
      env: { ...env, SPRINKLER_JWT_KEY: 'a-real-secret-of-32-bytes-or-more!' },
      timeout: 30_000,
    })
    expect(stdout.trim().split('.')).toHaveLength(3)
    await keyed.stop()
  })

  it('serves the index page, the demo pages and their scripts', async () => {
    const index = await fetch(server.url)
    expect(index.status).toBe(200)
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8')
    const html = await index.text()
    for (const slug of ['badge', 'scores', 'carousel', 'ticker', 'console']) {
      expect(html).toContain(`href="/${slug}"`)
      const page = await (await fetch(`${server.url}/${slug}`)).text()
      expect(page).toContain(`src="/assets/${slug}.js"`)
      const script = await fetch(`${server.url}/assets/${slug}.js`)
      expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8')
    }
    expect((await fetch(`${server.url}/nope`)).status).toBe(404)
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200)
  })

  it('lets anonymous subscribers read /demo/ topics only', async () => {
    const open = await openEventStream(`${hub}?topic=/demo/broadcast&topic=/demo/scores/{match}`)
    expect(open.response.status).toBe(200)
    open.close()
    for (const topic of ['/users/alice/notifications', '*', '/{any}', '/demo']) {
      const refused = await fetch(`${hub}?topic=${encodeURIComponent(topic)}`)
      expect(refused.status, topic).toBe(401)
      expect(await refused.json()).toMatchObject({ error: { code: 'ERR_HUB_UNAUTHORIZED' } })
    }
    // With a token the hub decides: the development token may read everything.
    const withToken = await openEventStream(`${hub}?topic=*`, {
      headers: { authorization: `Bearer ${token}` },
    })
    expect(withToken.response.status).toBe(200)
    withToken.close()
  })

  it('refuses tokens in the URL (they end up in logs)', async () => {
    const res = await fetch(`${hub}?topic=/demo/broadcast&authorization=${token}`)
    expect(res.status).toBe(401)
    expect(await res.json()).toMatchObject({ error: { code: 'ERR_HUB_QUERY_TOKEN_DISABLED' } })
  })

  it('publishes from the console to open subscribers and tells who received it', async () => {
    const stream = await openEventStream(`${hub}?topic=/demo/console`)
    const res = await consolePost({}, { data: 'from the console', type: 'note' })
    expect(res.status).toBe(200)
    const result = (await res.json()) as { id: string; delivered: number; recipients: unknown[] }
    expect(result.delivered).toBe(1)
    expect(result.recipients).toEqual([
      expect.objectContaining({ user: null, topics: ['/demo/console'] }),
    ])
    const [event] = await stream.waitForEvents(1)
    expect(event).toMatchObject({ type: 'note', data: 'from the console', lastEventId: result.id })
    stream.close()
  })

  it('refuses cross-site requests to the console', async () => {
    const cases: [string, Record<string, string>, string][] = [
      ['no CSRF token', { 'x-sprinkler-csrf': '' }, 'x-sprinkler-csrf'],
      ['a wrong CSRF token', { 'x-sprinkler-csrf': 'guess' }, 'x-sprinkler-csrf'],
      ['another origin', { origin: 'https://evil.example' }, 'Origin'],
      ['a cross-site fetch', { 'sec-fetch-site': 'cross-site' }, 'Sec-Fetch-Site'],
      [
        'a non-loopback Host (DNS rebinding)',
        { host: 'evil.example', origin: 'http://evil.example' },
        'loopback',
      ],
    ]
    for (const [name, headers, reason] of cases) {
      const res = await consolePost(headers)
      expect(res.status, name).toBe(403)
      expect(await res.json(), name).toMatchObject({
        error: { code: 'ERR_SERVE_CROSS_SITE', message: expect.stringContaining(reason) },
      })
    }
    const bad = await consolePost({}, { topic: 42 })
    expect(bad.status).toBe(400)
    expect(await bad.json()).toMatchObject({ error: { code: 'ERR_SERVE_INVALID_REQUEST' } })
  })

  it('signs a user in with an HttpOnly SameSite=Strict cookie that reads only their notifications', async () => {
    const res = await fetch(`${server.url}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: server.url, 'x-sprinkler-csrf': csrf },
      body: JSON.stringify({ user: 'carol' }),
    })
    expect(res.status).toBe(200)
    const cookie = res.headers.get('set-cookie') ?? ''
    expect(cookie).toMatch(
      /^mercureAuthorization=[\w-]+\.[\w-]+\.[\w-]+; Path=\/; HttpOnly; SameSite=Strict/,
    )
    const jar = cookie.split(';')[0] as string
    const own = await openEventStream(`${hub}?topic=/users/carol/notifications`, {
      headers: { cookie: jar },
    })
    const other = await openEventStream(`${hub}?topic=/users/dave/notifications`, {
      headers: { cookie: jar },
    })
    const publish = (user: string, data: string, isPrivate = true) =>
      fetch(hub, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
        body: new URLSearchParams({
          topic: `/users/${user}/notifications`,
          data,
          ...(isPrivate && { private: 'on' }),
        }),
      })
    expect((await publish('dave', 'private for dave')).status).toBe(200)
    expect((await publish('carol', 'private for carol')).status).toBe(200)
    expect((await publish('dave', 'public', false)).status).toBe(200)
    expect((await own.waitForEvents(1)).map((e) => e.data)).toEqual(['private for carol'])
    // In publish order: had dave's private update reached carol, it would come first.
    expect((await other.waitForEvents(1)).map((e) => e.data)).toEqual(['public'])
    own.close()
    other.close()
  })

  it('serves HTTPS with HTTP/2 given --cert and --key, with Secure cookies', async () => {
    const fixture = (name: string) =>
      fileURLToPath(new URL(`../../../server/test/fixtures/${name}`, import.meta.url))
    const tls = await startServer([
      'serve',
      '--cert',
      fixture('localhost-cert.pem'),
      '--key',
      fixture('localhost-key.pem'),
    ])
    const h2 = http2Fetch()
    try {
      expect(tls.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/)
      const origin = tls.url.replace('127.0.0.1', 'localhost')
      const index = await h2.fetch(`${origin}/`)
      expect(index.status).toBe(200)
      const page = await index.text()
      const token = JSON.parse(/id="demo-config">([^<]*)</.exec(page)?.[1] ?? '{}').csrf
      const login = await h2.fetch(`${origin}/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin, 'x-sprinkler-csrf': token },
        body: JSON.stringify({ user: 'erin' }),
      })
      expect(login.status).toBe(200)
      expect(login.headers.get('set-cookie')).toMatch(/; Secure$/)
      const stream = await openEventStream(`${origin}/.well-known/mercure?topic=/demo/ticker`, {
        fetch: h2.fetch,
      })
      expect(stream.response.headers.get('connection')).toBeNull() // illegal on HTTP/2
      await stream.waitForEvents(1)
      stream.close()
    } finally {
      await h2.close()
      await tls.stop()
    }
  })

  it('refuses to start on a non-loopback host with development keys', async () => {
    const { code, stderr } = await runSprinkler(['serve', '--host', '0.0.0.0', '--port', '0'])
    expect(code).toBe(2)
    expect(stderr).toContain('refusing to listen on 0.0.0.0 with a development key')
    expect(stderr).toContain('--jwt-key')
  })

  it('refuses --cert without --key', async () => {
    const { code, stderr } = await runSprinkler(['serve', '--cert', 'x.pem', '--port', '0'])
    expect(code).toBe(2)
    expect(stderr).toContain('--cert and --key go together')
  })

  it('shuts down gracefully on SIGTERM, open streams included', async () => {
    const other = await startServer(['serve'])
    const stream = await openEventStream(`${other.url}/.well-known/mercure?topic=/demo/ticker`)
    await stream.waitForEvents(1)
    const { code, signal } = await other.stop()
    expect({ code, signal }).toEqual({ code: 0, signal: null })
    await stream.ended
  })
})
