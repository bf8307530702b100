import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { FULL, QUICK } from './soak.js'

const RUN = fileURLToPath(new URL('../run.ts', import.meta.url))

/** `npm run bench -- …args` as the script runs it, to its end. */
function bench(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--conditions=sprinkler-source', '--import', 'tsx', RUN, ...args],
      { timeout: 60_000 },
      (error, stdout, stderr) =>
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    )
  })
}

describe('bench suite soak', () => {
  it('is registered: the runner lists it with its description', async () => {
    const { code, stdout } = await bench([])
    expect(code).toBe(0)
    expect(stdout).toMatch(/^ {2}soak +Soak: a real `sprinkler hub` process/m)
  })

  it('runs the issue’s load in at most 10 minutes, and about one with --quick', () => {
    expect(FULL).toMatchObject({ subscribers: 10_000, churnPerSecond: 500 })
    expect(FULL.budgetMs).toBeLessThanOrEqual(600_000)
    expect(FULL.soakMs).toBeLessThan(FULL.budgetMs)
    expect(QUICK.budgetMs).toBeLessThanOrEqual(90_000)
    expect(QUICK.soakMs).toBeLessThan(QUICK.budgetMs)
    for (const config of [FULL, QUICK]) {
      expect(config.slowloris).toBeGreaterThan(0)
      expect(config.publishesPerSecond).toBeGreaterThan(0)
    }
  })
})
