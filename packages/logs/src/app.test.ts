import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLogApp } from './app.js'
import { LogFeed } from './feed.js'

describe('the log terminal mounted below a path (basePath)', () => {
  let feed: LogFeed
  let server: Server
  let url: string

  beforeAll(async () => {
    feed = new LogFeed()
    feed.addSource({ name: 'app', kind: 'app' }).line('mounted line', 12)
    const app = await createLogApp({ feed, basePath: '/logs', password: 'pw' })
    server = createServer((req, res) => {
      app.routes(req, res).then((handled) => {
        // What the terminal does not serve is the host app's.
        if (!handled) res.writeHead(418).end()
      })
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })

  afterAll(async () => {
    feed?.close()
    server?.closeAllConnections()
    await new Promise((resolve) => server?.close(resolve))
  })

  const bearer = { authorization: 'Bearer pw' }

  it('serves the page at /logs and /logs/, with its assets and forms below /logs', async () => {
    for (const path of ['/logs', '/logs/']) {
      const page = await fetch(`${url}${path}`, { headers: bearer })
      expect(page.status).toBe(200)
      const html = await page.text()
      expect(html).toContain('src="/logs/assets/logs.js"')
      expect(html).toContain('href="/logs/assets/logs.css"')
      expect(html).toContain('action="/logs/logout"')
    }
    expect((await fetch(`${url}/logs/assets/worker.js`)).status).toBe(200)
    // Signing in happens below the base too, and comes back to it.
    const login = await (await fetch(`${url}/logs`)).text()
    expect(login).toContain('action="/logs/login"')
  })

  it('streams at /logs/events', async () => {
    const res = await fetch(`${url}/logs/events`, { headers: bearer })
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/)
    const reader = (res.body as ReadableStream<Uint8Array>).getReader()
    let text = ''
    while (!text.includes('mounted line')) {
      const { value, done } = await reader.read()
      if (done) break
      text += new TextDecoder().decode(value)
    }
    await reader.cancel()
    expect(text).toContain('mounted line')
  })

  it('leaves every other path to the host app, the root and look-alikes included', async () => {
    for (const path of ['/', '/events', '/assets/logs.js', '/login', '/logsx', '/other/logs']) {
      expect((await fetch(`${url}${path}`, { headers: bearer })).status).toBe(418)
    }
  })

  it('refuses a base that is not a plain path', async () => {
    for (const basePath of ['logs', '/logs/', '/a b', '/"><script>']) {
      await expect(createLogApp({ feed, basePath })).rejects.toThrow(TypeError)
    }
  })
})
