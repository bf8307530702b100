import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { expect, it } from 'vitest'

/** Every module a bundler takes for an entry point, and the imports it leaves external. */
async function moduleGraph(entry: string) {
  const result = await build({
    entryPoints: [fileURLToPath(new URL(entry, import.meta.url))],
    bundle: true,
    write: false,
    metafile: true,
    format: 'esm',
    platform: 'browser',
    conditions: ['sprinkler-source'],
    // Left out rather than failing the build, so the test can name them.
    external: ['node:*', 'prom-client'],
    logLevel: 'silent',
  })
  const inputs = Object.keys(result.metafile.inputs)
  const external = Object.values(result.metafile.inputs).flatMap((input) =>
    input.imports.filter((i) => i.external).map((i) => i.path),
  )
  return { inputs, external }
}

it('@sprinkler/hub/web loads neither prom-client nor any node: module', async () => {
  const web = await moduleGraph('./index.ts')
  expect(web.inputs.filter((path) => /prom-client|[\\/]node[\\/]/.test(path))).toEqual([])
  expect(web.external).toEqual([])
  // The check can fail: the node entry does pull both in.
  const node = await moduleGraph('../node/index.ts')
  expect(node.external).toContain('prom-client')
  expect(node.external.some((path) => path.startsWith('node:'))).toBe(true)
})
