/**
 * Redis for tests: the shared server at 127.0.0.1:6379 (each test under its own key prefix,
 * deleted in teardown; never flushed, never stopped) and private servers started and stopped
 * by PID for failure cases.
 *
 * When Redis is missing, Redis tests cannot run. Under CI (`CI` set) that fails the run
 * loudly; elsewhere they are skipped with a message saying why.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { createConnection, createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createClient } from 'redis'
import { describe } from 'vitest'
import { type HubProcess, SECRET, startHub } from './harness.js'

export const SHARED_REDIS_URL = 'redis://127.0.0.1:6379'
export const REDIS_SERVER = '/usr/bin/redis-server'

/** Whether something answers PING at host:port (within 1 s). */
export function redisAnswers(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host })
    const done = (ok: boolean) => {
      socket.destroy()
      resolve(ok)
    }
    socket.setTimeout(1000, () => done(false))
    socket.once('error', () => done(false))
    socket.once('connect', () => socket.write('PING\r\n'))
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')))
  })
}

export const sharedRedisAvailable = await redisAnswers(6379)

/**
 * `describe` for tests that need the shared Redis (and, with `privateServer`, redis-server to
 * start private ones). Missing: throws under CI, skips with a warning elsewhere.
 */
export function describeRedis(
  name: string,
  body: () => void,
  needs: { privateServer?: boolean } = {},
): void {
  const reason = !sharedRedisAvailable
    ? 'no Redis answers on 127.0.0.1:6379 (apt-get install redis-server)'
    : needs.privateServer && !existsSync(REDIS_SERVER)
      ? `${REDIS_SERVER} is missing (apt-get install redis-server)`
      : undefined
  if (reason === undefined) {
    describe(name, body)
    return
  }
  if (process.env.CI) throw new Error(`${name}: ${reason}; Redis tests must run in CI.`)
  console.warn(`Skipping Redis tests "${name}": ${reason}.`)
  describe.skip(`${name} (skipped: ${reason})`, body)
}

/** A key prefix no other test uses. */
export function uniquePrefix(): string {
  return `sprinkler-test:${randomUUID()}:`
}

/** Deletes every key under `prefix` (SCAN + UNLINK: never a flush). */
export async function deleteKeys(prefix: string, url = SHARED_REDIS_URL): Promise<void> {
  const client = createClient({ url })
  client.on('error', () => {})
  await client.connect()
  try {
    let cursor = '0'
    do {
      const [next, keys] = (await client.sendCommand([
        'SCAN',
        cursor,
        'MATCH',
        `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`,
        'COUNT',
        '1000',
      ])) as [string, string[]]
      cursor = next
      if (keys.length > 0) await client.sendCommand(['UNLINK', ...keys])
    } while (cursor !== '0')
  } finally {
    client.destroy()
  }
}

/** Runs one command on a short-lived connection. */
export async function redisCommand(args: string[], url = SHARED_REDIS_URL): Promise<unknown> {
  const client = createClient({ url })
  client.on('error', () => {})
  await client.connect()
  try {
    return await client.sendCommand(args)
  } finally {
    client.destroy()
  }
}

/** A port free now (bound and released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0))
    })
  })
}

/** A redis-server of a test's own, on a port of its own. */
export interface PrivateRedis {
  port: number
  url: string
  /** Starts it (again, on the same port) and waits until it answers. */
  start(): Promise<void>
  /** Stops it by PID (SIGKILL: as abrupt as a crash) and waits for the exit. */
  stop(): Promise<void>
  /** Stops it for good and removes its files: for teardown. */
  close(): Promise<void>
}

/**
 * Starts a private redis-server. `durable`: an append-only file fsynced before every reply
 * (in a temp dir), so what Redis acknowledged survives a restart, as in a production setup.
 */
export async function privateRedis(options: { durable?: boolean } = {}): Promise<PrivateRedis> {
  const port = await freePort()
  const dir = options.durable ? mkdtempSync(join(tmpdir(), 'sprinkler-redis-')) : undefined
  const persistence = dir
    ? ['--appendonly', 'yes', '--appendfsync', 'always', '--dir', dir]
    : ['--appendonly', 'no']
  let child: ChildProcess | undefined
  const redis: PrivateRedis = {
    port,
    url: `redis://127.0.0.1:${port}`,
    async start() {
      const started = spawn(
        REDIS_SERVER,
        ['--port', String(port), '--bind', '127.0.0.1', '--save', '', ...persistence],
        { stdio: 'ignore' },
      )
      child = started
      const exited = new Promise<never>((_, reject) =>
        started.once('exit', (code) => reject(new Error(`redis-server exited (${code})`))),
      )
      exited.catch(() => {})
      for (let i = 0; i < 100; i++) {
        if (await Promise.race([redisAnswers(port), exited])) return
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
      throw new Error(`redis-server on port ${port} did not answer`)
    },
    async stop() {
      const running = child
      child = undefined
      if (!running || running.exitCode !== null || running.signalCode !== null) return
      const exited = new Promise((resolve) => running.once('exit', resolve))
      running.kill('SIGKILL')
      await exited
    },
    async close() {
      await redis.stop()
      if (dir) rmSync(dir, { recursive: true, force: true })
    },
  }
  await redis.start()
  return redis
}

/** Waits until an async check holds (polling; `timeoutMs` is only a safety net). */
export async function eventually(
  check: () => Promise<boolean>,
  what: string,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

/** A process that shares Redis with others: a `sprinkler hub`, a `sprinkler serve`. */
interface Stoppable {
  stop(): Promise<unknown>
}

interface OnRedisOptions {
  /** Default: the shared Redis. */
  url?: string
  /** Default: a new one. */
  prefix?: string
  /** Give the transport and prefix as SPRINKLER_TRANSPORT / SPRINKLER_REDIS_PREFIX, not flags. */
  viaEnv?: boolean
}

/**
 * Processes of a test on Redis: started with the transport and a key prefix added, stopped
 * together, and then the keys of their prefixes deleted (on the shared Redis; a private one
 * goes away with its server).
 */
export class OnRedis<P extends Stoppable> {
  readonly processes: P[] = []
  readonly #prefixes = new Set<string>()
  readonly #launch: (args: string[], env: Record<string, string>) => Promise<P>

  constructor(launch: (args: string[], env: Record<string, string>) => Promise<P>) {
    this.#launch = launch
  }

  /** Starts `count` processes at once, each with `args` and the transport. */
  async start(count: number, args: string[], options: OnRedisOptions = {}): Promise<P[]> {
    const { url = SHARED_REDIS_URL, prefix = uniquePrefix(), viaEnv = false } = options
    if (url === SHARED_REDIS_URL) this.#prefixes.add(prefix)
    const results = await Promise.allSettled(
      Array.from({ length: count }, () =>
        viaEnv
          ? this.#launch(args, { SPRINKLER_TRANSPORT: url, SPRINKLER_REDIS_PREFIX: prefix })
          : this.#launch([...args, '--transport', url, '--redis-prefix', prefix], {}),
      ),
    )
    // The ones that did start are stopped with the others, even when one failed.
    const started = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []))
    this.processes.push(...started)
    const failed = results.find((r) => r.status === 'rejected')
    if (failed) throw failed.reason
    return started
  }

  /** Stops every process (waiting for each), then deletes their keys. */
  async stop(): Promise<void> {
    await Promise.all(this.processes.splice(0).map((p) => p.stop()))
    const prefixes = [...this.#prefixes]
    this.#prefixes.clear()
    await Promise.all(prefixes.map((prefix) => deleteKeys(prefix)))
  }
}

/** `sprinkler hub --jwt-key SECRET --anonymous` processes on Redis. */
export const redisHubs = (): OnRedis<HubProcess> =>
  new OnRedis((args, env) => startHub(['--jwt-key', SECRET, '--anonymous', ...args], env))
