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

  it.each([
    ['serve', ['--port', '--host', '--jwt-key', '--cert', '--key']],
    ['hub', ['--port', '--jwt-key', '--anonymous', '--cors-origin']],
    [
      'publish',
      ['<topic>', '[data]', '--hub', '--token', '--jwt-key', '--private', '--id', '--type'],
    ],
    ['listen', ['<topic...>', '--json', '--last-event-id', '--header', '--hub', '--token']],
    ['token', ['--jwt-key', '--publish', '--subscribe', '--lifetime', '--subject']],
    ['bench', ['[suite...]', '--quick']],
  ])(
    '`%s --help` describes the command and its options, with their SPRINKLER_* variables',
    async (name, words) => {
      const { stdout } = await sprinkler(name, '--help')
      expect(stdout).toContain(`Usage: sprinkler ${name}`)
      for (const word of words) expect(stdout).toContain(word)
      expect(stdout).toContain('(env: SPRINKLER_')
    },
  )

  it('lists every command in its help', async () => {
    const { stdout } = await sprinkler('--help')
    for (const name of ['serve', 'hub', 'publish', 'listen', 'token', 'bench']) {
      expect(stdout).toMatch(new RegExp(`^  ${name}\\b`, 'm'))
    }
  })

  it('fails with a usage hint and non-zero exit on unexpected arguments', async () => {
    await expect(sprinkler('no-such-command')).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining('sprinkler --help'),
    })
  })
})
