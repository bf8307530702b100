import { readFileSync } from 'node:fs'
import { Command } from 'commander'
import { benchCommand } from './commands/bench.js'
import { hubCommand } from './commands/hub.js'
import { listenCommand } from './commands/listen.js'
import { logsCommand } from './commands/logs.js'
import { publishCommand } from './commands/publish.js'
import { serveCommand } from './commands/serve.js'
import { tokenCommand } from './commands/token.js'

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  version: string
}

/** Builds the `sprinkler` command; each feature package adds its own subcommand here. */
export function createProgram(): Command {
  const program = new Command('sprinkler')
    .description('Server-Sent Events done right: serve, hub, logs, publish, listen, bench.')
    .version(pkg.version, '-v, --version')
    .showHelpAfterError('(run `sprinkler --help` for usage)')
  program.addCommand(serveCommand())
  program.addCommand(hubCommand())
  program.addCommand(logsCommand())
  program.addCommand(publishCommand())
  program.addCommand(listenCommand())
  program.addCommand(tokenCommand())
  program.addCommand(benchCommand())
  return program
}
