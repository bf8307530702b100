import type { Hub } from './hub.js'
import { HUB_PATH } from './paths.js'

/** The small page at `/`: what this is, where the hub is, whether it is healthy. */
export function welcomePage(hub: Hub): string {
  return `<!doctype html>
<html lang="en">
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sprinkler hub</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;color:#1d2b36}code{background:#eef3f6;padding:.1em .3em;border-radius:4px}</style>
<h1>Sprinkler hub</h1>
<p>A <a href="https://mercure.rocks/spec">Mercure</a> hub: publishers <code>POST</code> updates, browsers subscribe with Server-Sent Events.</p>
<ul>
<li>Hub URL: <code>${HUB_PATH}</code> (subscribe: <code>GET ${HUB_PATH}?topic=…</code>)</li>
<li>Subscriptions API: <code>${HUB_PATH}/subscriptions</code></li>
<li>Health: <a href="/healthz"><code>/healthz</code></a>, metrics: <a href="/metrics"><code>/metrics</code></a></li>
<li>Open connections: ${hub.connections}</li>
</ul>
</html>
`
}
