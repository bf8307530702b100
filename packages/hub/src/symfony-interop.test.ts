import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openEventStream, type TestEventStream, until } from '../../server/test/client.js'
import { type HubProcess, mint, SECRET, startHub, subscribeUrl } from '../test/harness.js'

// Interop with a publisher nobody here wrote: Symfony's Mercure component, from Debian's
// php-cli and php-symfony-mercure (installed by .ci/run).
const AUTOLOAD = '/usr/share/php/Symfony/Component/Mercure/autoload.php'
const available = existsSync('/usr/bin/php') && existsSync(AUTOLOAD)
const reason =
  'php-cli and php-symfony-mercure are not installed (apt-get install php-cli php-symfony-mercure)'
if (!available && process.env.CI) throw new Error(`Symfony interop: ${reason}; it must run in CI.`)
if (!available) console.warn(`Skipping Symfony interop: ${reason}.`)

describe.skipIf(!available)('Symfony Mercure publisher', () => {
  let hub: HubProcess
  const streams: TestEventStream[] = []
  beforeAll(async () => {
    hub = await startHub(['--jwt-key', SECRET, '--anonymous'])
  })
  afterAll(async () => {
    for (const s of streams) s.close()
    await hub.stop()
  })

  it('publishes public and private updates that the right subscribers receive', async () => {
    const topic = `https://example.com/symfony/${Date.now()}`
    const open = async (token?: string) => {
      const s = await openEventStream(subscribeUrl(hub.hub, [topic]), {
        ...(token && { headers: { authorization: `Bearer ${token}` } }),
      })
      streams.push(s)
      return s
    }
    const anonymous = await open()
    const authorized = await open(await mint({ subscribe: [`${topic}/alternate`] }))
    const script = fileURLToPath(new URL('../test/interop/symfony-publish.php', import.meta.url))
    const { stdout } = await promisify(execFile)('/usr/bin/php', [script], {
      env: { ...process.env, HUB_URL: hub.hub, JWT_SECRET: SECRET, TOPIC: topic },
      timeout: 20_000,
    })
    const [publicId, privateId] = stdout.trim().split('\n')
    expect(publicId).toMatch(/^urn:uuid:/)
    expect(privateId).toMatch(/^urn:uuid:/)
    const [pub, priv] = await authorized.waitForEvents(2)
    expect(pub).toMatchObject({ type: 'message', lastEventId: publicId })
    expect(JSON.parse(pub?.data ?? '')).toEqual({ from: 'symfony', private: false })
    expect(priv).toMatchObject({ type: 'symfony-private', lastEventId: privateId })
    await anonymous.waitForEvents(1)
    // The anonymous subscriber got the public update and, after a marker, still nothing else.
    const marker = await mint({ publish: ['*'] })
    await fetch(hub.hub, {
      method: 'POST',
      headers: { authorization: `Bearer ${marker}` },
      body: new URLSearchParams({ topic, data: 'end' }),
    })
    await until(() => anonymous.events.some((e) => e.data === 'end'), 'the end marker')
    expect(anonymous.events.map((e) => e.lastEventId).slice(0, -1)).toEqual([publicId])
  })
})
