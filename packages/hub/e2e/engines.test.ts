// The hub in every engine: its page loads without errors, and the browser's own EventSource
// on that page receives updates published to the hub. A screenshot per engine lands in
// test-output/browsers/<engine>/hub.png.
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { describeEngines, type EngineName, useEngine } from '../../../test-support/browser.js'
import { type HubProcess, mint, publishOk, SECRET, startHub } from '../test/harness.js'

const SHOTS = fileURLToPath(new URL('../../../test-output/browsers/', import.meta.url))

describeEngines('hub', (name: EngineName) => {
  const engine = useEngine(name)
  let hub: HubProcess

  beforeAll(async () => {
    hub = await startHub(['--jwt-key', SECRET, '--anonymous'])
  }, 120_000)

  afterAll(async () => {
    await hub?.stop()
  })

  it('its page loads without errors and the native EventSource there receives live updates', async () => {
    const topic = `https://example.com/engines/${name}`
    const tab = await engine().newTab(`${hub.origin}/`)
    expect(await tab.evaluate(() => document.querySelector('h1')?.textContent)).toBe(
      'Sprinkler hub',
    )
    await tab.evaluate(
      (url) => {
        const w = window as unknown as { got: string[]; opened: boolean }
        w.got = []
        const source = new EventSource(url)
        source.onopen = () => {
          w.opened = true
        }
        source.onmessage = (event) => w.got.push(event.data)
      },
      `${hub.hub}?topic=${encodeURIComponent(topic)}`,
    )
    await tab.waitFor(() => (window as unknown as { opened?: boolean }).opened === true)
    const publisher = await mint({ publish: ['*'] })
    for (const data of ['one', 'two\nlines', 'ünï ✓'])
      await publishOk(hub.hub, publisher, { topic, data })
    await tab.waitFor(() => (window as unknown as { got: string[] }).got.length === 3)
    expect(await tab.evaluate(() => (window as unknown as { got: string[] }).got)).toEqual([
      'one',
      'two\nlines',
      'ünï ✓',
    ])
    expect(await tab.errors()).toEqual([])
    await tab.screenshot(`${SHOTS}${name}/hub.png`)
    await tab.close()
  })
})
