import { fileURLToPath } from 'node:url'
import { type Asset, bundleScripts, textAsset } from '@sprinkler/logs/internal'
import { FAVICON, STYLE } from './html.js'

/** The page scripts, from the package's sources (the same path from src/ and from dist/). */
const BROWSER_DIR = new URL('../../src/serve/browser/', import.meta.url)

/**
 * Every page script with @sprinkler/client, the shared code split into chunks the pages load
 * once, and the style sheet and icon: the files by URL path (`/assets/…`).
 */
export async function bundleAssets(entries: readonly string[]): Promise<Map<string, Asset>> {
  const assets = await bundleScripts(
    Object.fromEntries(
      entries.map((name) => [name, fileURLToPath(new URL(`${name}.ts`, BROWSER_DIR))]),
    ),
    { splitting: true },
  )
  assets.set('/assets/style.css', textAsset('text/css; charset=utf-8', STYLE))
  assets.set('/assets/favicon.svg', textAsset('image/svg+xml', FAVICON))
  return assets
}
