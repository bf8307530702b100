import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { FULL, QUICK } from './logs.js'

const RUN = fileURLToPath(new URL('../run.ts', import.meta.url))

describe('bench suite logs', () => {
  it('is registered: the runner lists it with its description', async () => {
    const stdout = await new Promise<string>((resolve, reject) =>
      execFile(
        process.execPath,
        ['--conditions=sprinkler-source', '--import', 'tsx', RUN],
        { timeout: 60_000 },
        (error, out) => (error ? reject(error) : resolve(out)),
      ),
    )
    expect(stdout).toMatch(/^ {2}logs +Log terminals in Chromium \(issue 13\)/m)
  })

  it('runs the issue’s fixed workload, and a shorter one with --quick', () => {
    expect(FULL).toMatchObject({
      rates: [10_000, 25_000, 50_000, 100_000],
      stepSeconds: 10,
      burstLines: 40_000,
      heapCheckpoints: [1_000_000, 10_000_000],
    })
    expect(QUICK.stepSeconds).toBeLessThan(FULL.stepSeconds)
    expect(QUICK.heapCheckpoints.at(-1)).toBeLessThan(FULL.heapCheckpoints.at(-1) as number)
  })
})
