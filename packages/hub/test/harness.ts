import { type ChildProcess, spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { SignJWT } from 'jose'

export const SECRET = 'test-secret-that-is-long-enough-for-hs256!'
const bin = fileURLToPath(new URL('../../cli/src/bin.ts', import.meta.url))

export interface HubProcess {
  /** http://127.0.0.1:PORT */
  origin: string
  /** origin + /.well-known/mercure */
  hub: string
  process: ChildProcess
  stop(): Promise<void>
}

// Hubs still running when this test process ends (a test that timed out while one started, so
// no teardown knew of it) are ended with it, never left behind.
const running = new Set<ChildProcess>()
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL')
})

/** Starts `sprinkler hub --port 0 …` and waits for its `listening on` line. */
export async function startHub(
  args: string[],
  env: Record<string, string> = {},
): Promise<HubProcess> {
  const child = spawn(
    process.execPath,
    ['--conditions=sprinkler-source', '--import', 'tsx', bin, 'hub', '--port', '0', ...args],
    { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  )
  running.add(child)
  let stderr = ''
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString()
  })
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      running.delete(child)
      resolve(code)
    }),
  )
  const firstLine = await Promise.race([
    new Promise<string>((resolve) => {
      createInterface({ input: child.stdout as NodeJS.ReadableStream }).once('line', resolve)
    }),
    exited.then((code) => {
      throw new Error(`sprinkler hub exited (${code}) before listening:\n${stderr}`)
    }),
  ])
  const match = /^listening on (http:\/\/\S+)$/.exec(firstLine)
  if (!match) throw new Error(`unexpected first line: ${firstLine}`)
  const origin = match[1] as string
  return {
    origin,
    hub: `${origin}/.well-known/mercure`,
    process: child,
    stop: async () => {
      if (child.exitCode === null) {
        child.kill('SIGTERM')
        await exited
      }
    },
  }
}

export interface Claims {
  publish?: string[]
  subscribe?: string[]
  payload?: unknown
}

/** A HS256 JWT with a `mercure` claim; `expiresInS` sets `exp`. */
export function mint(
  mercure: Claims,
  options: { key?: string; expiresInS?: number; sub?: string } = {},
) {
  let jwt = new SignJWT({ mercure }).setProtectedHeader({ alg: 'HS256' }).setIssuedAt()
  if (options.expiresInS !== undefined)
    jwt = jwt.setExpirationTime(Math.floor(Date.now() / 1000) + options.expiresInS)
  if (options.sub !== undefined) jwt = jwt.setSubject(options.sub)
  return jwt.sign(new TextEncoder().encode(options.key ?? SECRET))
}

/** An unsigned token (`alg: none`), which every hub must refuse. */
export function unsignedToken(mercure: Claims): string {
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url')
  return `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ mercure })}.`
}

export interface PublishInput {
  topic: string | string[]
  data?: string
  id?: string
  type?: string
  retry?: number
  private?: boolean
}

/** POSTs an update; returns the raw response. */
export function publish(
  hub: string,
  token: string | undefined,
  update: PublishInput,
  init: RequestInit = {},
) {
  const body = new URLSearchParams()
  for (const t of [update.topic].flat()) body.append('topic', t)
  if (update.data !== undefined) body.set('data', update.data)
  if (update.id !== undefined) body.set('id', update.id)
  if (update.type !== undefined) body.set('type', update.type)
  if (update.retry !== undefined) body.set('retry', String(update.retry))
  if (update.private) body.set('private', 'on')
  return fetch(hub, {
    method: 'POST',
    body,
    ...init,
    headers: { ...(token && { authorization: `Bearer ${token}` }), ...(init.headers as object) },
  })
}

/** Publishes and returns the update id, failing the test on a non-200. */
export async function publishOk(hub: string, token: string, update: PublishInput): Promise<string> {
  const res = await publish(hub, token, update)
  const text = await res.text()
  if (res.status !== 200) throw new Error(`publish failed: ${res.status} ${text}`)
  return text
}

/** The subscribe URL for some topic selectors (and extra query parameters). */
export function subscribeUrl(
  hub: string,
  topics: string[],
  extra: Record<string, string> = {},
): string {
  const url = new URL(hub)
  for (const t of topics) url.searchParams.append('topic', t)
  for (const [k, v] of Object.entries(extra)) url.searchParams.set(k, v)
  return url.href
}
