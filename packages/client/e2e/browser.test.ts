// The bundled client in real Chromium, served from 127.0.0.1 by a node:http server.
import type { ServerResponse } from 'node:http'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, expect, it, vi } from 'vitest'
import { describeBrowser, launchChromium } from '../../../test-support/browser.js'
import { type SeenRequest, sse, startServer, type TestServer } from '../test/server.js'
import { openPage, type PageGlobals, serveClient } from './page.js'

let browser: Browser
let server: TestServer
let pageUrl: string

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
/** The Last-Event-ID a browser sent, as text (Node hands header bytes over as latin1). */
const lastEventId = (request: SeenRequest | undefined) => {
  const header = request?.headers['last-event-id']
  return header === undefined ? undefined : Buffer.from(String(header), 'latin1').toString('utf8')
}

describeBrowser('@sprinkler/client in Chromium', () => {
  beforeAll(async () => {
    server = await startServer()
    ;[browser, pageUrl] = await Promise.all([launchChromium(), serveClient(server)])
  })

  afterAll(async () => {
    await browser?.close()
    await server?.close()
  })

  it('receives events with a Bearer header, refreshed for every connection', async () => {
    server.route('/auth', (req, res, { n }) => {
      const auth = req.headers.authorization
      if (!auth?.startsWith('Bearer ')) {
        res.writeHead(401).end()
        return
      }
      sse(res)
      const event = `id: ${n}\ndata: ${n} ${auth}\n\n`
      if (n < 3) res.end(`retry: 0\n${event}`)
      else res.write(event)
    })
    const { page } = await openPage(browser, pageUrl)
    try {
      await page.evaluate(() => {
        const w = window as unknown as PageGlobals
        let token = 0
        const source = new w.client.EventSource('/auth', {
          headers: () => ({ Authorization: `Bearer tok-${++token}` }),
        })
        w.seen.auth = []
        source.onmessage = (event) => w.seen.auth?.push(event.data)
      })
      await page.waitForFunction(() => (window as unknown as PageGlobals).seen.auth?.length === 3)
      expect(await page.evaluate(() => (window as unknown as PageGlobals).seen.auth)).toEqual([
        '1 Bearer tok-1',
        '2 Bearer tok-2',
        '3 Bearer tok-3',
      ])
      expect(server.requests('/auth').map(lastEventId)).toEqual([undefined, '1', '2'])
    } finally {
      await page.close()
    }
  })

  it('reconnects after the server drops the connection and resumes without loss', async () => {
    const events = Array.from({ length: 10 }, (_, i) => `id: ${i + 1}\ndata: ${i + 1}\n\n`)
    let first: ServerResponse | undefined
    server.route('/ticker', (_req, res, { n, request }) => {
      sse(res)
      if (n === 1) {
        first = res
        res.write(`retry: 0\n${events.slice(0, 5).join('')}`)
      } else res.write(events.slice(Number(lastEventId(request))).join(''))
    })
    const { page } = await openPage(browser, pageUrl)
    const seen = (name: string, count: number) =>
      page.waitForFunction(
        ([name, count]) => (window as unknown as PageGlobals).seen[name]?.length === count,
        [name, count] as const,
      )
    try {
      await page.evaluate(() => {
        const w = window as unknown as PageGlobals
        const source = new w.client.EventSource('/ticker')
        w.seen.ticker = []
        w.seen.errors = []
        source.onmessage = (event) => w.seen.ticker?.push(event.data)
        source.onerror = (event) => w.seen.errors?.push(event.code)
      })
      await seen('ticker', 5)
      // The server drops the connection abruptly (no end of stream): a network error.
      first?.socket?.destroy()
      await seen('ticker', 10)
      const { ticker, errors } = await page.evaluate(() => (window as unknown as PageGlobals).seen)
      expect(ticker).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9', '10'])
      expect(errors).toEqual(['ERR_SSE_NETWORK'])
      expect(server.requests('/ticker').map(lastEventId)).toEqual([undefined, '5'])
    } finally {
      await page.close()
    }
  })

  it('native EventSource and ours receive identical events from the same tricky stream', async () => {
    const utf8 = (text: string) => Buffer.from(text, 'utf8')
    const emoji = utf8('😀')
    const chunks = [
      Buffer.from([0xef, 0xbb]), // the BOM, split
      Buffer.concat([Buffer.from([0xbf]), utf8(': a comment\r\nretry: 0\r\n')]),
      utf8('id: 1\r\ndata: first\r\n\r\n'),
      utf8('event: update\rdata: multi\rdata: line\r\r'),
      utf8('data: caf'),
      Buffer.from([0xc3]), // é, split
      Buffer.concat([Buffer.from([0xa9]), utf8(' au lait ')]),
      emoji.subarray(0, 2), // 😀, split
      Buffer.concat([emoji.subarray(2), utf8('\n\n')]),
      utf8('data: split crlf\r'),
      utf8('\n\r\n'),
      utf8('data: no id\n\nid: ünï-✓\ndata\n\n'),
      utf8(': ping\n\ndata:  two spaces\ndata:\n\nunknown: x\nid: 2\0\ndata: nul id ignored\n\n'),
      utf8('event: update\nid\ndata: id reset\n\nid: ünï-✓\n\ndata: cut off at the end'),
    ]
    const route = async (res: ServerResponse, n: number, request: SeenRequest) => {
      sse(res)
      if (n > 1) {
        res.write(`data: reconnected with ${lastEventId(request)}\n\n`)
        return
      }
      for (const chunk of chunks) {
        res.write(chunk)
        await pause(5) // separate network reads (the results must not depend on it)
      }
      res.end()
    }
    server.route('/tricky/native', (_req, res, { n, request }) => route(res, n, request))
    server.route('/tricky/ours', (_req, res, { n, request }) => route(res, n, request))
    const { page } = await openPage(browser, pageUrl)
    try {
      await page.evaluate(() => {
        const w = window as unknown as PageGlobals
        const sources = {
          native: new EventSource('/tricky/native'),
          ours: new w.client.EventSource('/tricky/ours'),
        }
        for (const [name, source] of Object.entries(sources)) {
          const seen: string[] = []
          w.seen[name] = seen
          const listener = (event: Event) => {
            const e = event as MessageEvent
            seen.push(JSON.stringify([e.type, e.data, e.lastEventId, e.origin]))
            if (seen.length === 10) source.close()
          }
          source.addEventListener('message', listener)
          source.addEventListener('update', listener)
        }
      })
      await page.waitForFunction(() => {
        const { native, ours } = (window as unknown as PageGlobals).seen
        return native?.length === 10 && ours?.length === 10
      })
      const { native, ours } = await page.evaluate(() => (window as unknown as PageGlobals).seen)
      expect(ours).toEqual(native)
      expect(ours?.map((e) => JSON.parse(e).slice(0, 3))).toEqual([
        ['message', 'first', '1'],
        ['update', 'multi\nline', '1'],
        ['message', 'café au lait 😀', '1'],
        ['message', 'split crlf', '1'],
        ['message', 'no id', '1'],
        ['message', '', 'ünï-✓'],
        ['message', ' two spaces\n', 'ünï-✓'],
        ['message', 'nul id ignored', 'ünï-✓'],
        ['update', 'id reset', ''],
        ['message', 'reconnected with ünï-✓', 'ünï-✓'],
      ])
    } finally {
      await page.close()
    }
  })

  it('with shared: true three tabs hold one connection and all receive every event; another tab takes over', async () => {
    const history: string[] = []
    const live = new Set<ServerResponse>()
    const publish = (data: string) => {
      const event = `id: ${history.length + 1}\ndata: ${data}\n\n`
      history.push(event)
      for (const res of live) res.write(event)
    }
    server.route('/shared', (_req, res, { request }) => {
      sse(res)
      res.write(history.slice(Number(lastEventId(request) ?? history.length)).join(''))
      live.add(res)
      res.on('close', () => live.delete(res))
    })
    const context = await browser.newContext()
    try {
      const tabs: Page[] = []
      for (let i = 0; i < 3; i++) {
        const { page } = await openPage(context, pageUrl)
        await page.evaluate(() => {
          const w = window as unknown as PageGlobals
          const source = new w.client.EventSource('/shared', { shared: true })
          w.seen.data = []
          w.seen.states = []
          source.onopen = () => w.seen.states?.push('open')
          source.onerror = (event) => w.seen.states?.push(`error ${event.code}`)
          source.onmessage = (event) => w.seen.data?.push(`${event.data} #${event.lastEventId}`)
        })
        tabs.push(page)
      }
      const received = (count: number) =>
        Promise.all(
          tabs.map((tab) =>
            tab.isClosed()
              ? undefined
              : tab.waitForFunction(
                  (count) => (window as unknown as PageGlobals).seen.data?.length === count,
                  count,
                ),
          ),
        )
      const read = (key: string) =>
        Promise.all(
          tabs
            .filter((tab) => !tab.isClosed())
            .map((tab) => tab.evaluate((key) => (window as unknown as PageGlobals).seen[key], key)),
        )
      await Promise.all(
        tabs.map((tab) =>
          tab.waitForFunction(() => (window as unknown as PageGlobals).seen.states?.[0] === 'open'),
        ),
      )
      expect(server.requests('/shared')).toHaveLength(1)
      expect(live.size).toBe(1)
      for (const data of ['a', 'b', 'c']) publish(data)
      await received(3)
      expect(await read('data')).toEqual(Array(3).fill(['a #1', 'b #2', 'c #3']))
      expect(live.size).toBe(1)

      // The first tab holds the connection; when it goes, another one reconnects from #3.
      await tabs[0]?.close()
      await server.request('/shared', 2)
      expect(lastEventId(server.requests('/shared')[1])).toBe('3')
      await vi.waitFor(() => expect(live.size).toBe(1))
      publish('d')
      await received(4)
      expect(await read('data')).toEqual(Array(2).fill(['a #1', 'b #2', 'c #3', 'd #4']))
      expect(await read('states')).toEqual(Array(2).fill(['open', 'error ERR_SSE_NETWORK', 'open']))
      expect(server.requests('/shared')).toHaveLength(2)
    } finally {
      await context.close()
    }
  })

  it('reconnects at once when the browser comes back online instead of waiting out the backoff', async () => {
    server.route('/online', (_req, res, { n }) => {
      sse(res)
      if (n === 1) res.end('data: before\n\n')
      else res.write('data: after\n\n')
    })
    const context = await browser.newContext()
    try {
      const { page } = await openPage(context, pageUrl)
      await page.evaluate(() => {
        const w = window as unknown as PageGlobals
        const source = new w.client.EventSource('/online', {
          retry: { initialDelayMs: 600_000, jitter: 0 },
        })
        w.seen.data = []
        source.onmessage = (event) => w.seen.data?.push(event.data)
        source.onerror = (event) => w.seen.data?.push(event.code)
      })
      await page.waitForFunction(() => (window as unknown as PageGlobals).seen.data?.length === 2)
      await context.setOffline(true)
      await context.setOffline(false)
      await page.waitForFunction(() => (window as unknown as PageGlobals).seen.data?.length === 3)
      expect(await page.evaluate(() => (window as unknown as PageGlobals).seen.data)).toEqual([
        'before',
        'ERR_SSE_NETWORK',
        'after',
      ])
    } finally {
      await context.close()
    }
  })

  it('cross-origin: withCredentials sends cookies, and a reconnection with Last-Event-ID passes CORS', async () => {
    const other = await startServer()
    const context = await browser.newContext()
    try {
      const cors = {
        'access-control-allow-origin': server.origin,
        'access-control-allow-credentials': 'true',
      }
      other.route('/cors', (req, res, { request }) => {
        if (req.method === 'OPTIONS') {
          // A fetch-based client sends Last-Event-ID (and Authorization) as ordinary headers,
          // so a cross-origin reconnection is preflighted; the native EventSource is not.
          res.writeHead(204, { ...cors, 'access-control-allow-headers': 'last-event-id' }).end()
          return
        }
        sse(res, cors)
        const cookie = req.headers.cookie ?? 'no cookie'
        const resumed = lastEventId(request)
        if (resumed) res.write(`data: resumed from ${resumed} with ${cookie}\n\n`)
        else res.end(`retry: 0\nid: 1\ndata: ${cookie}\n\n`)
      })
      await context.addCookies([
        { name: 'session', value: 's3cret', domain: '127.0.0.1', path: '/', sameSite: 'Lax' },
      ])
      const { page } = await openPage(context, pageUrl)
      await page.evaluate((url) => {
        const w = window as unknown as PageGlobals
        for (const withCredentials of [true, false]) {
          const name = String(withCredentials)
          const seen: string[] = []
          w.seen[name] = seen
          const source = new w.client.EventSource(url, { withCredentials })
          source.onmessage = (event) => {
            seen.push(event.data)
            if (seen.length === 2) source.close()
          }
        }
      }, other.url('/cors'))
      await page.waitForFunction(() => {
        const { seen } = window as unknown as PageGlobals
        return seen.true?.length === 2 && seen.false?.length === 2
      })
      const seen = await page.evaluate(() => (window as unknown as PageGlobals).seen)
      expect(seen.true).toEqual(['session=s3cret', 'resumed from 1 with session=s3cret'])
      expect(seen.false).toEqual(['no cookie', 'resumed from 1 with no cookie'])
      expect(other.requests('/cors').filter((r) => r.method === 'OPTIONS')).toHaveLength(2)
    } finally {
      await context.close()
      await other.close()
    }
  })
})
