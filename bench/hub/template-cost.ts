/**
 * What hostile topic selectors cost a hub (issue #10, findings 1 and 2), run by hand:
 * `node --conditions=sprinkler-source --import tsx bench/hub/template-cost.ts [publish] [memory]`.
 *
 * 1. What one anonymous subscriber to the 9-expression selector `{+a}…{+a}!` (every publish
 *    is tested against it) adds to a publish: the median round trip and the hub's CPU time per
 *    publish, without and with it, and the time of the match alone.
 * 2. Heap (after a full GC) and RSS of a hub before and after 300 unauthenticated subscribe
 *    requests, each with its own 16 KB selector; then the same with selectors just inside the
 *    hub's limits, which are compiled and cached.
 */
import { type ChildProcess, fork } from 'node:child_process'
import { once } from 'node:events'
import { compileSelector } from '@sprinkler/hub'
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

async function ask<T>(child: ChildProcess, what: 'memory' | 'cpu'): Promise<T> {
  child.send(what)
  const [answer] = (await once(child, 'message')) as [T]
  return answer
}

/** Median round trip of `count` publishes, and the hub's CPU time per publish. */
async function publishes(hub: ChildProcess & { url: string }, token: string, topic: string) {
  const count = 40
  const times: number[] = []
  const cpu = await ask<{ cpuMs: number }>(hub, 'cpu')
  for (let i = 0; i < count; i++) {
    const start = performance.now()
    const res = await publish(hub.url, token, { topic, data: String(i) })
    await res.text()
    times.push(performance.now() - start)
  }
  const cpuMs = ((await ask<{ cpuMs: number }>(hub, 'cpu')).cpuMs - cpu.cpuMs) / count
  times.sort((a, b) => a - b)
  return { medianMs: times[count / 2] as number, cpuMs }
}

/**
 * The matcher alone, in this process: CPU time of one match, in ms (CPU, not wall time: on a
 * busy machine the wall clock also counts time spent preempted).
 */
function matchMs(topic: string): number {
  const selector = compileSelector(HOSTILE)
  for (let i = 0; i < 200; i++) selector.matches(topic) // warm-up
  const start = process.cpuUsage()
  for (let i = 0; i < 1000; i++) selector.matches(topic)
  const { user, system } = process.cpuUsage(start)
  return (user + system) / 1000 / 1000
}

async function publishCost(): Promise<void> {
  const { child, hub: url } = await startHub(['--anonymous'])
  const hub = Object.assign(child, { url })
  const token = await mint({ publish: ['*'] })
  // One topic that the selector's tail `!` rules out at once, and one 1 KB topic that ends
  // like it, so matching runs over the whole topic.
  const topics = [TOPIC, `${TOPIC}/${'a'.repeat(1000)} !`]
  const alone = []
  for (const topic of topics) await publishes(hub, token, topic) // warm-up
  for (const topic of topics) alone.push(await publishes(hub, token, topic))
  const controller = new AbortController()
  const res = await fetch(subscribeUrl(url, [HOSTILE]), { signal: controller.signal })
  if (res.status !== 200) throw new Error(`subscribe answered ${res.status}`)
  for (const [i, topic] of topics.entries()) {
    const before = alone[i] as { medianMs: number; cpuMs: number }
    const after = await publishes(hub, token, topic)
    const ms = (n: number) => `${n.toFixed(3)} ms`
    console.log(
      `publish of a ${topic.length}-character topic, one subscriber to ${HOSTILE} added: ` +
        `${ms(after.medianMs - before.medianMs)} to the median round trip ` +
        `(${ms(before.medianMs)} → ${ms(after.medianMs)}), ${ms(after.cpuMs - before.cpuMs)} ` +
        `of hub CPU (${ms(before.cpuMs)} → ${ms(after.cpuMs)}); the match alone: ` +
        `${ms(matchMs(topic))} of CPU`,
    )
  }
  controller.abort()
  child.disconnect()
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
  const before = await ask<Memory>(child, 'memory')
  const start = performance.now()
  for (let i = 0; i < 300; i++) await send(i)
  const ms = performance.now() - start
  const after = await ask<Memory>(child, 'memory')
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

const parts = process.argv.slice(2)
if (parts.length === 0 || parts.includes('publish')) await publishCost()
if (parts.length === 0 || parts.includes('memory')) {
  await cacheCost('16 KB selectors, 4,000 expressions', (i) => `/${i}/${'{a}'.repeat(5460)}`)
  await cacheCost('16 KB selectors, 16 expressions', sized(16_000, 16))
  await cacheCost('2 KB selectors, 16 expressions', sized(2048, 16))
}
