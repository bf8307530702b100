// The docs' code is real: each ```ts block marked `<!-- snippet: snippets/x.ts -->` must be the
// `#region docs` of that file, word for word, and every snippet file runs here.
import { readdirSync, readFileSync } from 'node:fs'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { serve } from '@hono/node-server'
import { EventSource } from '@sprinkler/client'
import { createChannel, refuse } from '@sprinkler/server'
import { createSseHandler } from '@sprinkler/server/node'
import { describe, expect, it } from 'vitest'
import { http2Fetch, tlsFixture } from '../packages/server/test/http2.js'

const docsDir = new URL('./', import.meta.url)
const snippetsDir = new URL('./snippets/', import.meta.url)

/** The text between `// #region docs` and `// #endregion docs` (`#` comments in configs). */
function region(file: string): string {
  const text = readFileSync(new URL(file, docsDir), 'utf8')
  const match = /(?:\/\/|#) #region docs\n([\s\S]*?)(?:\/\/|#) #endregion docs\n/.exec(text)
  if (!match) throw new Error(`${file} has no #region docs`)
  return match[1] as string
}

/** Every `<!-- snippet: path -->` followed by a fenced block, in every docs page. */
function markedBlocks(): { page: string; file: string; code: string }[] {
  const blocks: { page: string; file: string; code: string }[] = []
  const pages = readdirSync(docsDir).filter((f) => f.endsWith('.md'))
  const readme = ['../README.md']
  for (const page of [...pages, ...readme]) {
    const text = readFileSync(new URL(page, docsDir), 'utf8')
    for (const m of text.matchAll(/<!-- snippet: (\S+) -->\n```\w*\n([\s\S]*?)```\n/g)) {
      blocks.push({ page, file: m[1] as string, code: m[2] as string })
    }
  }
  return blocks
}

/** Opens an EventSource and resolves with the data of its first event of `type`. */
function firstEvent(
  url: string,
  type: string,
  init: ConstructorParameters<typeof EventSource>[1] = {},
) {
  const source = new EventSource(url, init)
  const opened = new Promise<void>((resolve, reject) => {
    source.addEventListener('open', () => resolve(), { once: true })
    source.addEventListener('error', (e) => reject(new Error(e.message)), {
      once: true,
    })
  })
  const event = new Promise<string>((resolve) =>
    source.addEventListener(type, (e) => resolve((e as MessageEvent<string>).data), { once: true }),
  )
  return { source, opened, event }
}

const originOf = (server: Server) => `http://127.0.0.1:${(server.address() as AddressInfo).port}`
const listening = (server: Server) =>
  server.listening ? Promise.resolve() : new Promise((resolve) => server.once('listening', resolve))

describe('docs snippets', () => {
  it('every marked code block is its snippet file, word for word', () => {
    const blocks = markedBlocks()
    expect(blocks.length).toBeGreaterThan(5)
    for (const { page, file, code } of blocks) {
      expect(
        code,
        `${page}: the block of ${file} differs from the file; copy the file's #region docs`,
      ).toBe(region(file))
    }
  })

  it('every snippet file is shown in a docs page', () => {
    const shown = new Set(markedBlocks().map((b) => b.file))
    const files = readdirSync(snippetsDir).filter(
      (f) => (f.endsWith('.ts') || f.endsWith('.conf')) && !f.endsWith('.test.ts'),
    )
    for (const file of files) expect(shown, file).toContain(`snippets/${file}`)
  })
})

describe('server snippets deliver a published event to @sprinkler/client', () => {
  /** Waits for an open client, publishes, checks the event arrives. */
  async function roundTrip(
    url: string,
    news: ReturnType<typeof createChannel>,
    init: ConstructorParameters<typeof EventSource>[1] = {},
  ) {
    const { source, opened, event } = firstEvent(url, 'headline', init)
    try {
      await opened
      news.publish({ event: 'headline', data: { title: 'Hello' } })
      expect(JSON.parse(await event)).toEqual({ title: 'Hello' })
    } finally {
      source.close()
    }
  }

  it('node:http', async () => {
    const snippet = await import('./snippets/server-node.js')
    const server = snippet.start(0)
    await listening(server)
    await roundTrip(`${originOf(server)}/events`, snippet.news)
    await snippet.stop()
  })

  it('node:http behind the fast path (and the rest of the app still answers)', async () => {
    const snippet = await import('./snippets/server-fast-path.js')
    const server = snippet.start(0)
    await new Promise((resolve) =>
      server.listening ? resolve(null) : server.once('listening', resolve),
    )
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    await roundTrip(`${origin}/events`, snippet.news)
    expect(await (await fetch(`${origin}/other`)).text()).toBe('the rest of your app')
    await snippet.stop()
  })

  it('Express', async () => {
    const snippet = await import('./snippets/server-express.js')
    const server = snippet.start(0)
    await listening(server)
    const origin = originOf(server)
    const { source, opened, event } = firstEvent(`${origin}/events`, 'headline')
    await opened
    // Published by the app's own route this time.
    const posted = await fetch(`${origin}/headlines`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'Posted' }),
    })
    expect(posted.status).toBe(204)
    expect(JSON.parse(await event)).toEqual({ title: 'Posted' })
    source.close()
    await snippet.close()
    await new Promise((resolve) => server.close(resolve))
  })

  it('Hono', async () => {
    const snippet = await import('./snippets/server-hono.js')
    const server = snippet.start(0) as Server
    await listening(server)
    await roundTrip(`${originOf(server)}/events`, snippet.news)
    await snippet.close()
    await new Promise((resolve) => server.close(resolve))
  })

  it('Fastify', async () => {
    const snippet = await import('./snippets/server-fastify.js')
    const app = await snippet.start(0)
    await roundTrip(`${originOf(app.server)}/events`, snippet.news)
    await app.close()
  })

  it('web runtimes (Request → Response), served here by @hono/node-server', async () => {
    const snippet = await import('./snippets/server-web.js')
    const server = serve({ fetch: snippet.events, port: 0, hostname: '127.0.0.1' }) as Server
    await listening(server)
    await roundTrip(`${originOf(server)}/events`, snippet.news)
    await snippet.events.close()
    await new Promise((resolve) => server.close(resolve))
  })

  it('HTTP/2 with TLS', async () => {
    const snippet = await import('./snippets/server-http2.js')
    const server = snippet.start(tlsFixture, 0)
    await new Promise((resolve) => server.once('listening', resolve))
    const h2 = http2Fetch()
    const url = `https://localhost:${(server.address() as AddressInfo).port}/events`
    await roundTrip(url, snippet.news, { fetch: h2.fetch })
    await snippet.close()
    await h2.close()
    await new Promise((resolve) => server.close(resolve))
  })
})

describe('core snippet', () => {
  it('encodes, and parses text in chunks and byte streams', async () => {
    const { frame, parseText, parseBody } = await import('./snippets/core-wire.js')
    expect(frame).toBe('event: score\nid: 42\ndata: line one\ndata: line two\n\n')
    // Cut anywhere, even inside a field name: the same event.
    const expected = [{ type: 'score', data: 'line one\nline two', lastEventId: '42' }]
    expect(parseText([frame.slice(0, 9), frame.slice(9)])).toEqual(expected)
    const bytes = new TextEncoder().encode(`\uFEFF${frame}`)
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const byte of bytes) controller.enqueue(Uint8Array.of(byte))
        controller.close()
      },
    })
    const events = []
    for await (const event of parseBody(new Response(body))) events.push(event)
    expect(events).toEqual(expected)
  })
})

describe('client snippet', () => {
  it('sends a Bearer token, and a fresh one when it reconnects after the old one expired', async () => {
    const { followNotifications } = await import('./snippets/client-bearer.js')
    const valid = new Set(['token-1'])
    const seen: string[] = []
    const notifications = createChannel()
    const events = createSseHandler({
      authorize: (request) => {
        const token = request.header('authorization')?.replace(/^Bearer /, '') ?? ''
        seen.push(token)
        return valid.has(token) ? { user: 'alice' } : refuse(401, 'Expired.')
      },
      onStream: (stream) => void notifications.subscribe(stream),
    })
    const server = (await import('node:http')).createServer((req, res) => void events(req, res))
    server.listen(0, '127.0.0.1')
    await listening(server)
    let n = 0
    const received: unknown[] = []
    const warn = console.warn
    console.warn = () => {}
    const source = followNotifications(
      `${originOf(server)}/notifications`,
      async () => `token-${++n}`,
      (data) => received.push(data),
    )
    try {
      const poll = { timeout: 15_000 }
      await expect.poll(() => events.endpoint.stats.active, poll).toBe(1)
      // The token expires; the server ends the stream; the client reconnects with a new one.
      valid.clear()
      valid.add('token-2')
      for (const stream of events.endpoint.streams) stream.close()
      // It waits about a second (retry.initialDelayMs, with jitter) before reconnecting.
      await expect.poll(() => seen.at(-1), poll).toBe('token-2')
      await expect.poll(() => events.endpoint.stats.active, poll).toBe(1)
      notifications.publish({ event: 'notification', data: { unread: 3 } })
      await expect.poll(() => received, poll).toEqual([{ unread: 3 }])
      expect(seen).toEqual(['token-1', 'token-2'])
    } finally {
      console.warn = warn
      source.close()
      await events.close()
      await new Promise((resolve) => server.close(resolve))
    }
  })
})

describe('hub snippets', () => {
  const KEY = 'docs-snippet-secret-long-enough-for-hs256'

  it('an embedded hub: app code publishes into it, an anonymous browser-like client receives', async () => {
    const { start } = await import('./snippets/hub-embed.js')
    const { hub, server } = await start(KEY, 0)
    await listening(server)
    const origin = originOf(server)
    const { source, opened, event } = firstEvent(
      `${origin}/.well-known/mercure?topic=/orders`,
      'message',
    )
    await opened
    expect((await fetch(`${origin}/orders`, { method: 'POST' })).status).toBe(202)
    expect(JSON.parse(await event)).toEqual({ status: 'placed' })
    source.close()
    await hub.close()
    await new Promise((resolve) => server.close(resolve))
  })

  it('a backend publishes with a JWT; the cookie login lets only its user read private updates', async () => {
    const [{ start }, { publish }, { setHubCookie }] = await Promise.all([
      import('./snippets/hub-embed.js'),
      import('./snippets/hub-publish.js'),
      import('./snippets/auth-cookie.js'),
    ])
    const { hub, server } = await start(KEY, 0)
    await listening(server)
    const hubUrl = `${originOf(server)}/.well-known/mercure`
    // What setHubCookie puts in Set-Cookie, as a browser would send it back.
    const headers = new Map<string, string>()
    await setHubCookie(
      { setHeader: (name: string, value: string) => headers.set(name, value) } as never,
      'alice',
      KEY,
    )
    const setCookie = headers.get('Set-Cookie') ?? ''
    expect(setCookie).toMatch(/; HttpOnly; Secure; SameSite=Strict;/)
    const cookie = setCookie.split(';')[0] as string
    const topic = '/users/alice/inbox'
    const alice = firstEvent(`${hubUrl}?topic=${topic}`, 'mail', { headers: { cookie } })
    const stranger = firstEvent(`${hubUrl}?topic=${topic}`, 'mail')
    await Promise.all([alice.opened, stranger.opened])
    await publish(hubUrl, KEY, { topic, data: 'private', private: true, type: 'mail' })
    await publish(hubUrl, KEY, { topic, data: 'public', type: 'mail' })
    expect(await alice.event).toBe('private')
    expect(await stranger.event).toBe('public')
    // A token in the URL is refused by this hub (allowQueryToken: false).
    const token = cookie.slice('mercureAuthorization='.length)
    expect((await fetch(`${hubUrl}?topic=${topic}&authorization=${token}`)).status).toBe(401)
    alice.source.close()
    stranger.source.close()
    await hub.close()
    await new Promise((resolve) => server.close(resolve))
  })
})
