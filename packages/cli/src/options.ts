import { existsSync, readFileSync } from 'node:fs'
import { type Command, InvalidArgumentError, Option } from 'commander'

/** `30s`, `10m`, `2h`, `500ms`, `1d`, or plain milliseconds → milliseconds. */
export function parseDuration(value: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(value.trim())
  if (!match) throw new InvalidArgumentError('expected a duration such as 30s, 10m, 2h or 500ms.')
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[
    match[2] ?? 'ms'
  ] as number
  return Math.round(Number(match[1]) * unit)
}

/** A TCP port, 0 meaning any free port. */
export function parsePort(value: string): number {
  const port = Number(value)
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new InvalidArgumentError('expected a port number from 0 to 65535.')
  }
  return port
}

export function parsePositiveInt(value: string): number {
  const n = Number(value)
  if (!Number.isSafeInteger(n) || n < 1)
    throw new InvalidArgumentError('expected a whole number ≥ 1.')
  return n
}

/** Repeatable option; a value from the environment may hold several, comma-separated. */
export function collect(value: string, previous: string[] = []): string[] {
  return [
    ...previous,
    ...value
      .split(',')
      .map((v) => v.trim())
      .filter(Boolean),
  ]
}

/** A key given inline (secret or PEM) or as a path to a PEM file. */
export function readKey(value: string): string {
  if (!value.includes('BEGIN ') && /\.(pem|crt|key)$/i.test(value) && existsSync(value)) {
    return readFileSync(value, 'utf8')
  }
  return value
}

/** Hosts that only this machine can reach. */
export { isLoopbackName as isLoopback } from '@sprinkler/logs/internal'

/** Every flag is also read from the environment as SPRINKLER_ + its name in upper snake case. */
export const envOption = (flags: string, description: string, env: string) =>
  new Option(flags, description).env(`SPRINKLER_${env}`)

/** `--port` and `--host`, as every server command has them. */
export function addListenOptions(command: Command): Command {
  return command
    .addOption(
      envOption('--port <port>', 'port to listen on (0 = any free port)', 'PORT')
        .argParser(parsePort)
        .default(3000),
    )
    .addOption(envOption('--host <host>', 'address to listen on', 'HOST').default('127.0.0.1'))
}

/** `--cert` and `--key`: HTTPS with HTTP/2. */
export function addTlsOptions(command: Command): Command {
  return command
    .addOption(
      envOption('--cert <path>', 'TLS certificate (PEM): serves HTTPS with HTTP/2', 'CERT'),
    )
    .addOption(envOption('--key <path>', 'TLS private key (PEM)', 'KEY'))
}

/**
 * How the user runs this CLI, for the commands it suggests: a checkout runs the sources
 * through `npm run` (the package's bin is not on PATH there); an installed copy is a project
 * dependency, run with npx.
 */
export const SPRINKLER: string = import.meta.url.endsWith('.ts')
  ? 'npm run -s sprinkler --'
  : 'npx sprinkler'
