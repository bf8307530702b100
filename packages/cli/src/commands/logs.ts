import { resolve } from 'node:path'
import {
  createLogApp,
  EVENTS_PATH,
  followFile,
  LogFeed,
  type RestartPolicy,
  readLines,
  runCommand,
  type Source,
} from '@sprinkler/logs'
import { Command, Option } from 'commander'
import { pino } from 'pino'
import { closeServer, listen, listenOptions, onShutdown, routesListener } from '../listen.js'
import { addListenOptions, envOption, isLoopback, parsePositiveInt } from '../options.js'

interface LogsFlags {
  port: number
  host: string
  cmd: string[]
  lines: number
  maxLineBytes: number
  restart: RestartPolicy
  password?: string
}

export function logsCommand(): Command {
  return addListenOptions(
    new Command('logs')
      .description(
        'Stream files (followed like tail -F), commands and stdin to a web page, live: the page at /, the event stream at /events.',
      )
      .argument('[files...]', 'files to follow; `-` reads stdin'),
  )
    .addOption(
      new Option(
        '--cmd <command>',
        'run a command (through the shell) and stream its stdout and stderr; repeatable',
      )
        .argParser((value: string, previous: string[] = []) => [...previous, value])
        .default([]),
    )
    .addOption(
      envOption(
        '--lines <n>',
        'lines kept per source for pages that connect or reconnect',
        'LOGS_LINES',
      )
        .argParser(parsePositiveInt)
        .default(10_000),
    )
    .addOption(
      envOption(
        '--max-line-bytes <n>',
        'longer lines are cut, with a visible marker',
        'LOGS_MAX_LINE_BYTES',
      )
        .argParser(parsePositiveInt)
        .default(1024 * 1024),
    )
    .addOption(
      new Option('--restart <policy>', 'when to start a --cmd again after it exits (with backoff)')
        .choices(['never', 'on-failure', 'always'])
        .default('never'),
    )
    .addOption(
      envOption(
        '--password <password>',
        'require sign-in (or Authorization: Bearer <password>); required on a non-loopback --host. Prefer the environment variable: arguments are visible to other users',
        'LOGS_PASSWORD',
      ),
    )
    .addHelpText(
      'after',
      `
Examples:
  sprinkler logs /var/log/app.log /var/log/nginx/access.log
  sprinkler logs --cmd "npm run dev" --restart on-failure
  journalctl -f | sprinkler logs -

Only the files and commands named here can be read. Without --password it answers only on a
loopback host, to requests addressed to a loopback name.

Exit codes: 0 stopped (Ctrl-C, SIGTERM), 1 could not listen (port in use, address not available),
2 bad usage (nothing to follow, a non-loopback --host without a password).`,
    )
    .action(async (files: string[], flags: LogsFlags, command: Command) => {
      if (files.length === 0 && flags.cmd.length === 0) {
        command.error('error: name at least one file, --cmd "command" or - (stdin).', {
          exitCode: 2,
        })
      }
      if (files.filter((f) => f === '-').length > 1) {
        command.error('error: - (stdin) can be named once.', { exitCode: 2 })
      }
      if (flags.password === '' || (flags.password === undefined && !isLoopback(flags.host))) {
        command.error(
          `error: refusing to serve logs on ${flags.host} without a password: anyone who can reach it could read them. Set SPRINKLER_LOGS_PASSWORD (or --password), or listen on 127.0.0.1.`,
          { exitCode: 2 },
        )
      }
      const logger = pino({ name: 'sprinkler-logs' }, pino.destination(2))
      const feed = new LogFeed({ lines: flags.lines, maxLineBytes: flags.maxLineBytes })
      const sources: Source[] = []
      for (const file of files) {
        if (file === '-') {
          sources.push(readLines(feed.addSource({ name: '-', kind: 'stdin' }), process.stdin))
        } else {
          sources.push(followFile(feed.addSource({ name: file, kind: 'file' }), resolve(file)))
        }
      }
      for (const cmd of flags.cmd) {
        const stdout = feed.addSource({ name: cmd, kind: 'command', stream: 'stdout' })
        const stderr = feed.addSource({ name: cmd, kind: 'command', stream: 'stderr' })
        sources.push(runCommand(stdout, stderr, cmd, { restart: flags.restart }))
      }
      const app = await createLogApp({
        feed,
        ...(flags.password !== undefined && { password: flags.password }),
      })
      const { server, url } = await listen(
        routesListener(app.routes, logger),
        listenOptions(flags),
        command,
        // Plain HTTP: the stream is served from the socket (less memory per page).
        { endpoint: app.events.endpoint, path: EVENTS_PATH },
      )
      app.events.endpoint.addEventListener('error', (e) =>
        logger.warn({ err: (e as CustomEvent).detail }, 'stream failed'),
      )
      logger.info({ url, sources: feed.sources.length }, 'serving logs')
      onShutdown(async () => {
        await Promise.all(sources.map((source) => source.close()))
        feed.close()
        await app.events.close({ timeoutMs: 2000 })
        await closeServer(server)
      })
    })
}
