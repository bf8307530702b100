// Builds every workspace package and checks that it is publishable as it is:
// publint (package.json exports/files) and arethetypeswrong (types for every subpath, ESM only).
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'

const root = JSON.parse(readFileSync('package.json', 'utf8'))
const run = (cmd, args) => execFileSync(cmd, args, { stdio: 'inherit' })

run('npm', ['run', 'build'])
for (const dir of root.workspaces) {
  console.log(`\n== ${dir}`)
  run('npx', ['publint', '--strict', dir])
  run('npx', ['attw', '--pack', dir, '--profile', 'esm-only', '--format', 'table-flipped'])
}
