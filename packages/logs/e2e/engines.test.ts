// The log terminal page in every engine: it loads without errors, its worker goes live, and
// lines appended to a followed file arrive on screen. A screenshot per engine lands in
// test-output/browsers/<engine>/logs.png.
import { appendFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { describeEngines, type EngineName, useEngine } from '../../../test-support/browser.js'
import { LogFeed } from '../src/feed.js'
import { type FollowedFile, followedFile, type ServedPage, servePage } from './serve-page.js'

const SHOTS = fileURLToPath(new URL('../../../test-output/browsers/', import.meta.url))

describeEngines('the log terminal page', (name: EngineName) => {
  const engine = useEngine(name)
  let file: FollowedFile
  let served: ServedPage

  beforeAll(async () => {
    const feed = new LogFeed()
    file = followedFile(feed, 'before the page opened\n')
    // As `sprinkler logs` serves it: the stream straight from the socket.
    served = await servePage({ feed }, { fastPath: true })
  })

  afterAll(async () => {
    await file?.close()
    await served?.close()
  })

  it('loads without errors, goes live, and live lines arrive as text', async () => {
    const tab = await engine().newTab(`${served.url}/`)
    await tab.waitFor(() => document.getElementById('connection')?.dataset.state === 'live')
    await tab.waitFor(() => document.querySelector('#rows .row')?.textContent?.includes('before'))
    appendFileSync(file.path, `INFO live in ${name}\n\u001b[31mERROR <b>red</b>\u001b[0m\n`)
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
