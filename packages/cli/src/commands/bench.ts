import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Command } from 'commander'
import { EXIT_USAGE, fail } from '../hub-client.js'
import { envOption } from '../options.js'

interface BenchFlags {
  quick?: boolean
  benchDir: string
}

/** The checkout's bench/ folder, from packages/cli/{src,dist}/commands/. */
const DEFAULT_BENCH_DIR = fileURLToPath(new URL('../../../../bench/', import.meta.url))

/** tsx as this package resolves it (the checkout's devDependency), or by name from the cwd. */
function tsxLoader(): string {
  try {
    return import.meta.resolve('tsx')
  } catch {
    return 'tsx'
  }
}

export function benchCommand(): Command {
  return new Command('bench')
    .description(
      'Run the benchmark suites of a Sprinkler checkout (bench/run.ts); no suite lists them.',
    )
    .argument('[suite...]', 'suites to run (bench/suites/<name>.ts)')
    .addOption(
      envOption(
        '--quick',
        'few samples, print the table, write nothing (a smoke test)',
        'BENCH_QUICK',
      ),
    )
    .addOption(
      envOption('--bench-dir <dir>', 'the bench folder holding run.ts', 'BENCH_DIR').default(
        DEFAULT_BENCH_DIR,
        '<checkout>/bench',
      ),
    )
    .addHelpText(
      'after',
      `
Results go to bench/results/<suite>.json and .md (see the README's Benchmarks section).
Same as \`npm run bench -- <suite...>\`.
Exit codes: 0 done, 1 a suite failed, 2 bad usage (no runner, an unknown suite).`,
    )
    .action(async (suites: string[], flags: BenchFlags, command: Command) => {
      const runner = resolve(flags.benchDir, 'run.ts')
      if (!existsSync(runner)) {
        fail(
          command,
          `error: no benchmark runner at ${runner}. \`sprinkler bench\` runs the suites of a Sprinkler checkout; run it there, or give --bench-dir.`,
          EXIT_USAGE,
        )
      }
      // The runner is TypeScript: run it the way `npm run bench` does, from the checkout.
      const child = spawn(
        process.execPath,
        [
          '--conditions=sprinkler-source',
          '--import',
          tsxLoader(),
          runner,
          ...suites,
          ...(flags.quick ? ['--quick'] : []),
        ],
        { cwd: dirname(resolve(flags.benchDir)), stdio: 'inherit' },
      )
      const forward = (signal: NodeJS.Signals) => child.kill(signal)
      process.on('SIGINT', forward)
      process.on('SIGTERM', forward)
      const code = await new Promise<number>((done) =>
        child.once('close', (exit, signal) => done(exit ?? (signal ? 128 + 2 : 1))),
      )
      process.exitCode = code
    })
}
