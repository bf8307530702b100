import { type Command, InvalidArgumentError } from 'commander'
import { envOption } from './options.js'

/** Where `npm start` puts the hub. */
export const DEFAULT_HUB_URL = 'http://127.0.0.1:3000/.well-known/mercure'

/** Exit codes of the client commands: 1 the hub refused or could not be reached, 2 bad usage. */
export const EXIT_FAILURE = 1
export const EXIT_USAGE = 2

export function parseUrl(value: string): URL {
  try {
    const url = new URL(value)
    if (url.protocol === 'http:' || url.protocol === 'https:') return url
  } catch {
    // fall through
  }
  throw new InvalidArgumentError('expected an http:// or https:// URL.')
}

export const hubOption = () =>
  envOption('--hub <url>', 'the hub URL', 'HUB_URL')
    .argParser(parseUrl)
    .default(new URL(DEFAULT_HUB_URL), DEFAULT_HUB_URL)

export const tokenOption = (role: string) =>
  envOption('--token <jwt>', `JWT sent as Authorization: Bearer (${role})`, 'TOKEN')

/** A clear sentence for a fetch that never got an answer. */
export function unreachable(hub: URL, error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause
  const why = cause?.code ?? cause?.message ?? (error as Error).message
  return `error: cannot reach the hub at ${hub.href} (${why}). Is it running? Start one with \`sprinkler serve\` or \`sprinkler hub\`, or give --hub.`
}

/** A clear sentence for a refusal, with the hub's stable code and reason when it gave them. */
export function refusal(what: string, status: number, body: string): string {
  let detail = body.trim()
  try {
    const { error } = JSON.parse(body) as { error?: { code?: string; message?: string } }
    if (error?.code) detail = `${error.code}: ${error.message ?? ''}`
  } catch {
    // not JSON: show it as it is
  }
  const hint =
    status === 401 || status === 403
      ? ' Check the token (--token / SPRINKLER_TOKEN) and its mercure claim.'
      : ''
  return `error: the hub refused ${what} (HTTP ${status}${detail ? ` ${detail}` : ''}).${hint}`
}

/** Ends the command with a message on stderr and `code` (bad usage adds the `--help` hint). */
export function fail(command: Command, message: string, code = EXIT_FAILURE): never {
  if (code === EXIT_USAGE) command.error(message, { exitCode: code })
  process.stderr.write(`${message}\n`)
  process.exit(code)
}
