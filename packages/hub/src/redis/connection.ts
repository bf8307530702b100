import { createClient, ErrorReply } from 'redis'
import { HubError } from '../errors.js'
import { redactUrl } from '../redact-url.js'
import type { Script } from './scripts.js'

export interface ConnectionOptions {
  /** `redis://[[user]:password@]host[:port][/db]`, or `rediss://…` for TLS. */
  url: string
  /** The connection's name in CLIENT LIST. */
  name: string
  /** A command without a reply for this long fails (and the hub answers 503). */
  commandTimeoutMs: number
  /** Starting: give up when Redis has not answered for this long. */
  connectTimeoutMs: number
  /** Reconnection delays grow from 50 ms to this, with jitter. */
  maxBackoffMs: number
  /** Randomness for the jitter, in [0, 1). */
  random: () => number
}

/** Reconnection delay after `attempt` failures: 50 ms doubling up to `maxMs`, ±25%. */
export function backoffMs(attempt: number, maxMs: number, random: () => number): number {
  return Math.round(Math.min(maxMs, 50 * 2 ** Math.min(attempt, 20)) * (0.75 + random() / 2))
}

/**
 * One connection to Redis. Commands fail at once while it is down (no offline queue: a publish
 * must not wait for a Redis that may never come back) and after `commandTimeoutMs`; the
 * client reconnects by itself with backoff.
 */
export class RedisConnection {
  readonly #client: Client
  readonly #timeoutMs: number

  private constructor(client: Client, timeoutMs: number) {
    this.#client = client
    this.#timeoutMs = timeoutMs
  }

  static async open(options: ConnectionOptions): Promise<RedisConnection> {
    const started = Date.now()
    let connected = false
    const client = newClient(options, (attempt, cause) =>
      !connected && Date.now() - started >= options.connectTimeoutMs
        ? cause
        : backoffMs(attempt, options.maxBackoffMs, options.random),
    )
    // Without a listener, node-redis would crash the process on a lost connection; the
    // failures show as `ready === false` and as rejected commands instead.
    client.on('error', () => {})
    try {
      await client.connect()
    } catch (cause) {
      throw new HubError(
        503,
        'ERR_HUB_TRANSPORT_UNAVAILABLE',
        `Cannot reach Redis at ${redactUrl(options.url)}.`,
        { cause },
      )
    }
    connected = true
    return new RedisConnection(client, options.commandTimeoutMs)
  }

  /** Whether commands can be sent now. */
  get ready(): boolean {
    return this.#client.isReady
  }

  /** Sends a command; any failure is a 503 `ERR_HUB_TRANSPORT_UNAVAILABLE` (cause kept). */
  async command(args: string[], timeoutMs = this.#timeoutMs): Promise<unknown> {
    try {
      return await this.#client.sendCommand(args, { timeout: timeoutMs })
    } catch (cause) {
      throw unavailable(cause)
    }
  }

  /** Runs a script by its hash, sending its body only when Redis does not have it yet. */
  async eval(script: Script, keys: string[], args: string[]): Promise<unknown> {
    const tail = [String(keys.length), ...keys, ...args]
    try {
      return await this.#client.sendCommand(['EVALSHA', script.sha, ...tail], {
        timeout: this.#timeoutMs,
      })
    } catch (error) {
      if (!(error instanceof ErrorReply && error.message.startsWith('NOSCRIPT'))) {
        throw unavailable(error)
      }
    }
    return this.command(['EVAL', script.source, ...tail])
  }

  /** Ends the connection at once, failing what is in flight (a blocked XREAD included). */
  destroy(): void {
    if (this.#client.isOpen) this.#client.destroy()
  }
}

function newClient(
  options: ConnectionOptions,
  reconnectStrategy: (attempt: number, cause: Error) => number | Error,
) {
  return createClient({
    url: options.url,
    name: options.name,
    // RESP2 replies are plain arrays (RESP3 would turn XREAD's into a map).
    RESP: 2,
    disableOfflineQueue: true,
    socket: { connectTimeout: Math.min(options.connectTimeoutMs, 5000), reconnectStrategy },
  })
}

type Client = ReturnType<typeof newClient>

function unavailable(cause: unknown): HubError {
  return new HubError(
    503,
    'ERR_HUB_TRANSPORT_UNAVAILABLE',
    'The hub cannot reach Redis right now; retry later.',
    { cause },
  )
}
