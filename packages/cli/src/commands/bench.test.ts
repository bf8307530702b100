import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runSprinkler } from '../../test/sprinkler.js'

describe('sprinkler bench', () => {
  it('delegates to the checkout’s bench/run.ts with the suites and --quick, and passes its exit code on', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sprinkler-bench-'))
    // A stand-in runner: prints what it was given, fails when asked to.
    writeFileSync(
      join(dir, 'run.ts'),
      `const args: string[] = process.argv.slice(2)
console.log(JSON.stringify(args))
process.exitCode = args.includes('fail') ? 3 : 0
`,
    )
    const ok = await runSprinkler(['bench', '--bench-dir', dir, 'core', 'server', '--quick'])
    expect(ok.code).toBe(0)
    expect(JSON.parse(ok.stdout)).toEqual(['core', 'server', '--quick'])
    const failed = await runSprinkler(['bench', 'fail'], { env: { SPRINKLER_BENCH_DIR: dir } })
    expect(failed.code).toBe(3)
  })

  it('says where it looked when there is no runner', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sprinkler-bench-'))
    const { code, stderr } = await runSprinkler(['bench', '--bench-dir', dir])
    expect(code).toBe(2)
    expect(stderr).toContain(`no benchmark runner at ${join(dir, 'run.ts')}`)
  })

  it('exits 2 (bad usage, as its --help says) for a suite the checkout does not have', async () => {
    const { code, stderr } = await runSprinkler(['bench', 'no-such-suite', '--quick'])
    expect(code).toBe(2)
    expect(stderr).toContain('unknown suite: no-such-suite')
  })
})
