import { readFileSync } from 'node:fs'
import { Command } from 'commander'
import { hubCommand } from './commands/hub.js'
import { serveCommand } from './commands/serve.js'

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
  return program
}
