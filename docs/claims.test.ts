// The docs name only what exists: every `sprinkler <command>` is a registered command, every
// flag is an option of the command it is given to (or, alone in a table or a sentence, of
// some command), and every `@sprinkler/…` package and subpath is in a package's `exports`.
// It reads the real CLI and the real package.json files, so a command, flag or subpath that
// is added (or removed) changes what the docs may say without touching this file.
import { readdirSync, readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { createProgram } from '../packages/cli/src/program.js'

const ROOT = new URL('../', import.meta.url)
const read = (path: string) => readFileSync(new URL(path, ROOT), 'utf8')

/** README.md, docs/*.md and every package's README. */
const pages = [
  'README.md',
  ...readdirSync(new URL('docs/', ROOT))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
  ...readdirSync(new URL('packages/', ROOT))
    .map((dir) => `packages/${dir}/README.md`)
    .filter((path) => {
      try {
        read(path)
        return true
      } catch {
        return false
      }
    }),
]

const program = createProgram()
type Command = typeof program
const GLOBAL = ['--help', '--version']
const optionsOf = (command: Command) => [
  ...GLOBAL,
  ...command.options.flatMap((o) => (o.long ? [o.long] : [])),
]
const commands = new Map(program.commands.map((c) => [c.name(), new Set(optionsOf(c))]))
const anyOption = new Set([...GLOBAL, ...[...commands.values()].flatMap((set) => [...set])])

/** Package name → its subpaths (`.` included), from the workspaces' package.json. */
const packages = new Map(
  (JSON.parse(read('package.json')) as { workspaces: string[] }).workspaces.map((dir) => {
    const pkg = JSON.parse(read(`${dir}/package.json`)) as {
      name: string
      exports: Record<string, unknown>
    }
    return [pkg.name, new Set(Object.keys(pkg.exports))]
  }),
)

/**
 * The code in a page, one string per shell command: the lines of fenced blocks and the inline
 * code spans, each split at `&&`, `||`, `|`, `;` and comments.
 */
function codeOf(text: string): string[] {
  const fenced = [...text.matchAll(/^```[^\n]*\n([\s\S]*?)^```/gm)].flatMap((m) =>
    (m[1] as string).split('\n'),
  )
  const prose = text.replace(/^```[^\n]*\n[\s\S]*?^```/gm, '')
  const inline = [...prose.matchAll(/`([^`\n]+)`/g)].map((m) => m[1] as string)
  return [...fenced, ...inline].flatMap((line) =>
    line.replace(/(^|\s)#\s.*$/, '').split(/&&|\|\||[|;]/),
  )
}

/** The flags of a piece of prose or code. */
const flagsIn = (text: string) =>
  [...text.matchAll(/(?<![\w-])--[a-z][a-z0-9-]*/g)].map((m) => m[0])

/** What a page's markdown names that does not exist. */
function unknownNames(text: string): string[] {
  const wrong: string[] = []
  for (const segment of codeOf(text)) {
    const invocation = /\bsprinkler(?:\s+--)?\s+([a-z][a-z-]*)\b/.exec(segment)
    const npmStart = /\bnpm\s+start\b/.exec(segment)
    if (invocation) {
      const name = invocation[1] as string
      const options = commands.get(name)
      if (!options) {
        wrong.push(`\`sprinkler ${name}\` (no such command) in: ${segment.trim()}`)
        continue
      }
      const after = segment.slice(invocation.index + invocation[0].length)
      for (const flag of flagsIn(after)) {
        if (!options.has(flag))
          wrong.push(`${flag} (not an option of ${name}) in: ${segment.trim()}`)
      }
    } else if (npmStart) {
      // `npm start` runs `sprinkler serve`; its flags come after `--`.
      const after = segment.slice(segment.indexOf(' -- ', npmStart.index) + 1)
      for (const flag of flagsIn(after)) {
        if (segment.includes(' -- ') && !commands.get('serve')?.has(flag)) {
          wrong.push(`${flag} (not an option of serve) in: ${segment.trim()}`)
        }
      }
    } else if (!/^\s*(npm|npx|node|git|curl|apt-get|bash|sh|nginx|docker)\b/.test(segment)) {
      for (const flag of flagsIn(segment)) {
        if (!anyOption.has(flag)) wrong.push(`${flag} (no command has it) in: ${segment.trim()}`)
      }
    }
  }
  // Flags in sentences: some command must have them.
  const prose = text.replace(/^```[^\n]*\n[\s\S]*?^```/gm, '').replace(/`[^`\n]*`/g, '')
  for (const flag of flagsIn(prose)) {
    if (!anyOption.has(flag)) wrong.push(`${flag} (no command has it) in: the text`)
  }
  for (const m of text.matchAll(/@sprinkler\/([a-z][a-z-]*)(\/[a-z][a-z0-9-]*)?/g)) {
    const name = `@sprinkler/${m[1]}`
    const subpaths = packages.get(name)
    if (!subpaths) wrong.push(`${name} (no such package)`)
    else if (m[2] && !subpaths.has(`.${m[2]}`)) wrong.push(`${m[0]} (not in ${name}'s exports)`)
  }
  return [...new Set(wrong)]
}

describe('the docs name only what exists', () => {
  it('reads a real CLI and real packages', () => {
    expect(commands.get('serve')?.has('--port')).toBe(true)
    expect(packages.get('@sprinkler/server')?.has('./node')).toBe(true)
    expect(pages.length).toBeGreaterThan(10)
  })

  it.each(pages)('%s: commands, flags and package subpaths all exist', (page) => {
    expect(unknownNames(read(page))).toEqual([])
  })

  it('reports what does not exist, and only that (the rule itself)', () => {
    const page = [
      'Run `sprinkler nope`, or `npm start -- --port 3001 --bogus`; `--no-such-flag` alone.',
      'In prose, --not-a-flag too, but not npm’s `npm pack --workspaces`.',
      '```sh',
      'npm run -s sprinkler -- hub --anonymous --port 0 --jwt-algorithm HS256  # --ignored',
      'sprinkler listen --json /x && sprinkler publish --json /x',
      '```',
      "import { createSseHandler } from '@sprinkler/server/node' // and @sprinkler/server/koa, @sprinkler/nope",
    ].join('\n')
    expect(unknownNames(page).map((w) => w.replace(/ in: .*$/, ''))).toEqual([
      '--json (not an option of publish)',
      '`sprinkler nope` (no such command)',
      '--bogus (not an option of serve)',
      '--no-such-flag (no command has it)',
      '--not-a-flag (no command has it)',
      "@sprinkler/server/koa (not in @sprinkler/server's exports)",
      '@sprinkler/nope (no such package)',
    ])
  })
})
