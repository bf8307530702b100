import { randomBytes } from 'node:crypto'
import { createHubRoutes, HUB_PATH } from '@sprinkler/hub'
import type { Command } from 'commander'
import { pino } from 'pino'
import { mintToken } from '../jwt.js'
import { closeServer, listen, listenOptions, onShutdown, routesListener } from '../listen.js'
import { envOption, isLoopback, readKey, SPRINKLER } from '../options.js'
import { createDemoApp } from '../serve/app.js'
import { createServerLog, LOGS_PATH } from '../serve/server-log.js'
import { isPublicSelector } from '../serve/topics.js'
import {
  checkHubServerFlags,
  type HubServerFlags,
  hubServerCommand,
  startHub,
} from '../transport.js'

interface ServeFlags extends HubServerFlags {
  jwtKey?: string
}

/** How long the banner's development token lasts. */
const DEV_TOKEN_LIFETIME_S = 24 * 3600

export function serveCommand(): Command {
  return hubServerCommand(
    'serve',
    'Run the Sprinkler server: a hub at /.well-known/mercure (in memory unless --transport) and live demos (what `npm start` runs).',
  )
    .addOption(
      envOption(
        '--jwt-key <secret>',
        'HS256 secret of the hub (publishers, subscribers, dev login); default: a random development key, loopback hosts only',
        'JWT_KEY',
      ),
    )
    .addHelpText(
      'after',
      `
On a loopback host (the default) the development login, the publish console and /logs (this
server's requests, demo publishes and log lines, in the log terminal) are on, and without
--jwt-key a random key is made and a development token printed. On any other host --jwt-key
is required, and the login, console and /logs are off.

Exit codes: 0 stopped (Ctrl-C, SIGTERM), 1 could not listen (port in use, address not available),
2 bad usage. From a checkout, \`npm start -- --port 3001\` passes flags through npm.`,
    )
    .action(async (flags: ServeFlags, command: Command) => {
      checkHubServerFlags(flags, command)
      const loopback = isLoopback(flags.host)
      const development = flags.jwtKey === undefined
      if (development && !loopback) {
        command.error(
          `error: refusing to listen on ${flags.host} with a development key: anyone who can reach it could sign in as anyone. Give a real secret with --jwt-key (or SPRINKLER_JWT_KEY), or listen on 127.0.0.1.`,
          { exitCode: 2 },
        )
      }
      const jwtKey =
        flags.jwtKey === undefined ? randomBytes(32).toString('base64url') : readKey(flags.jwtKey)
      // The server's own log, like `sprinkler logs` without a password: loopback only.
      const serverLog = loopback ? await createServerLog() : undefined
      const stderr = pino.destination(2)
      const logger = pino(
        { name: 'sprinkler-serve' },
        serverLog ? pino.multistream([{ stream: stderr }, { stream: serverLog.output }]) : stderr,
      )
      // Two demo servers on one Redis share their hub: a publish on one reaches the other's pages.
      const { hub, close } = await startHub(
        flags,
        {
          history: { maxEvents: 1000 },
          jwtKey,
          // Demo pages need no login: anonymous subscribers may read the public /demo/ topics.
          anonymous: {
            allow: isPublicSelector,
            reason:
              'Without a JWT you may subscribe to the public demo topics (/demo/…) only; sign in on the badge page or send a token.',
          },
          // Tokens travel in the cookie or the Authorization header, never in URLs.
          allowQueryToken: false,
        },
        command,
        logger,
      )
      const secure = flags.cert !== undefined
      serverLog?.logStreams(hub.endpoint)
      const app = await createDemoApp({
        hub,
        jwtKey,
        secure,
        interactive: loopback,
        ...(serverLog && { serverLog }),
      })
      const hubRoutes = createHubRoutes(hub)
      const listener = routesListener(
        async (req, res) => (await app.handle(req, res)) || hubRoutes(req, res),
        logger,
      )
      const { server, url } = await listen(
        serverLog ? serverLog.logRequests(listener) : listener,
        listenOptions(flags),
        command,
        // Demo pages' streams are served from the socket (plain HTTP): less memory per page.
        { endpoint: hub.endpoint, path: HUB_PATH },
      )
      const token = development
        ? await mintToken(
            { publish: ['*'], subscribe: ['*'] },
            { key: jwtKey, lifetimeS: DEV_TOKEN_LIFETIME_S, subject: 'developer' },
          )
        : undefined
      process.stdout.write(banner(url, app.demos, token, loopback))
      logger.info({ url, hub: `${url}${HUB_PATH}`, development }, 'serving')
      onShutdown(async () => {
        logger.info('shutting down')
        app.close()
        await serverLog?.close()
        await close()
        await closeServer(server)
      })
    })
}

function banner(
  url: string,
  demos: readonly { slug: string; title: string }[],
  token: string | undefined,
  loopback: boolean,
): string {
  const row = (name: string, value: string) => `  ${name.padEnd(20)} ${value}`
  const lines = [
    '',
    'Sprinkler: live Server-Sent Events demos (Ctrl-C stops)',
    '',
    row('demos', `${url}/`),
    ...demos.map((d) => row(`  ${d.title.toLowerCase()}`, `${url}/${d.slug}`)),
    row('hub', `${url}${HUB_PATH}`),
    row('health, metrics', `${url}/healthz  ${url}/metrics`),
    ...(loopback ? [row('server log', `${url}${LOGS_PATH}`)] : []),
    '',
  ]
  if (token) {
    lines.push(
      'Development token (publish and subscribe to every topic; valid 24 h, for this process only):',
      '',
      `  export SPRINKLER_TOKEN=${token}`,
      '',
      'Then, from another terminal:',
      `  ${SPRINKLER} listen --hub ${url}${HUB_PATH} /demo/broadcast`,
      `  ${SPRINKLER} publish --hub ${url}${HUB_PATH} /demo/broadcast "Hello"`,
      '',
    )
  } else {
    lines.push(
      `Mint tokens with: ${SPRINKLER} token --jwt-key "$SPRINKLER_JWT_KEY" --publish "*"`,
      ...(loopback ? [] : ['The development login and the publish console are off on this host.']),
      '',
    )
  }
  return `${lines.join('\n')}\n`
}
