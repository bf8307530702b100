/**
 * Deno, Bun and workerd (the Cloudflare Workers runtime) as real processes, for the tests that
 * prove the `/web` adapter and the client run there. All three come from the npm registry as
 * root devDependencies (`deno`, `bun`, `workerd`: the binary ships in a platform package, and
 * the approved install script links it), so `npm ci` is all a machine needs.
 *
 * Code for a runtime is bundled with esbuild from the sources (the `sprinkler-source`
 * condition), as an app on that runtime would ship it. A runtime that is missing cannot run its
 * tests: under CI (`CI` set) that fails the file, elsewhere the block is skipped with the reason.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Readable } from 'node:stream'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { afterAll, describe } from 'vitest'

export const RUNTIMES = ['deno', 'bun', 'workerd'] as const
export type RuntimeName = (typeof RUNTIMES)[number]

const BIN = fileURLToPath(new URL('../node_modules/.bin/', import.meta.url))

export function runtimeBinary(name: RuntimeName): string {
  return join(BIN, name)
}

/** `deno 2.9.6`, `bun 1.4.5`, `workerd 2026-11-17`: what the support table names. */
export function runtimeVersion(name: RuntimeName): string {
  const out = execFileSync(runtimeBinary(name), ['--version'], { encoding: 'utf8' }).trim()
  const version = /(\d[\w.-]*)/.exec(out.split('\n')[0] ?? '')?.[1] ?? out
  return `${name} ${version}`
}

/** What to do with one runtime's tests: run them, skip them (with why), or fail (with why). */
export type RuntimeTestMode = { run: true } | { run: false; fail: boolean; reason: string }

/** A missing runtime fails under CI (`CI` set), so a green run never hides it; else it skips. */
export function runtimeTestMode(
  name: RuntimeName,
  env: Record<string, string | undefined> = process.env,
  installed: (name: RuntimeName) => boolean = (n) => existsSync(runtimeBinary(n)),
): RuntimeTestMode {
  if (installed(name)) return { run: true }
  const reason = `${name} is not installed (npm ci installs it from the registry)`
  return { run: false, fail: Boolean(env.CI), reason }
}

/**
 * `describe` once per runtime in `names` (`${title} on deno 2.9.6`). One that is not installed
 * throws under CI, so the file fails; otherwise its block is skipped with the reason.
 */
export function describeRuntimes(
  title: string,
  names: readonly RuntimeName[],
  body: (name: RuntimeName) => void,
): void {
  for (const name of names) {
    const mode = runtimeTestMode(name)
    if (mode.run) {
      // Safety net only: a busy 2-core machine makes process starts slow.
      describe(`${title} on ${runtimeVersion(name)}`, { timeout: 30_000 }, () => body(name))
      continue
    }
    if (mode.fail) throw new Error(`${title}: ${mode.reason}; runtime tests must run in CI.`)
    console.warn(`Skipping "${title}" on ${name}: ${mode.reason}.`)
    describe.skip(`${title} on ${name} (skipped: ${mode.reason})`, () => body(name))
  }
}

/** A folder for bundles and configs, removed after the file's tests. */
export function useTempDir(prefix: string): () => string {
  const dir = mkdtempSync(join(tmpdir(), `sprinkler-${prefix}-`))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))
  return () => dir
}

/** Bundles `entry` (a TypeScript file) into one ESM file at `outfile`, from the sources. */
export async function bundle(entry: URL, outfile: string): Promise<string> {
  await build({
    entryPoints: [fileURLToPath(entry)],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    conditions: ['sprinkler-source'],
    outfile,
    logLevel: 'silent',
  })
  return outfile
}

/** A runtime process the test started; `stop()` ends it by its PID and waits for the exit. */
export interface RuntimeProcess {
  readonly pid: number
  /** stdout and stderr so far, for assertions and failure messages. */
  output(): string
  /** Resolves with the exit code once the process has ended on its own. */
  readonly exited: Promise<number | null>
  /** Resolves with the first match of `pattern` on stdout (or on fd 3 when asked). */
  waitFor(pattern: RegExp, from?: 'stdout' | 'fd3'): Promise<RegExpExecArray>
  stop(): Promise<void>
}

/** Spawns `name` with `args`; fd 3 is a pipe when `fd3` is set (workerd's control channel). */
export function startRuntime(
  name: RuntimeName,
  args: string[],
  options: { cwd?: string; fd3?: boolean } = {},
): RuntimeProcess {
  const child = spawn(runtimeBinary(name), args, {
    cwd: options.cwd,
    stdio: ['ignore', 'pipe', 'pipe', ...(options.fd3 ? (['pipe'] as const) : [])],
    // No colours or update checks: plain output, no network.
    env: { ...process.env, NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1' },
  })
  if (child.pid === undefined) throw new Error(`${name} did not start`)
  const text = { stdout: '', fd3: '', all: '' }
  const listeners = new Set<() => void>()
  const collect = (stream: Readable | null | undefined, key: 'stdout' | 'fd3' | undefined) => {
    stream?.setEncoding('utf8')
    stream?.on('data', (chunk: string) => {
      if (key) text[key] += chunk
      if (key !== 'fd3') text.all += chunk
      for (const wake of listeners) wake()
    })
  }
  collect(child.stdout, 'stdout')
  collect(child.stderr, undefined)
  collect(child.stdio[3] as Readable | undefined, 'fd3')
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      for (const wake of listeners) wake()
      resolve(code)
    })
  })
  const running = () => child.exitCode === null && child.signalCode === null
  return {
    pid: child.pid,
    output: () => text.all,
    exited,
    waitFor: (pattern, from = 'stdout') =>
      new Promise((resolve, reject) => {
        const check = () => {
          const match = pattern.exec(text[from])
          if (!match && running()) return
          listeners.delete(check)
          if (match) resolve(match)
          else reject(new Error(`${name} exited before printing ${pattern}:\n${text.all}`))
        }
        listeners.add(check)
        check()
      }),
    stop: () => stopProcess(child),
  }
}

/** SIGTERM, then SIGKILL if it is still there after 5 s; resolves when it is gone. */
async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const gone = new Promise((resolve) => child.once('exit', resolve))
  child.kill('SIGTERM')
  const kill = setTimeout(() => child.kill('SIGKILL'), 5_000)
  await gone
  clearTimeout(kill)
}
