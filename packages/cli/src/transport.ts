import { createHub, type Hub, type HubOptions, type HubTransport } from '@sprinkler/hub'
import type { HistoryOptions } from '@sprinkler/server'
import { Command } from 'commander'
import type { Logger } from 'pino'
import { addListenOptions, addTlsOptions, envOption, parseDuration } from './options.js'

export interface TransportFlags {
  transport: string
  redisPrefix: string
  presenceTtl: number
}

/** The flags of a command that runs a hub: where to listen, TLS, and the transport. */
export interface HubServerFlags extends TransportFlags {
  port: number
  host: string
  cert?: string
  key?: string
}

/** A command that runs a hub (`hub`, `serve`): `--port`, `--host`, the transport, TLS. */
export function hubServerCommand(name: string, description: string): Command {
  return addTlsOptions(addTransportOptions(addListenOptions(new Command(name)))).description(
    description,
  )
}

/** Exits 2 for `--cert` without `--key` (or the reverse), or a transport we do not have. */
export function checkHubServerFlags(flags: HubServerFlags, command: Command): void {
  if ((flags.cert === undefined) !== (flags.key === undefined)) {
    command.error('error: --cert and --key go together.', { exitCode: 2 })
  }
  checkTransport(flags, command)
}

/** `--transport` and `--redis-prefix`, as `sprinkler hub` and `sprinkler serve` take them. */
function addTransportOptions(command: Command): Command {
  return command
    .addOption(
      envOption(
        '--transport <url>',
        'memory, or redis://… / rediss://… (TLS; user and password in the URL) to share updates, history and presence between processes',
        'TRANSPORT',
      ).default('memory'),
    )
    .addOption(
      envOption(
        '--redis-prefix <prefix>',
        'prefix of every Redis key: hubs with different prefixes share nothing',
        'REDIS_PREFIX',
      ).default('sprinkler:'),
    )
    .addOption(
      envOption(
        '--presence-ttl <duration>',
        "with Redis: a node's subscribers leave the subscriptions API this long after it stops heart-beating (every third of it)",
        'PRESENCE_TTL',
      )
        .argParser(parseDuration)
        .default(30_000, '30s'),
    )
}

/** Exits 2 for a transport that is neither `memory` nor a Redis URL. */
function checkTransport(flags: TransportFlags, command: Command): void {
  if (flags.transport === 'memory' || /^rediss?:\/\/./.test(flags.transport)) return
  command.error(
    `error: --transport must be "memory" or a redis:// or rediss:// URL, not "${flags.transport}".`,
    { exitCode: 2 },
  )
}

/**
 * The transport the flags ask for: undefined for memory (the hub's default), or a connected
 * Redis transport. The Redis client is loaded only here, so a memory hub never loads it.
 * Exits 1 when Redis does not answer.
 */
async function openTransport(
  flags: TransportFlags,
  history: HistoryOptions,
  command: Command,
): Promise<HubTransport | undefined> {
  if (flags.transport === 'memory') return undefined
  const { createRedisTransport } = await import('@sprinkler/hub/redis')
  try {
    return await createRedisTransport({
      url: flags.transport,
      prefix: flags.redisPrefix,
      history,
      presenceTtlMs: flags.presenceTtl,
    })
  } catch (error) {
    command.error(`error: ${(error as Error).message}`, { exitCode: 1 })
  }
}

/**
 * A hub on the transport the flags ask for (see `openTransport`), with its failures and the
 * transport's health logged. `close` stops the health log and the hub.
 */
export async function startHub(
  flags: TransportFlags,
  options: HubOptions,
  command: Command,
  logger: Logger,
): Promise<{ hub: Hub; close(): Promise<void> }> {
  const transport = await openTransport(flags, options.history ?? {}, command)
  const hub = await createHub({ ...options, ...(transport && { transport }) })
  const stopHealthLog = logTransportHealth(hub, logger)
  hub.endpoint.addEventListener('error', (e) =>
    logger.warn({ err: (e as CustomEvent).detail }, 'hook failed'),
  )
  hub.addEventListener('error', (e) =>
    logger.warn({ err: (e as CustomEvent).detail }, 'transport failed'),
  )
  return {
    hub,
    close: async () => {
      stopHealthLog()
      await hub.close()
    },
  }
}

/** Logs when the transport's backend goes away and comes back (checked every second). */
function logTransportHealth(hub: Hub, logger: Logger): () => void {
  let ok = true
  const timer = setInterval(() => {
    const health = hub.health
    if (health.ok === ok) return
    ok = health.ok
    if (health.ok) logger.info('transport reachable again')
    else logger.error({ reason: health.reason }, 'transport unreachable: publishes answer 503')
  }, 1000)
  timer.unref()
  return () => clearInterval(timer)
}
