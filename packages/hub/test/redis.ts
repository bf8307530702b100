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
import { existsSync } from 'node:fs'
import { createConnection, createServer } from 'node:net'
import { createClient } from 'redis'
import { describe } from 'vitest'

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

/** A redis-server of a test's own, on a port of its own, without persistence. */
export interface PrivateRedis {
  port: number
  url: string
  /** Starts it (again, on the same port) and waits until it answers. */
  start(): Promise<void>
  /** Stops it by PID (SIGKILL: as abrupt as a crash) and waits for the exit. */
  stop(): Promise<void>
}

export async function privateRedis(): Promise<PrivateRedis> {
  const port = await freePort()
  let child: ChildProcess | undefined
  const redis: PrivateRedis = {
    port,
    url: `redis://127.0.0.1:${port}`,
    async start() {
      const started = spawn(
        REDIS_SERVER,
        ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
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
