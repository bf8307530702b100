import type { JwtAlgorithm } from '@sprinkler/hub'
import { Command, InvalidArgumentError } from 'commander'
import { EXIT_USAGE, fail } from '../hub-client.js'
import { jwtAlgorithmOption, mintToken } from '../jwt.js'
import { collect, envOption, parseDuration, readKey } from '../options.js'

interface TokenFlags {
  jwtKey?: string
  jwtAlgorithm: JwtAlgorithm
  publish?: string[]
  subscribe?: string[]
  lifetime: number
  subject?: string
  payload?: unknown
}

function parseJson(value: string): unknown {
  try {
    return JSON.parse(value)
  } catch {
    throw new InvalidArgumentError('expected JSON, e.g. \'{"user":"alice"}\'.')
  }
}

export function tokenCommand(): Command {
  return new Command('token')
    .description(
      'Mint a development JWT for a hub: which topics it may publish to and subscribe to.',
    )
    .addOption(
      envOption(
        '--jwt-key <key>',
        'signing key: HS* secret, or PEM private key (PKCS#8) / path to one for RS* and ES*',
        'JWT_KEY',
      ),
    )
    .addOption(jwtAlgorithmOption())
    .addOption(
      envOption(
        '--publish <selector>',
        'topic selector it may publish to (repeatable; env: comma-separated)',
        'TOKEN_PUBLISH',
      ).argParser(collect),
    )
    .addOption(
      envOption(
        '--subscribe <selector>',
        'topic selector whose private updates it may receive (repeatable; env: comma-separated)',
        'TOKEN_SUBSCRIBE',
      ).argParser(collect),
    )
    .addOption(
      envOption(
        '--lifetime <duration>',
        'time until it expires (e.g. 30m, 12h; 0 = never)',
        'TOKEN_LIFETIME',
      )
        .argParser(parseDuration)
        .default(3_600_000, '1h'),
    )
    .addOption(envOption('--subject <sub>', 'the `sub` claim (the user)', 'TOKEN_SUBJECT'))
    .addOption(
      envOption(
        '--payload <json>',
        'mercure.payload, shown in the subscriptions API',
        'TOKEN_PAYLOAD',
      ).argParser(parseJson),
    )
    .addHelpText(
      'after',
      `
Prints the token on stdout. "*" means every topic; URI templates work too.
Exit codes: 0 printed, 2 bad usage (no key, no topic, a key that cannot sign).

Examples:
  sprinkler token --jwt-key "$SPRINKLER_JWT_KEY" --publish '*'
  sprinkler token --jwt-key "$SPRINKLER_JWT_KEY" --subscribe '/users/alice/{+rest}' --subject alice --lifetime 12h`,
    )
    .action(async (flags: TokenFlags, command: Command) => {
      if (!flags.jwtKey) {
        fail(
          command,
          'error: give the signing key with --jwt-key (or SPRINKLER_JWT_KEY).',
          EXIT_USAGE,
        )
      }
      if (!flags.publish?.length && !flags.subscribe?.length) {
        fail(
          command,
          'error: give at least one --publish or --subscribe topic selector.',
          EXIT_USAGE,
        )
      }
      let token: string
      try {
        token = await mintToken(
          {
            ...(flags.publish && { publish: flags.publish }),
            ...(flags.subscribe && { subscribe: flags.subscribe }),
            ...(flags.payload !== undefined && { payload: flags.payload }),
          },
          {
            key: readKey(flags.jwtKey),
            algorithm: flags.jwtAlgorithm,
            lifetimeS: Math.round(flags.lifetime / 1000),
            ...(flags.subject !== undefined && { subject: flags.subject }),
          },
        )
      } catch (error) {
        fail(
          command,
          `error: cannot sign with this key and ${flags.jwtAlgorithm}: ${(error as Error).message}`,
          EXIT_USAGE,
        )
      }
      process.stdout.write(`${token}\n`)
    })
}
