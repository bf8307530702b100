// Bundle size of @sprinkler/client as a browser app would ship it: esbuild, ESM, minified,
// @sprinkler/core bundled in, then gzip (level 9). The shared-tabs module is loaded with a
// dynamic import, so it lands in its own chunk and is reported apart.
// Usage: node packages/client/scripts/size.mjs [--json] [--max-bytes=4160]
import { gzipSync } from 'node:zlib'
import { build } from 'esbuild'

const entry = new URL('../src/index.ts', import.meta.url).pathname

const common = {
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  minify: true,
  conditions: ['sprinkler-source'],
  write: false,
  logLevel: 'silent',
}

/** Leaves `import('./shared.js')` out of the bundle, as a lazily loaded chunk would be. */
const withoutShared = {
  name: 'without-shared',
  setup(build) {
    build.onResolve({ filter: /\/shared\.js$/ }, (args) => ({ path: args.path, external: true }))
  },
}

const sizes = (contents) => ({
  minBytes: contents.length,
  gzipBytes: gzipSync(contents, { level: 9 }).length,
})

export async function measure() {
  const main = await build({ ...common, entryPoints: [entry], plugins: [withoutShared] })
  // With code splitting, what `shared: true` loads on demand is the chunk holding shared.ts.
  const split = await build({
    ...common,
    entryPoints: [entry],
    splitting: true,
    outdir: '/size-check',
  })
  const sharedChunk = split.outputFiles.find((file) => /\/shared-[^/]*\.js$/.test(file.path))
  return [
    { name: 'main entry (EventSource + @sprinkler/core)', ...sizes(main.outputFiles[0].contents) },
    {
      name: 'shared-tabs chunk (loaded on demand)',
      ...sizes(sharedChunk?.contents ?? new Uint8Array()),
    },
  ]
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const rows = await measure()
  const max = Number(
    process.argv.find((a) => a.startsWith('--max-bytes='))?.split('=')[1] ?? 4096 + 64,
  )
  if (process.argv.includes('--json')) console.log(JSON.stringify(rows))
  else
    for (const r of rows) console.log(`${r.name}: ${r.minBytes} B min, ${r.gzipBytes} B min+gzip`)
  const main = rows.find((r) => r.name.startsWith('main'))
  if (!main || main.gzipBytes > max) {
    console.error(`main entry is ${main?.gzipBytes} B min+gzip, over the ${max} B budget`)
    process.exit(1)
  }
}
