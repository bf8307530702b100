// The log terminal page in every engine: it loads without errors, its worker goes live, and
// lines appended to a followed file arrive on screen. A screenshot per engine lands in
// test-output/browsers/<engine>/logs.png.
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { describeEngines, type EngineName, useEngine } from '../../../test-support/browser.js'
import { LogFeed } from '../src/feed.js'
import { followFile } from '../src/sources/file.js'
import type { Source } from '../src/sources/source.js'
import { type ServedPage, servePage } from './serve-page.js'

const SHOTS = fileURLToPath(new URL('../../../test-output/browsers/', import.meta.url))

describeEngines('the log terminal page', (name: EngineName) => {
  const engine = useEngine(name)
  let dir: string
  let file: string
  let follower: Source
  let served: ServedPage

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sprinkler-logs-engines-'))
    file = join(dir, 'app.log')
    writeFileSync(file, 'before the page opened\n')
    const feed = new LogFeed()
    follower = followFile(feed.addSource({ name: 'app.log', kind: 'file' }), file)
    // As `sprinkler logs` serves it: the stream straight from the socket.
    served = await servePage({ feed }, { fastPath: true })
  })

  afterAll(async () => {
    await follower?.close()
    await served?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('loads without errors, goes live, and live lines arrive as text', async () => {
    const tab = await engine().newTab(`${served.url}/`)
    await tab.waitFor(() => document.getElementById('connection')?.dataset.state === 'live')
    await tab.waitFor(() => document.querySelector('#rows .row')?.textContent?.includes('before'))
    appendFileSync(file, `INFO live in ${name}\n\u001b[31mERROR <b>red</b>\u001b[0m\n`)
    await tab.waitFor(() => document.querySelectorAll('#rows .row').length === 3)
    const rows = await tab.evaluate(() =>
      [...document.querySelectorAll('#rows .row')].map((row) => ({
        text: row.textContent,
        level: row.className.match(/level-(\w+)/)?.[1] ?? '',
        markup: row.querySelectorAll('b').length,
      })),
    )
    expect(rows).toEqual([
      { text: 'app.logbefore the page opened', level: '', markup: 0 },
      { text: `app.logINFO live in ${name}`, level: 'info', markup: 0 },
      { text: 'app.logERROR <b>red</b>', level: 'error', markup: 0 },
    ])
    expect(await tab.errors()).toEqual([])
    await tab.screenshot(`${SHOTS}${name}/logs.png`)
    await tab.close()
  })
})
