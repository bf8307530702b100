import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { createProgram } from './program.js'

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

  it('describes itself with exactly the commands its help lists', async () => {
    const { stdout } = await sprinkler('--help')
    const listed = [...stdout.slice(stdout.indexOf('\nCommands:')).matchAll(/^ {2}([a-z]+)\b/gm)]
      .map((m) => m[1])
      .filter((name) => name !== 'help')
    const described = /^Server-Sent Events done right: ([a-z, ]+)\.$/m.exec(stdout)?.[1]
    expect(listed.length).toBeGreaterThan(5)
    expect(described?.split(', ')).toEqual(listed)
  })

  it.each([
    ['an unknown command', ['no-such-command'], 'sprinkler --help'],
    ['an unknown option', ['serve', '--no-such-option'], 'sprinkler serve --help'],
    ['a missing argument', ['publish'], 'sprinkler publish --help'],
    ['a bad option value', ['hub', '--port', 'http'], 'sprinkler hub --help'],
    ['an extra argument', ['token', 'extra'], 'sprinkler token --help'],
  ])('exits 2 with a usage hint on %s, as every --help says', async (_, args, hint) => {
    await expect(sprinkler(...args)).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining(hint),
    })
  })

  it('says in every --help that bad usage exits 2', () => {
    // In process: the help of every registered command, with the text added after it.
    const program = createProgram()
    expect(program.commands.length).toBeGreaterThan(5)
    for (const command of program.commands) {
      let help = ''
      command.configureOutput({
        writeOut: (text) => {
          help += text
        },
      })
      command.outputHelp()
      expect(help, `sprinkler ${command.name()} --help`).toMatch(/Exit codes:[\s\S]*\b2 bad usage/)
    }
  })
})
