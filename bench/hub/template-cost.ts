/**
 * What hostile topic selectors cost a hub (issue #10, findings 1 and 2), run by hand:
 * `node --conditions=sprinkler-source --import tsx bench/hub/template-cost.ts`.
 *
 * 1. The median publish round trip without, then with, one anonymous subscriber to the
 *    9-expression selector `{+a}…{+a}!` (every publish is tested against it).
 * 2. Heap (after a full GC) and RSS of a hub before and after 300 unauthenticated subscribe
 *    requests, each with its own 16 KB selector; then the same with selectors just inside the
 *    hub's limits, which are compiled and cached.
 */
import { type ChildProcess, fork } from 'node:child_process'
import { once } from 'node:events'
import { mint, publish, subscribeUrl } from '../../packages/hub/test/harness.js'

const HOSTILE = `${'{+a}'.repeat(9)}!`
const TOPIC = 'https://example.com/books/1'

interface Memory {
  rss: number
  heapUsed: number
}

async function startHub(args: string[]): Promise<{ child: ChildProcess; hub: string }> {
  const child = fork(new URL('./template-hub.ts', import.meta.url), args, {
    execArgv: ['--conditions=sprinkler-source', '--import', 'tsx'],
  })
  const [{ port }] = (await once(child, 'message')) as [{ port: number }]
  return { child, hub: `http://127.0.0.1:${port}/.well-known/mercure` }
}

async function memory(child: ChildProcess): Promise<Memory> {
  child.send('memory')
  const [m] = (await once(child, 'message')) as [Memory]
  return m
}

async function medianPublishMs(hub: string, token: string, count: number): Promise<number> {
  const times: number[] = []
  for (let i = 0; i < count; i++) {
    const start = performance.now()
    const res = await publish(hub, token, { topic: TOPIC, data: String(i) })
    await res.text()
    times.push(performance.now() - start)
  }
  times.sort((a, b) => a - b)
  return times[Math.floor(times.length / 2)] as number
}

async function publishCost(): Promise<void> {
  const { child, hub } = await startHub(['--anonymous'])
  const token = await mint({ publish: ['*'] })
  await medianPublishMs(hub, token, 20) // warm-up
  const without = await medianPublishMs(hub, token, 50)
  const controller = new AbortController()
  const res = await fetch(subscribeUrl(hub, [HOSTILE]), { signal: controller.signal })
  if (res.status !== 200) throw new Error(`subscribe answered ${res.status}`)
  const withHostile = await medianPublishMs(hub, token, 9)
  controller.abort()
  child.disconnect()
  console.log(
    `publish median: ${without.toFixed(2)} ms alone, ${withHostile.toFixed(2)} ms with one ` +
      `subscriber to ${HOSTILE} → it adds ${(withHostile - without).toFixed(2)} ms`,
  )
}

async function cacheCost(label: string, selector: (i: number) => string): Promise<void> {
  const { child, hub } = await startHub([])
  const statuses = new Map<number, number>()
  const send = async (i: number) => {
    const res = await fetch(subscribeUrl(hub, [selector(i)]))
    await res.text()
    statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1)
  }
  for (let i = 0; i < 20; i++) await send(1e6 + i) // warm-up: code paths, not the cache
  const before = await memory(child)
  const start = performance.now()
  for (let i = 0; i < 300; i++) await send(i)
  const ms = performance.now() - start
  const after = await memory(child)
  child.disconnect()
  const mb = (n: number) => `${(n / 2 ** 20).toFixed(1)} MB`
  console.log(
    `${label}: 300 requests in ${ms.toFixed(0)} ms, statuses ${JSON.stringify(Object.fromEntries(statuses))}; ` +
      `heap ${mb(before.heapUsed)} → ${mb(after.heapUsed)}, RSS ${mb(before.rss)} → ${mb(after.rss)}`,
  )
}

// A distinct selector per request, so nothing is served from the cache.
const sized = (length: number, variables: number) => (i: number) => {
  const head = `https://example.com/${i}/${'{x}/'.repeat(variables)}`
  return head + 'p'.repeat(length - head.length)
}

await publishCost()
await cacheCost('16 KB selectors, 4,000 expressions', (i) => `/${i}/${'{a}'.repeat(5460)}`)
await cacheCost('16 KB selectors, 16 expressions', sized(16_000, 16))
await cacheCost('2 KB selectors, 16 expressions', sized(2048, 16))
