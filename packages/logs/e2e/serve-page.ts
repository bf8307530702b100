/** Test helper: the log terminal's page and stream on 127.0.0.1, port 0, for browser tests. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createFastPath } from '@sprinkler/server/node'
import type { Browser, Page } from 'playwright-core'
import { createLogApp, EVENTS_PATH, type LogApp, type LogAppOptions } from '../src/app.js'
import type { LogFeed } from '../src/feed.js'
import { followFile } from '../src/sources/file.js'

export interface ServedPage {
  url: string
  app: LogApp
  /** Every open connection (page, assets, stream), to drop them for real. */
  sockets: Set<Socket>
  close(): Promise<void>
}

/**
 * Serves `createLogApp(options)`; with `fastPath`, the stream is served from the socket, as
 * `sprinkler logs` serves it. `close` ends the feed's streams and every connection.
 */
export async function servePage(
  options: LogAppOptions,
  { fastPath = false } = {},
): Promise<ServedPage> {
  const app = await createLogApp(options)
  const http = createServer((req, res) => {
    app.routes(req, res).then((handled) => {
      if (!handled) res.writeHead(404).end()
    })
  })
  const server: Server | ReturnType<typeof createFastPath> = fastPath
    ? createFastPath(http, app.events.endpoint, { path: EVENTS_PATH })
    : http
  const sockets = new Set<Socket>()
  server.on('connection', (socket: Socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    app,
    sockets,
    async close() {
      options.feed.close()
      await app.events.close({ timeoutMs: 1000 })
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    },
  }
}

/** A new tab of `browser` on the page at `url`, once its stream is live. */
export async function openLivePage(browser: Browser, url: string): Promise<Page> {
  const page = await browser.newPage()
  await page.goto(url)
  await page.waitForSelector('#connection[data-state=live]')
  return page
}

export interface FollowedFile {
  /** The file's path, in a fresh temporary folder: append lines to it. */
  path: string
  /** Stops following and removes the folder. */
  close(): Promise<void>
}

/** A new file `app.log` holding `text`, followed as a source of `feed`. */
export function followedFile(feed: LogFeed, text = ''): FollowedFile {
  const dir = mkdtempSync(join(tmpdir(), 'sprinkler-logs-page-'))
  const path = join(dir, 'app.log')
  writeFileSync(path, text)
  const source = followFile(feed.addSource({ name: 'app.log', kind: 'file' }), path)
  return {
    path,
    async close() {
      await source.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
