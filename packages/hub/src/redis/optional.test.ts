import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect, it } from 'vitest'

const src = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const STATIC_IMPORT = /^(?:import|export)\s[^;]*?from\s+'([^']+)'/gm

/** Every module reachable through static imports from `entry`, and the packages they import. */
function staticGraph(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>()
  const packages = new Set<string>()
  const visit = (file: string) => {
    if (files.has(file)) return
    files.add(file)
    for (const [, specifier] of readFileSync(file, 'utf8').matchAll(STATIC_IMPORT)) {
      if (specifier === undefined) continue
      if (specifier.startsWith('.'))
        visit(resolve(dirname(file), specifier.replace(/\.js$/, '.ts')))
      else packages.add(specifier)
    }
  }
  visit(entry)
  return { files, packages }
}

it('keeps redis out of every entry point but @sprinkler/hub/redis (apps without Redis never load it)', () => {
  for (const entry of ['index.ts', 'node/index.ts', 'web/index.ts']) {
    const { files, packages } = staticGraph(join(src, entry))
    expect(
      [...packages].filter((p) => p === 'redis' || p.startsWith('@redis/')),
      entry,
    ).toEqual([])
    expect(
      [...files].filter((f) => f.includes('/redis/')),
      entry,
    ).toEqual([])
  }
})

it('loads the Redis transport in the CLI only through a dynamic import', () => {
  const cli = resolve(src, '../../cli/src')
  const offenders: string[] = []
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name)
      if (entry.isDirectory()) walk(path)
      else if (path.endsWith('.ts') && !path.endsWith('.test.ts')) {
        for (const [, specifier] of readFileSync(path, 'utf8').matchAll(STATIC_IMPORT)) {
          if (specifier === 'redis' || specifier === '@sprinkler/hub/redis') offenders.push(path)
        }
      }
    }
  }
  walk(cli)
  expect(offenders).toEqual([])
})
