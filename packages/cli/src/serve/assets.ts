import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { FAVICON, STYLE } from './html.js'

/** The page scripts, from the package's sources (the same path from src/ and from dist/). */
const BROWSER_DIR = new URL('../../src/serve/browser/', import.meta.url)

export interface Asset {
  contentType: string
  body: Uint8Array
}

/**
 * Bundles every page script with @sprinkler/client (esbuild, in memory, at startup: nothing to
 * build before `npm start`), with the shared code split into chunks the pages load once.
 * Returns the files by URL path (`/assets/…`).
 */
export async function bundleAssets(entries: readonly string[]): Promise<Map<string, Asset>> {
  const result = await build({
    entryPoints: Object.fromEntries(
      entries.map((name) => [name, fileURLToPath(new URL(`${name}.ts`, BROWSER_DIR))]),
    ),
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    conditions: ['sprinkler-source'],
    outdir: '/assets',
    write: false,
    logLevel: 'silent',
  })
  const assets = new Map<string, Asset>()
  for (const file of result.outputFiles) {
    assets.set(file.path, { contentType: 'text/javascript; charset=utf-8', body: file.contents })
  }
  assets.set('/assets/style.css', {
    contentType: 'text/css; charset=utf-8',
    body: new TextEncoder().encode(STYLE),
  })
  assets.set('/assets/favicon.svg', {
    contentType: 'image/svg+xml',
    body: new TextEncoder().encode(FAVICON),
  })
  return assets
}
