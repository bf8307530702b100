import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { STYLE } from './style.js'

/** The page's scripts, from the package's sources (the same path from src/ and from dist/). */
const BROWSER_DIR = new URL('../src/browser/', import.meta.url)

export interface Asset {
  contentType: string
  body: Uint8Array
}

/**
 * Bundles the page script with @sprinkler/client (esbuild, in memory, at start: nothing to
 * build before running) and returns the assets by URL path.
 */
export async function bundlePage(): Promise<Map<string, Asset>> {
  const result = await build({
    entryPoints: { logs: fileURLToPath(new URL('logs.ts', BROWSER_DIR)) },
    bundle: true,
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
  assets.set('/assets/logs.css', {
    contentType: 'text/css; charset=utf-8',
    body: new TextEncoder().encode(STYLE),
  })
  return assets
}

/** The terminal page: a toolbar, the line view, and the script that fills it. */
export function pageHtml(options: { signOut: boolean }): string {
  const signOut = options.signOut
    ? '<form method="post" action="/logout" class="sign-out"><button>Sign out</button></form>'
    : ''
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>sprinkler logs</title>
<link rel="stylesheet" href="/assets/logs.css">
</head>
<body>
<header>
<strong>sprinkler logs</strong>
<span id="connection" class="connection" role="status">connecting…</span>
<span id="sources" class="sources"></span>
${signOut}
</header>
<main id="lines" class="lines" aria-live="off"></main>
<script type="module" src="/assets/logs.js"></script>
</body>
</html>
`
}
