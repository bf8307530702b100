// Browser scripts bundled at start and served from memory, for the log terminal and
// `sprinkler serve` (through the package's `./internal` subpath, which is not public API).
import type { NodeResponse } from '@sprinkler/server/node'
import { build } from 'esbuild'
import { send } from './http.js'

export interface Asset {
  contentType: string
  body: Uint8Array
}

/**
 * Bundles browser entry points (name → file path) with their imports, @sprinkler/client
 * included (esbuild, in memory: nothing to build before running). With `splitting`, code the
 * entries share goes to chunks loaded once. Returns the files by URL path under `/assets/`.
 */
export async function bundleScripts(
  entryPoints: Record<string, string>,
  options: { splitting?: boolean } = {},
): Promise<Map<string, Asset>> {
  const result = await build({
    entryPoints,
    bundle: true,
    splitting: options.splitting ?? false,
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
  return assets
}

/** A style sheet or other text file as an asset. */
export function textAsset(contentType: string, text: string): Asset {
  return { contentType, body: new TextEncoder().encode(text) }
}

/** Assets may be cached, but are checked again on every use (they change with the sources). */
export function sendAsset(res: NodeResponse, asset: Asset): void {
  send(res, 200, asset.contentType, asset.body, { 'cache-control': 'no-cache' })
}
