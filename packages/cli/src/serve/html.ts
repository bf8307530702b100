import { escapeHtml, htmlStart } from '@sprinkler/logs/internal'
import type { Demo, PageConfig, PageRequest } from './demo.js'

/** A demo page: the shared layout, the demo's markup, its config and its script. */
export function demoPage(
  demo: Demo,
  demos: readonly Demo[],
  page: PageRequest,
  config: PageConfig,
): string {
  // `<` is escaped so that no value can close the script element.
  const json = JSON.stringify(config).replace(/</g, '\\u003c')
  return layout(
    demo.title,
    demos,
    config.user,
    `<h1>${escapeHtml(demo.title)}</h1>
${demo.body(page)}
<script type="application/json" id="demo-config">${json}</script>
<script type="module" src="/assets/${demo.slug}.js"></script>`,
    demo.slug,
  )
}

/** The index: one card per demo, the sign-in state, and where to go next. */
export function indexPage(
  demos: readonly Demo[],
  page: PageRequest,
  csrf: string,
  serverLog: boolean,
): string {
  const cards = demos
    .map(
      (d) =>
        `<a class="card" href="/${d.slug}"><h2>${escapeHtml(d.title)}</h2><p>${escapeHtml(d.summary)}</p></a>`,
    )
    .join('\n')
  const signIn = !page.interactive
    ? ''
    : page.user
      ? `<form id="logout" class="inline"><span>Signed in as <strong>${escapeHtml(page.user)}</strong>.</span> <button>Sign out</button></form>`
      : '<p class="muted">Not signed in: the badge demo has a development login.</p>'
  return layout(
    'Live demos',
    demos,
    page.user,
    `<h1>Sprinkler — live demos</h1>
<p class="lead">Real-time push over Server-Sent Events. All the demo tabs you open in this
browser share <strong>one</strong> connection to the hub at <code>/.well-known/mercure</code>
(one subscription to every demo topic): one tab holds it, shown in the header, and relays its
events to the others; when that tab closes another takes over. However many demo tabs you open,
they use one of the six connections per origin a browser allows over HTTP/1.1.</p>
${signIn}
<div class="cards">${cards}</div>
<h2>From a terminal</h2>
<pre>npm run -s sprinkler -- listen /demo/broadcast          # prints what the pages get
npm run -s sprinkler -- publish /demo/broadcast "Hello"   # needs SPRINKLER_TOKEN (see the banner)</pre>
<p class="muted">Health: <a href="/healthz">/healthz</a> · Prometheus metrics: <a href="/metrics">/metrics</a>${serverLog ? ' · This server’s log (requests, demo publishes): <a id="server-log" href="/logs">/logs</a>' : ''}</p>
<script type="application/json" id="demo-config">${JSON.stringify({ csrf })}</script>
<script type="module" src="/assets/index.js"></script>`,
    '',
  )
}

function layout(
  title: string,
  demos: readonly Demo[],
  user: string | null | undefined,
  main: string,
  current: string,
): string {
  const nav = demos
    .map(
      (d) =>
        `<a href="/${d.slug}"${d.slug === current ? ' aria-current="page"' : ''}>${escapeHtml(d.title)}</a>`,
    )
    .join('')
  return `${htmlStart(`${title} · Sprinkler`)}
<link rel="icon" href="/assets/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/assets/style.css">
</head>
<body>
<header><a class="brand" href="/">${DROP} Sprinkler</a><nav>${nav}</nav>
<span class="who">${user ? escapeHtml(user) : ''}</span>
<span id="holder" class="holder"></span>
<span id="status" class="status" data-state="idle">${current ? 'connecting…' : ''}</span></header>
<main>
${main}
</main>
<div id="toasts" class="toasts" aria-live="polite"></div>
</body>
</html>
`
}

const DROP_PATH = '<path d="M7 0C5 4 0 8.5 0 11.5a7 7 0 0 0 14 0C14 8.5 9 4 7 0z" fill="#5ec2f2"/>'
const DROP = `<svg width="14" height="18" viewBox="0 0 14 18" aria-hidden="true">${DROP_PATH}</svg>`

/** The tab icon (the brand's drop): without one, browsers ask for /favicon.ico. */
export const FAVICON = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="-2 0 18 18">${DROP_PATH}</svg>`

/** The one stylesheet of the demo pages. */
export const STYLE = `
*{box-sizing:border-box}
body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;color:#18242e;background:#f5f8fa}
header{display:flex;gap:1rem;align-items:center;padding:.6rem 1.2rem;background:#0f3b57;color:#fff;flex-wrap:wrap}
header a{color:#d8ecf7;text-decoration:none}header a:hover{color:#fff}
.brand{font-weight:700;color:#fff!important;margin-right:.5rem;display:flex;gap:.4rem;align-items:center}
nav{display:flex;gap:.9rem;flex-wrap:wrap}nav a[aria-current]{color:#fff;border-bottom:2px solid #5ec2f2}
.who{margin-left:auto;opacity:.85}
.status{font-size:.8rem;padding:.1rem .6rem;border-radius:1rem;background:#5b6b77}
.status:empty,.holder:empty{display:none}
.holder{font-size:.8rem;opacity:.8}
.status[data-state=open]{background:#2e9b57}.status[data-state=reconnecting]{background:#c7822b}.status[data-state=closed]{background:#b23b3b}
main{max-width:56rem;margin:0 auto;padding:1.2rem}
h1{margin:.4rem 0 .6rem;font-size:1.6rem}h2{font-size:1.1rem;margin:1.4rem 0 .4rem}
.lead{color:#3d4f5c;max-width:48rem}.muted{color:#6b7b86}
code,pre{background:#e7eef3;border-radius:4px;font:13px/1.4 ui-monospace,Menlo,Consolas,monospace}
code{padding:.05rem .3rem}pre{padding:.7rem;overflow:auto}
button,input,select,textarea{font:inherit}
button{background:#0f6c9b;color:#fff;border:0;border-radius:6px;padding:.35rem .8rem;cursor:pointer}
button:hover{background:#0c5a82}
input,select,textarea{border:1px solid #b9c7d1;border-radius:6px;padding:.3rem .5rem;background:#fff}
.inline{display:flex;gap:.5rem;align-items:center;flex-wrap:wrap;margin:.8rem 0}
.stack{display:grid;gap:.5rem;max-width:40rem}.stack label{display:grid;gap:.15rem}
.stack label.check{display:flex;gap:.4rem;align-items:center}.stack button{justify-self:start}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(15rem,1fr));gap:.9rem;margin-top:1rem}
.card{display:block;background:#fff;border:1px solid #dbe4ea;border-radius:10px;padding:.9rem 1rem;color:inherit;text-decoration:none}
.card:hover{border-color:#0f6c9b;box-shadow:0 2px 8px #0f3b5722}.card h2{margin:0 0 .3rem;color:#0f6c9b}.card p{margin:0;color:#4a5b67}
.board{display:grid;gap:.8rem}
.match{display:grid;grid-template-columns:1fr auto 1fr;align-items:center;background:#fff;border:1px solid #dbe4ea;border-radius:10px;padding:.8rem 1rem;transition:background .6s}
.match.flash{background:#fff6d6}
.match .team{font-weight:600}.match .team.away{text-align:right}
.match .score{font-size:1.8rem;font-weight:700;padding:0 1rem;font-variant-numeric:tabular-nums}
.match .meta{grid-column:1/-1;text-align:center;color:#6b7b86;font-size:.85rem}
.badge-row{display:flex;gap:1rem;align-items:center;margin:1rem 0}
.bell{position:relative;display:inline-block;color:#0f3b57}
.count{position:absolute;top:-.2rem;right:-.8rem;min-width:1.6rem;height:1.6rem;border-radius:.8rem;background:#d23f3f;color:#fff;font-size:.95rem;font-weight:700;display:grid;place-items:center;padding:0 .3rem}
.count[data-zero]{background:#9aa8b2}
.carousel{display:flex;align-items:center;gap:.5rem}
.track{flex:1;display:flex;overflow:hidden;border-radius:12px;scroll-behavior:smooth}
.slide{flex:0 0 100%;height:13rem;display:grid;place-content:center;text-align:center;color:#fff}
.slide h3{margin:0;font-size:1.6rem}.slide p{margin:.3rem 0 0;opacity:.9}
.stats{color:#3d4f5c;font-variant-numeric:tabular-nums}
table{border-collapse:collapse;width:100%;background:#fff;border-radius:8px;overflow:hidden}
th,td{padding:.3rem .6rem;text-align:left;border-bottom:1px solid #e6edf1}th{background:#eef3f6;font-weight:600;font-size:.85rem}
.ticker td{font-variant-numeric:tabular-nums}.up{color:#1f8a4c}.down{color:#c43d3d}
.ticker svg{display:block}
.log:empty{display:none}.log{font:13px/1.4 ui-monospace,Menlo,Consolas,monospace;max-height:16rem;overflow:auto;background:#fff;border:1px solid #dbe4ea;border-radius:8px;padding:.5rem 2rem}
.toasts{position:fixed;right:1rem;bottom:1rem;display:grid;gap:.5rem;max-width:22rem}
.toast{background:#0f3b57;color:#fff;padding:.6rem .9rem;border-radius:8px;box-shadow:0 4px 14px #0004;word-break:break-word}
`
