import { build } from 'esbuild'
import { onTestFinished } from 'vitest'
import type { Engine, Tab } from '../../../test-support/browser.js'
import type * as client from '../src/index.js'
import type { TestServer } from '../test/server.js'

/** What the test page exposes on `window`. */
export interface PageGlobals {
  client: typeof client
  /** Scratch space for what a page records; read it back with `tab.evaluate`. */
  seen: Record<string, string[]>
}

/**
 * Bundles the client as a browser app would (esbuild, ESM, code splitting so `shared: true`
 * loads its chunk on demand), in memory, and serves it with a page that imports it from
 * `server`'s origin. Returns the URL of the page.
 */
export async function serveClient(server: TestServer): Promise<string> {
  const result = await build({
    entryPoints: { index: new URL('../src/index.ts', import.meta.url).pathname },
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    conditions: ['sprinkler-source'],
    outdir: '/client',
    write: false,
    logLevel: 'silent',
  })
  for (const file of result.outputFiles) {
    server.route(file.path, (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/javascript' }).end(file.contents)
    })
  }
  server.route('/', (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' }).end(`<!doctype html>
<meta charset="utf-8"><title>client e2e</title>
<script type="module">
  import * as client from '/client/index.js'
  window.client = client
  window.seen = {}
</script>`)
  })
  return server.url('/')
}

/** A new tab of `engine` with the client loaded; it closes when the current test ends. */
export async function openPage(engine: Engine, url: string): Promise<Tab> {
  const tab = await engine.newTab(url)
  onTestFinished(() => tab.close())
  await tab.waitFor(() => 'client' in window)
  return tab
}
