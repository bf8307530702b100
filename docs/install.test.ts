// What a user gets from the registry, before the packages are there: every workspace package
// packed with `npm pack`, installed from those tarballs into an app of its own outside the
// repository, then the README's snippet, a client and the installed `sprinkler` run there.
import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { transform } from 'esbuild'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const ROOT = fileURLToPath(new URL('../', import.meta.url))
const exec = promisify(execFile)

/** The environment without what `npm test` adds (npm_config_*, npm_package_*): a clean npm. */
const cleanEnv = Object.fromEntries(
  Object.entries(process.env).filter(([name]) => !name.toLowerCase().startsWith('npm_')),
)

const npm = (args: string[], cwd: string) =>
  exec('npm', args, { cwd, env: cleanEnv, timeout: 300_000, maxBuffer: 16 * 1024 * 1024 })

describe('the packages, packed and installed into an app outside the repository', () => {
  let dir: string
  let app: string
  const children: ChildProcess[] = []

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sprinkler-install-'))
    app = join(dir, 'app')
    const tarballs = join(dir, 'tarballs')
    mkdirSync(app)
    mkdirSync(tarballs)
    // Build once here; `npm pack` would otherwise build each package again (its prepack).
    await npm(['run', 'build'], ROOT)
    const { stdout } = await npm(
      ['pack', '--workspaces', '--ignore-scripts', '--json', '--pack-destination', tarballs],
      ROOT,
    )
    const packed = (JSON.parse(stdout) as { filename: string }[]).map((p) =>
      join(tarballs, p.filename),
    )
    writeFileSync(
      join(app, 'package.json'),
      JSON.stringify({ name: 'my-app', private: true, type: 'module' }),
    )
    // The tarballs only for @sprinkler/* and sprinkler; third-party packages from the cache
    // or the registry.
    await npm(['install', '--prefer-offline', '--no-audit', '--no-fund', ...packed], app)
  }, 600_000)

  afterAll(async () => {
    await Promise.all(
      children.map((child) =>
        child.exitCode === null && child.signalCode === null
          ? new Promise((resolve) => {
              child.once('close', resolve)
              child.kill('SIGKILL')
            })
          : undefined,
      ),
    )
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  it("installs every package from its tarball (none linked to the checkout) and none asks for a Node the README doesn't", () => {
    const lock = JSON.parse(readFileSync(join(app, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { resolved?: string; link?: boolean; engines?: { node?: string } }>
    }
    for (const name of ['@sprinkler/core', '@sprinkler/client', '@sprinkler/server']) {
      const entry = lock.packages[`node_modules/${name}`]
      expect(entry?.link, name).toBeUndefined()
      expect(entry?.resolved, name).toMatch(/^file:.*\.tgz$/)
    }
    expect(lock.packages['node_modules/@sprinkler/hub']?.resolved).toMatch(/\.tgz$/)
    expect(lock.packages['node_modules/sprinkler']?.resolved).toMatch(/\.tgz$/)
  })

  it("runs the README's snippet, and @sprinkler/client receives what it publishes", async () => {
    const snippet = readFileSync(new URL('snippets/server-node.ts', import.meta.url), 'utf8')
    const { code } = await transform(snippet, { loader: 'ts', format: 'esm' })
    writeFileSync(join(app, 'server-node.js'), code)
    writeFileSync(
      join(app, 'check.js'),
      `import { once } from 'node:events'
import { EventSource } from '@sprinkler/client'
import { news, start, stop } from './server-node.js'

const server = start(0)
await once(server, 'listening')
const source = new EventSource(\`http://127.0.0.1:\${server.address().port}/events\`)
source.onopen = () => news.publish({ event: 'headline', data: { title: 'Hello' } })
source.addEventListener('headline', async (event) => {
  console.log(event.data)
  source.close()
  await stop()
})
`,
    )
    const { stdout } = await exec(process.execPath, ['check.js'], {
      cwd: app,
      env: cleanEnv,
      timeout: 30_000,
    })
    expect(JSON.parse(stdout)).toEqual({ title: 'Hello' })
  })

  it('runs the installed `sprinkler serve`: its demo pages, its hub, and `sprinkler publish` to it', async () => {
    const bin = join(app, 'node_modules', '.bin', 'sprinkler')
    const serve = spawn(bin, ['serve', '--port', '0'], { cwd: app, env: cleanEnv })
    children.push(serve)
    let out = ''
    let err = ''
    serve.stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString()
    })
    await new Promise<void>((resolve, reject) => {
      serve.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString()
        if (/export SPRINKLER_TOKEN=\S+\n/.test(out)) resolve()
      })
      serve.once('close', (code) => reject(new Error(`sprinkler serve exited (${code}): ${err}`)))
    })
    // An installed CLI suggests commands in the form that works in a project (npx).
    expect(out).toContain('  npx sprinkler listen --hub ')
    const url = /^listening on (\S+)/.exec(out)?.[1] as string
    const token = /export SPRINKLER_TOKEN=(\S+)/.exec(out)?.[1] as string
    expect((await fetch(`${url}/scores`)).status).toBe(200)
    expect((await fetch(`${url}/assets/scores.js`)).status).toBe(200)

    const hub = `${url}/.well-known/mercure`
    const listen = spawn(bin, ['listen', '--hub', hub, '--count', '1', '/demo/broadcast'], {
      cwd: app,
      env: cleanEnv,
    })
    children.push(listen)
    let received = ''
    listen.stdout.on('data', (chunk: Buffer) => {
      received += chunk.toString()
    })
    await new Promise<void>((resolve) => {
      listen.stderr.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('connected to')) resolve()
      })
    })
    await exec(bin, ['publish', '--hub', hub, '--token', token, '/demo/broadcast', 'installed'], {
      cwd: app,
      env: cleanEnv,
      timeout: 30_000,
    })
    const code = await new Promise((resolve) => listen.once('close', resolve))
    expect(code).toBe(0)
    expect(received).toBe('installed\n')
  }, 180_000)
})
