// The Node.js versions we declare are the ones our dependencies accept: every installed
// package's `engines.node` allows every version we say works, so `npm ci` never warns
// EBADENGINE on a Node we claim to support.
import { readFileSync } from 'node:fs'
import semver from 'semver'
import { describe, expect, it } from 'vitest'

const read = (path: string) => readFileSync(new URL(`../${path}`, import.meta.url), 'utf8')
const root = JSON.parse(read('package.json')) as { engines: { node: string }; workspaces: string[] }
const lock = JSON.parse(read('package-lock.json')) as {
  packages: Record<
    string,
    { engines?: { node?: string }; dev?: boolean; optional?: boolean; link?: boolean }
  >
}

/** Installed third-party packages with an engines.node (platform-specific builds aside). */
const installed = Object.entries(lock.packages)
  .filter(([path, entry]) => path.includes('node_modules/') && !entry.link)
  .filter(([, entry]) => entry.engines?.node !== undefined && !entry.optional)
  .map(([path, entry]) => ({
    name: path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length),
    node: entry.engines?.node as string,
    dev: entry.dev === true,
  }))

describe('Node.js versions', () => {
  it('every dependency accepts every Node.js the repository declares (package.json engines)', () => {
    const refusing = installed
      .filter((dep) => !semver.subset(root.engines.node, dep.node))
      .map((dep) => `${dep.name} wants ${dep.node}`)
    expect(installed.length).toBeGreaterThan(50)
    expect(refusing, `the repository declares ${root.engines.node}`).toEqual([])
  })

  it('every runtime dependency accepts every Node.js the published packages declare', () => {
    const runtime = installed.filter((dep) => !dep.dev)
    for (const dir of root.workspaces) {
      const pkg = JSON.parse(read(`${dir}/package.json`)) as {
        name: string
        engines: { node: string }
      }
      const refusing = runtime
        .filter((dep) => !semver.subset(pkg.engines.node, dep.node))
        .map((dep) => `${dep.name} wants ${dep.node}`)
      expect(refusing, `${pkg.name} declares ${pkg.engines.node}`).toEqual([])
    }
  })

  it("the README says both: the repository's versions and the packages'", () => {
    const readme = read('README.md')
    expect(readme).toContain(`Node.js \`${root.engines.node}\``)
    expect(readme).toContain('The packages run on Node.js ≥ 20')
    for (const dir of root.workspaces) {
      expect(JSON.parse(read(`${dir}/package.json`)).engines.node, dir).toBe('>=20')
    }
  })
})
