/**
 * `npm run bench -- <suite...> [--quick]`: runs `bench/suites/<suite>.ts` and writes
 * `bench/results/<suite>.json` and `bench/results/<suite>.md`. Without a suite name it lists
 * the suites. A suite is found by its file name: adding `bench/suites/x.ts` adds suite `x`.
 */
import { execFileSync } from 'node:child_process'
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import type { Row, Suite, SuiteResult } from './lib.js'

const suitesDir = new URL('./suites/', import.meta.url)
const resultsDir = new URL('./results/', import.meta.url)

function listSuites(): { name: string; description: string }[] {
  return readdirSync(suitesDir)
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts') && !file.endsWith('.d.ts'))
    .sort()
    .map((file) => {
      // The first line of the file's leading doc comment describes the suite.
      const source = readFileSync(new URL(file, suitesDir), 'utf8')
      const description = /\/\*\*\s*\n?\s*\*?\s*(.+)/.exec(source)?.[1]?.trim() ?? ''
      return { name: file.slice(0, -'.ts'.length), description }
    })
}

/** The machine, and the commit the suite ran at (dirty when its own code or packages/ differ). */
function machine(suite: string) {
  const cpus = os.cpus()
  let commit = 'unknown'
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim()
    const paths = ['packages', 'bench/run.ts', 'bench/lib.ts', `bench/suites/${suite}.ts`]
    const dirty = execFileSync('git', ['status', '--porcelain', '--', ...paths], {
      encoding: 'utf8',
    }).trim()
    commit = dirty ? `${head} (with uncommitted changes)` : head
  } catch {
    // Not a git checkout: leave it unknown.
  }
  return {
    date: new Date().toISOString(),
    node: process.version,
    v8: process.versions.v8,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    cpus: { model: cpus[0]?.model.trim() ?? 'unknown', count: cpus.length },
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    /** 1-minute load average when the suite finished: above the CPU count, timings are shaky. */
    loadAverage: Math.round((os.loadavg()[0] ?? 0) * 10) / 10,
    commit,
  }
}

function formatCell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '—'
  if (typeof value === 'number') {
    return Math.abs(value) >= 1000 ? Math.round(value).toLocaleString('en-US') : String(value)
  }
  return value.replaceAll('|', '\\|')
}

function markdown(suite: string, info: ReturnType<typeof machine>, result: SuiteResult): string {
  const lines = [
    `# Benchmark: ${suite}`,
    '',
    `Node ${info.node} (V8 ${info.v8}), ${info.cpus.count} × ${info.cpus.model}, ` +
      `${info.memoryGiB} GiB, ${info.platform}; load average ${info.loadAverage}; ` +
      `commit ${info.commit}; ${info.date}.`,
    `Run with \`npm run bench -- ${suite}\`.`,
  ]
  const tables = new Map<string, Row[]>()
  for (const row of result.rows) tables.set(row.table, [...(tables.get(row.table) ?? []), row])
  for (const [title, rows] of tables) {
    const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))].filter(
      (c) => c !== 'table',
    )
    lines.push('', `## ${title}`, '')
    lines.push(`| ${columns.join(' | ')} |`, `|${columns.map(() => '---').join('|')}|`)
    for (const row of rows) lines.push(`| ${columns.map((c) => formatCell(row[c])).join(' | ')} |`)
  }
  for (const note of result.notes ?? []) lines.push('', note)
  return `${lines.join('\n')}\n`
}

async function main(argv: string[]): Promise<number> {
  const quick = argv.includes('--quick')
  const names = argv.filter((arg) => !arg.startsWith('--'))
  const suites = listSuites()
  if (names.length === 0) {
    console.log('usage: npm run bench -- <suite...> [--quick]\n\nsuites:')
    for (const suite of suites) console.log(`  ${suite.name.padEnd(12)} ${suite.description}`)
    console.log('\n--quick: few samples, prints the table, writes nothing (a smoke test).')
    return 0
  }
  const unknown = names.filter((name) => !suites.some((suite) => suite.name === name))
  if (unknown.length > 0) {
    console.error(
      `unknown suite: ${unknown.join(', ')} (have: ${suites.map((s) => s.name).join(', ')})`,
    )
    return 2 // bad usage, as `sprinkler bench --help` says
  }
  for (const name of names) {
    const module = (await import(new URL(`${name}.ts`, suitesDir).href)) as { default?: Suite }
    if (typeof module.default !== 'function') {
      console.error(`bench/suites/${name}.ts must default-export a suite function`)
      return 1
    }
    const log = (message: string) => console.error(`[${name}] ${message}`)
    const returned = await module.default({ quick, log })
    const result: SuiteResult = Array.isArray(returned) ? { rows: returned } : returned
    const info = machine(name)
    const text = markdown(name, info, result)
    console.log(text)
    if (quick) continue
    mkdirSync(resultsDir, { recursive: true })
    const json = { suite: name, machine: info, rows: result.rows, notes: result.notes ?? [] }
    writeFileSync(new URL(`${name}.json`, resultsDir), `${JSON.stringify(json, null, 2)}\n`)
    writeFileSync(new URL(`${name}.md`, resultsDir), text)
    log(`wrote bench/results/${name}.json and bench/results/${name}.md`)
  }
  return 0
}

process.exitCode = await main(process.argv.slice(2))
