import { describe, expect, it } from 'vitest'
import { type ErrorCode, errorCodes, SprinklerError } from './errors.js'

// Core is compiled without Node's types (it must not use them), so this test reaches the file
// system through an untyped dynamic import and declares the little it needs.
interface FileSystem {
  readFileSync(path: URL, encoding: 'utf8'): string
  readdirSync(path: URL, options: { recursive: true; encoding: 'utf8' }): string[]
  existsSync(path: URL): boolean
}
const fs = (await import('node:fs' as string)) as FileSystem

const packagesDir = new URL('../../', import.meta.url)
const errorsDoc = new URL('../../../docs/errors.md', import.meta.url)

/** `ERR_*` string literals in the non-test sources of every package, with where they appear. */
function codesUsedInSources(): Map<string, string[]> {
  const used = new Map<string, string[]>()
  const literal = /(['"`])(ERR_[A-Z0-9]+(?:_[A-Z0-9]+)+)\1/g
  for (const pkg of fs.readdirSync(packagesDir, { recursive: true, encoding: 'utf8' })) {
    // Only `<package>/src/**/*.ts`, tests excluded.
    if (!/^[^/]+\/src\/.+\.(?:ts|tsx|mts)$/.test(pkg) || /\.test\.tsx?$/.test(pkg)) continue
    if (pkg.includes('/node_modules/')) continue
    const source = fs.readFileSync(new URL(pkg, packagesDir), 'utf8')
    for (const match of source.matchAll(literal)) {
      const code = match[2] as string
      used.set(code, [...(used.get(code) ?? []), `packages/${pkg}`])
    }
  }
  return used
}

/** Rows of the docs table: code → [meaning, raised by]. */
function documentedCodes(): Map<string, [string, string]> {
  const rows = new Map<string, [string, string]>()
  for (const line of fs.readFileSync(errorsDoc, 'utf8').split('\n')) {
    const cells = line
      .split(/(?<!\\)\|/)
      .slice(1, -1)
      .map((cell) => cell.trim())
    const code = /^`(ERR_[A-Z0-9_]+)`$/.exec(cells[0] ?? '')?.[1]
    if (code && cells.length === 3) rows.set(code, [cells[1] as string, cells[2] as string])
  }
  return rows
}

describe('error registry', () => {
  it('every ERR_* string in packages/*/src is a key of errorCodes', () => {
    const used = codesUsedInSources()
    // The scan must see at least core's own codes, or it is not scanning anything.
    expect(used.has('ERR_SSE_INVALID_FIELD')).toBe(true)
    const unknown = [...used].filter(([code]) => !Object.hasOwn(errorCodes, code))
    expect(
      unknown.map(([code, files]) => `${code} (used in ${files.join(', ')})`),
      'add these codes to errorCodes in packages/core/src/errors.ts',
    ).toEqual([])
  })

  it('every code in errorCodes is documented in docs/errors.md with its description', () => {
    expect(fs.existsSync(errorsDoc)).toBe(true)
    const rows = documentedCodes()
    const problems: string[] = []
    for (const [code, meaning] of Object.entries(errorCodes)) {
      const row = rows.get(code)
      const wanted = `| \`${code}\` | ${meaning} | <package that raises it> |`
      if (!row) problems.push(`missing row, add: ${wanted}`)
      else if (row[0] !== meaning)
        problems.push(`meaning differs from the registry, use: ${wanted}`)
      else if (row[1] === '') problems.push(`${code}: say which package raises it`)
    }
    for (const code of rows.keys()) {
      if (!Object.hasOwn(errorCodes, code))
        problems.push(`${code} is documented but not in errorCodes`)
    }
    expect(problems, 'fix docs/errors.md').toEqual([])
  })

  it('every code is ERR_ followed by upper-case words', () => {
    for (const code of Object.keys(errorCodes))
      expect(code).toMatch(/^ERR_[A-Z0-9]+(?:_[A-Z0-9]+)+$/)
  })
})

describe('SprinklerError', () => {
  it('carries a code, a message, a name and an optional cause', () => {
    const cause = new Error('root')
    const error = new SprinklerError('ERR_SSE_INVALID_FIELD', 'bad', { cause })
    expect(error).toBeInstanceOf(Error)
    expect(error.code).toBe('ERR_SSE_INVALID_FIELD')
    expect(error.message).toBe('bad')
    expect(error.name).toBe('SprinklerError')
    expect(error.cause).toBe(cause)
    expect(new SprinklerError('ERR_SSE_EMPTY_EVENT', 'x').cause).toBeUndefined()
  })

  it('takes only codes of the registry: an unknown code does not compile (npm run typecheck)', () => {
    // @ts-expect-error: not a key of errorCodes
    const unknown = new SprinklerError('ERR_SSE_NO_SUCH_CODE', 'x')
    // @ts-expect-error: a plain string is not an ErrorCode either
    const widened = new SprinklerError('ERR_SSE_EMPTY_EVENT' as string, 'x')
    const known: ErrorCode = new SprinklerError('ERR_HUB_NOT_FOUND', 'x').code
    expect([unknown.code, widened.code, known]).toEqual([
      'ERR_SSE_NO_SUCH_CODE',
      'ERR_SSE_EMPTY_EVENT',
      'ERR_HUB_NOT_FOUND',
    ])
  })

  it('instanceof works across duplicate copies of the package', () => {
    // A second copy of the class, as a second install of @sprinkler/core would create.
    const brand = Symbol.for('sprinkler.error')
    const foreign = Object.assign(new Error('from another copy'), {
      code: 'ERR_X_Y',
      [brand]: true,
    })
    expect(foreign).toBeInstanceOf(SprinklerError)
    expect(new Error('plain')).not.toBeInstanceOf(SprinklerError)
    expect(null).not.toBeInstanceOf(SprinklerError)
  })
})
