import type { Hub, HubTransport } from '@sprinkler/hub'
import type { HistoryOptions } from '@sprinkler/server'
import type { Command } from 'commander'
import type { Logger } from 'pino'
import { envOption } from './options.js'

export interface TransportFlags {
  transport: string
  redisPrefix: string
}

/** `--transport` and `--redis-prefix`, as `sprinkler hub` and `sprinkler serve` take them. */
export function addTransportOptions(command: Command): Command {
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
}

/** Exits 2 for a transport that is neither `memory` nor a Redis URL. */
export function checkTransport(flags: TransportFlags, command: Command): void {
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
export async function openTransport(
  flags: TransportFlags,
  history: HistoryOptions,
  command: Command,
): Promise<HubTransport | undefined> {
  if (flags.transport === 'memory') return undefined
  const { createRedisTransport } = await import('@sprinkler/hub/redis')
  try {
    return await createRedisTransport({ url: flags.transport, prefix: flags.redisPrefix, history })
  } catch (error) {
    command.error(`error: ${(error as Error).message}`, { exitCode: 1 })
  }
}

/** Logs when the transport's backend goes away and comes back (checked every second). */
export function logTransportHealth(hub: Hub, logger: Logger): () => void {
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
