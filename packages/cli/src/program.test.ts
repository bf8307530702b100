import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'

const run = promisify(execFile)
const bin = fileURLToPath(new URL('./bin.ts', import.meta.url))
const sprinkler = (...args: string[]) =>
  run(process.execPath, ['--conditions=sprinkler-source', '--import', 'tsx', bin, ...args], {
    timeout: 20_000,
  })

describe('sprinkler CLI', () => {
  it('prints help with no arguments and exits 0', async () => {
    const { stdout } = await sprinkler()
    expect(stdout).toContain('Usage: sprinkler')
  })

  it('prints its version', async () => {
    const { stdout } = await sprinkler('--version')
    expect(stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/)
  })

  it('fails with a usage hint and non-zero exit on unexpected arguments', async () => {
    await expect(sprinkler('no-such-command')).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining('sprinkler --help'),
    })
  })
})
