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
 * Bundles the page script and its worker (with @sprinkler/client and anser) (esbuild, in memory, at start: nothing to
 * build before running) and returns the assets by URL path.
 */
export async function bundlePage(): Promise<Map<string, Asset>> {
  const result = await build({
    entryPoints: {
      logs: fileURLToPath(new URL('logs.ts', BROWSER_DIR)),
      worker: fileURLToPath(new URL('worker.ts', BROWSER_DIR)),
    },
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

/** The terminal page: the toolbar, the line view, a panel for one line, and the script. */
export function pageHtml(options: { signOut: boolean }): string {
  const signOut = options.signOut
    ? '<form method="post" action="/logout" class="sign-out"><button>Sign out</button></form>'
    : ''
  const levels = ['error', 'warn', 'info', 'debug']
    .map(
      (level) =>
        `<label class="level-${level}"><input type="checkbox" id="level-${level}" checked> ${level}</label>`,
    )
    .join('')
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>sprinkler logs</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/assets/logs.css">
</head>
<body>
<header>
<strong>sprinkler logs</strong>
<span id="connection" class="connection" role="status">connecting</span>
<select id="source" aria-label="Source"><option value="">all sources</option></select>
<input id="filter" type="search" placeholder="Filter (/)" aria-label="Filter" autocomplete="off" spellcheck="false">
<label><input type="checkbox" id="regex"> regex</label>
<label><input type="checkbox" id="case"> case</label>
<label><input type="checkbox" id="invert"> invert</label>
<select id="mode" aria-label="Filter mode"><option value="filter">only matching</option><option value="highlight">highlight</option></select>
<span class="levels">${levels}</span>
<label title="Wrap long lines (w)"><input type="checkbox" id="wrap"> wrap</label>
<label title="Show when the server read each line (t)"><input type="checkbox" id="timestamps"> time</label>
<button id="pause" aria-pressed="false">Pause</button>
<button id="follow" aria-pressed="true" title="Follow the end (End)">Follow</button>
<button id="download">Download</button>
${signOut}
</header>
<div id="sources" class="sources"></div>
<div id="dropped" class="dropped" hidden></div>
<main id="lines" class="lines"><div id="spacer" class="spacer"><div id="rows" class="rows"></div></div></main>
<aside id="detail" class="detail" hidden>
<button id="copy">Copy</button> <button id="json">Pretty JSON</button> <button id="context">Show in context</button> <button id="close-detail" aria-label="Close">×</button>
<pre id="detail-text"></pre>
</aside>
<script type="module" src="/assets/logs.js"></script>
</body>
</html>
`
}
