import {
  createHubRoutes,
  HUB_PATH,
  type HubOptions,
  type JwtAlgorithm,
  redactUrl,
} from '@sprinkler/hub'
import type { Command } from 'commander'
import { pino } from 'pino'
import { jwtAlgorithmOption } from '../jwt.js'
import { closeServer, listen, listenOptions, onShutdown, routesListener } from '../listen.js'
import { collect, envOption, parseDuration, parsePositiveInt, readKey } from '../options.js'
import {
  checkHubServerFlags,
  type HubServerFlags,
  hubServerCommand,
  startHub,
} from '../transport.js'

interface HubFlags extends HubServerFlags {
  jwtKey?: string
  publisherJwtKey?: string
  subscriberJwtKey?: string
  jwtAlgorithm: JwtAlgorithm
  jwksUrl?: string
  anonymous?: boolean
  queryToken: boolean
  corsOrigin?: string[]
  historySize: number
  historyMaxAge?: number
  subscriptions?: boolean
  maxBody?: number
  maxTopics?: number
  maxConnections?: number
  maxConnectionsPerIp?: number
  maxConnectionsPerToken?: number
  maxConnectionRate?: number
  retry?: number
}

export function hubCommand(): Command {
  return hubServerCommand(
    'hub',
    'Run a Mercure hub: publishers POST updates, subscribers read Server-Sent Events.',
  )
    .addOption(
      envOption(
        '--jwt-key <key>',
        'JWT key for both publishers and subscribers (HS* secret, or PEM / path to a PEM)',
        'JWT_KEY',
      ),
    )
    .addOption(
      envOption('--publisher-jwt-key <key>', 'JWT key for publishers', 'PUBLISHER_JWT_KEY'),
    )
    .addOption(
      envOption('--subscriber-jwt-key <key>', 'JWT key for subscribers', 'SUBSCRIBER_JWT_KEY'),
    )
    .addOption(jwtAlgorithmOption())
    .addOption(
      envOption('--jwks-url <url>', 'verify tokens with this JWK Set instead of a key', 'JWKS_URL'),
    )
    .addOption(
      envOption(
        '--anonymous',
        'let subscribers without a token receive public updates',
        'ANONYMOUS',
      ),
    )
    .addOption(
      envOption(
        '--no-query-token',
        'refuse tokens in the `authorization` query parameter (they leak into logs)',
        'NO_QUERY_TOKEN',
      ),
    )
    .addOption(
      envOption(
        '--cors-origin <origin>',
        'allowed CORS origin, with credentials (repeatable; `*` = any origin, without credentials, never for cookie publishes; env: comma-separated)',
        'CORS_ORIGIN',
      ).argParser(collect),
    )
    .addOption(
      envOption('--history-size <n>', 'updates kept for replay', 'HISTORY_SIZE')
        .argParser(parsePositiveInt)
        .default(1000),
    )
    .addOption(
      envOption(
        '--history-max-age <duration>',
        'drop updates older than this from history (e.g. 10m)',
        'HISTORY_MAX_AGE',
      ).argParser(parseDuration),
    )
    .addOption(
      envOption(
        '--subscriptions',
        'publish subscription events (active true/false) as private updates',
        'SUBSCRIPTIONS',
      ),
    )
    .addOption(
      envOption(
        '--max-body <bytes>',
        'largest publish body (413 past it; default 1 MiB)',
        'MAX_BODY',
      ).argParser(parsePositiveInt),
    )
    .addOption(
      envOption(
        '--max-topics <n>',
        'most topics per request (400 past it; default 100)',
        'MAX_TOPICS',
      ).argParser(parsePositiveInt),
    )
    .addOption(
      envOption(
        '--max-connections <n>',
        'most subscriber connections (503 past it)',
        'MAX_CONNECTIONS',
      ).argParser(parsePositiveInt),
    )
    .addOption(
      envOption(
        '--max-connections-per-ip <n>',
        'most connections from one address (429 past it)',
        'MAX_CONNECTIONS_PER_IP',
      ).argParser(parsePositiveInt),
    )
    .addOption(
      envOption(
        '--max-connections-per-token <n>',
        'most connections with one token (429 past it)',
        'MAX_CONNECTIONS_PER_TOKEN',
      ).argParser(parsePositiveInt),
    )
    .addOption(
      envOption(
        '--max-connection-rate <n>',
        'new subscriber connections admitted per second (503 + Retry-After past it)',
        'MAX_CONNECTION_RATE',
      ).argParser(parsePositiveInt),
    )
    .addOption(
      envOption(
        '--retry <duration>',
        'reconnection delay sent to subscribers as `retry:`, varied ±50% per connection (e.g. 3s)',
        'RETRY',
      ).argParser(parseDuration),
    )
    .addHelpText(
      'after',
      `
Exit codes: 0 stopped (Ctrl-C, SIGTERM), 1 could not listen (port in use, address not available),
2 bad usage.`,
    )
    .action(async (flags: HubFlags, command: Command) => {
      const logger = pino({ name: 'sprinkler-hub' }, pino.destination(2))
      const options = hubOptions(flags, command)
      const { hub, close } = await startHub(flags, options, command, logger)
      const routes = createHubRoutes(hub)
      const { server, url } = await listen(
        routesListener(routes, logger),
        listenOptions(flags),
        command,
        {
          endpoint: hub.endpoint,
          path: HUB_PATH,
        },
      )
      logger.info(
        {
          url,
          hub: `${url}/.well-known/mercure`,
          anonymous: !!options.anonymous,
          transport: flags.transport === 'memory' ? 'memory' : redactUrl(flags.transport),
        },
        'hub started',
      )
      onShutdown(async () => {
        logger.info('shutting down')
        await close()
        await closeServer(server)
      })
    })
}

function hubOptions(flags: HubFlags, command: Command): HubOptions {
  checkHubServerFlags(flags, command)
  if (
    !flags.jwtKey &&
    !flags.publisherJwtKey &&
    !flags.subscriberJwtKey &&
    !flags.jwksUrl &&
    !flags.anonymous
  ) {
    command.error(
      'error: give --jwt-key (or --publisher-jwt-key / --subscriber-jwt-key, or --jwks-url), or --anonymous.',
      {
        exitCode: 2,
      },
    )
  }
  return {
    ...(flags.jwtKey && { jwtKey: readKey(flags.jwtKey) }),
    ...(flags.publisherJwtKey && { publisherJwtKey: readKey(flags.publisherJwtKey) }),
    ...(flags.subscriberJwtKey && { subscriberJwtKey: readKey(flags.subscriberJwtKey) }),
    jwtAlgorithm: flags.jwtAlgorithm,
    ...(flags.jwksUrl && { jwksUrl: flags.jwksUrl }),
    anonymous: flags.anonymous === true,
    allowQueryToken: flags.queryToken,
    corsOrigins: flags.corsOrigin ?? [],
    history: {
      maxEvents: flags.historySize,
      ...(flags.historyMaxAge !== undefined && { maxAgeMs: flags.historyMaxAge }),
    },
    subscriptions: flags.subscriptions === true,
    ...(flags.retry !== undefined && { retryMs: flags.retry }),
    limits: {
      ...(flags.maxBody !== undefined && { maxBodyBytes: flags.maxBody }),
      ...(flags.maxTopics !== undefined && { maxTopics: flags.maxTopics }),
      ...(flags.maxConnections !== undefined && { maxConnections: flags.maxConnections }),
      ...(flags.maxConnectionsPerIp !== undefined && {
        maxConnectionsPerIp: flags.maxConnectionsPerIp,
      }),
      ...(flags.maxConnectionsPerToken !== undefined && {
        maxConnectionsPerToken: flags.maxConnectionsPerToken,
      }),
      ...(flags.maxConnectionRate !== undefined && {
        maxConnectionRate: flags.maxConnectionRate,
      }),
    },
  }
}
