import { fileURLToPath } from 'node:url'
import { type Asset, bundleScripts, textAsset } from './assets.js'
import { htmlStart } from './http.js'
import { STYLE } from './style.js'

/** The page's scripts, from the package's sources (the same path from src/ and from dist/). */
const BROWSER_DIR = new URL('../src/browser/', import.meta.url)

/** The page script and its worker (with @sprinkler/client and anser), and the style sheet, by URL path. */
export async function bundlePage(): Promise<Map<string, Asset>> {
  const assets = await bundleScripts({
    logs: fileURLToPath(new URL('logs.ts', BROWSER_DIR)),
    worker: fileURLToPath(new URL('worker.ts', BROWSER_DIR)),
  })
  assets.set('/assets/logs.css', textAsset('text/css; charset=utf-8', STYLE))
  return assets
}

/** The terminal page: the toolbar, the line view, a panel for one line, and the script. */
export function pageHtml(options: { signOut: boolean; base: string }): string {
  const { base } = options
  const signOut = options.signOut
    ? `<form method="post" action="${base}/logout" class="sign-out"><button>Sign out</button></form>`
    : ''
  const levels = ['error', 'warn', 'info', 'debug']
    .map(
      (level) =>
        `<label class="level-${level}"><input type="checkbox" id="level-${level}" checked> ${level}</label>`,
    )
    .join('')
  return `${htmlStart('sprinkler logs')}
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${base}/assets/logs.css">
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
<script type="module" src="${base}/assets/logs.js"></script>
</body>
</html>
`
}
