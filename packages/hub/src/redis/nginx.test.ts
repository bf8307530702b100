/**
 * Two hub processes on Redis behind Debian's nginx, configured with docs/snippets/nginx-hub.conf
 * (the config docs/deploy.md shows), nginx started by PID in a temp prefix on a free port.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openEventStream, type TestEventStream } from '../../../server/test/client.js'
import { type HubProcess, mint, publishOk, subscribeUrl } from '../../test/harness.js'
import { describeRedis, eventually, freePort, redisHubs } from '../../test/redis.js'

const NGINX = '/usr/sbin/nginx'
const SNIPPET = new URL('../../../../docs/snippets/nginx-hub.conf', import.meta.url)
const TOPIC = 'https://example.com/behind-nginx'

if (!existsSync(NGINX) && process.env.CI) {
  throw new Error(`${NGINX} is missing (apt-get install nginx); the nginx test must run in CI.`)
}
if (!existsSync(NGINX)) console.warn(`Skipping the nginx test: ${NGINX} is missing.`)
const describeNginx = existsSync(NGINX) ? describeRedis : describe.skip

/** The documented config with this test's ports, inside a minimal main config of its own. */
function nginxConfig(dir: string, listen: number, upstreams: number[]): string {
  const documented = readFileSync(SNIPPET, 'utf8')
    .replace('server 127.0.0.1:3001;', `server 127.0.0.1:${upstreams[0]};`)
    .replace('server 127.0.0.1:3002;', `server 127.0.0.1:${upstreams[1]};`)
    .replace('listen 127.0.0.1:8080;', `listen 127.0.0.1:${listen};`)
  return `daemon off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 256; }
http {
    access_log off;
    client_body_temp_path ${dir}/body;
    proxy_temp_path ${dir}/proxy;
    fastcgi_temp_path ${dir}/fastcgi;
    uwsgi_temp_path ${dir}/uwsgi;
    scgi_temp_path ${dir}/scgi;
${documented}
}
`
}

describeNginx('two hubs behind nginx with the documented config', () => {
  const onRedis = redisHubs()
  const dir = mkdtempSync(join(tmpdir(), 'sprinkler-nginx-'))
  let hubs: HubProcess[] = []
  let nginx: ChildProcess | undefined
  let origin = ''
  const streams: TestEventStream[] = []

  beforeAll(async () => {
    // nginx's workers drop root privileges: let them into the temp prefix.
    chmodSync(dir, 0o755)
    hubs = await onRedis.start(2, [])
    const port = await freePort()
    const upstreams = hubs.map((h) => Number(new URL(h.origin).port))
    writeFileSync(join(dir, 'nginx.conf'), nginxConfig(dir, port, upstreams))
    nginx = spawn(NGINX, ['-p', dir, '-c', join(dir, 'nginx.conf')], { stdio: 'ignore' })
    origin = `http://127.0.0.1:${port}`
    // Up when it answers (a 404 for a path it does not proxy is an answer).
    await eventually(
      async () => (await fetch(`${origin}/`).catch(() => undefined)) !== undefined,
      'nginx to listen',
    )
  }, 120_000)

  afterAll(async () => {
    for (const s of streams) s.close()
    const running = nginx
    if (running && running.exitCode === null) {
      const exited = new Promise((resolve) => running.once('exit', resolve))
      running.kill('SIGQUIT') // graceful: the master ends its workers
      await exited
    }
    await onRedis.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  it('subscribes and publishes through nginx, and resumes on the other node with Last-Event-ID', async () => {
    const hub = `${origin}/.well-known/mercure`
    const token = await mint({ publish: ['*'] })
    const first = await openEventStream(subscribeUrl(hub, [TOPIC]))
    streams.push(first)
    expect(first.response.status).toBe(200)
    expect(first.response.headers.get('content-type')).toMatch(/^text\/event-stream/)
    await publishOk(hub, token, { topic: TOPIC, data: 'one' })
    // Unbuffered: the event arrives while the stream stays open.
    const [one] = await first.waitForEvents(1)

    // Find the node that holds the stream and stop it: the stream ends, as when a node dies.
    const connections = await Promise.all(
      hubs.map(
        async (h) =>
          ((await (await fetch(`${h.origin}/healthz`)).json()) as { connections: number })
            .connections,
      ),
    )
    const serving = hubs[connections.indexOf(1)] as HubProcess
    const other = hubs.find((h) => h !== serving) as HubProcess
    await serving.stop()
    await first.ended

    await publishOk(hub, token, { topic: TOPIC, data: 'two' })
    const resumed = await openEventStream(subscribeUrl(hub, [TOPIC]), {
      headers: { 'last-event-id': one?.lastEventId as string },
    })
    streams.push(resumed)
    expect(resumed.response.headers.get('last-event-id')).toBe(one?.lastEventId)
    const [two] = await resumed.waitForEvents(1)
    expect(two?.data).toBe('two')
    expect(
      ((await (await fetch(`${other.origin}/healthz`)).json()) as { connections: number })
        .connections,
    ).toBe(1)
  })
})
