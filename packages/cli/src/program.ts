import { readFileSync } from 'node:fs'
import { Command, type CommanderError } from 'commander'
import { benchCommand } from './commands/bench.js'
import { hubCommand } from './commands/hub.js'
import { listenCommand } from './commands/listen.js'
import { logsCommand } from './commands/logs.js'
import { publishCommand } from './commands/publish.js'
import { serveCommand } from './commands/serve.js'
import { tokenCommand } from './commands/token.js'
import { EXIT_USAGE } from './hub-client.js'

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  version: string
}

/** Commander's errors for bad usage: they exit 2, as every `--help` says (commander uses 1). */
const USAGE_ERRORS = new Set([
  'commander.unknownOption',
  'commander.unknownCommand',
  'commander.excessArguments',
  'commander.missingArgument',
  'commander.optionMissingArgument',
  'commander.missingMandatoryOptionValue',
  'commander.conflictingOption',
  'commander.invalidArgument',
])

/** Exits as the help says; commander has already printed the message. */
function exit(error: CommanderError): never {
  process.exit(USAGE_ERRORS.has(error.code) ? EXIT_USAGE : error.exitCode)
}

/** Builds the `sprinkler` command; each feature package adds its own subcommand here. */
export function createProgram(): Command {
  const program = new Command('sprinkler')
    .version(pkg.version, '-v, --version')
    .showHelpAfterError('(run `sprinkler --help` for usage)')
  program.addCommand(serveCommand())
  program.addCommand(hubCommand())
  program.addCommand(logsCommand())
  program.addCommand(publishCommand())
  program.addCommand(listenCommand())
  program.addCommand(tokenCommand())
  program.addCommand(benchCommand())
  // Said from what is registered, so it never names a command that is not there.
  const names = program.commands.map((command) => command.name())
  program.description(`Server-Sent Events done right: ${names.join(', ')}.`)
  // Subcommands added with addCommand do not inherit these settings.
  for (const command of [program, ...program.commands]) {
    command.exitOverride(exit)
    command.showHelpAfterError(
      `(run \`sprinkler ${command === program ? '' : `${command.name()} `}--help\` for usage)`,
    )
  }
  return program
}
