// The client inside Deno or Bun: `<runtime> scenarios.js <scenario> <origin>` runs one scenario
// against the test's server at <origin> and prints what the client saw, as one JSON line.
import { EventSource } from '../../src/index.js'

const runtime = globalThis as { Deno?: { args: string[] }; process?: { argv: string[] } }
const [scenario = '', origin = ''] = runtime.Deno?.args ?? runtime.process?.argv.slice(2) ?? []

/** Resolves with the first `count` entries `listen` pushes, then closes the source. */
function take(
  source: EventSource,
  count: number,
  listen: (push: (entry: string) => void) => void,
): Promise<string[]> {
  return new Promise((resolve) => {
    const seen: string[] = []
    listen((entry) => {
      seen.push(entry)
      if (seen.length < count) return
      source.close()
      resolve(seen)
    })
  })
}

const scenarios: Record<string, () => Promise<string[]>> = {
  auth: () => {
    let token = 0
    const source = new EventSource(`${origin}/auth`, {
      headers: () => ({ Authorization: `Bearer tok-${++token}` }),
    })
    return take(source, 3, (push) => {
      source.onmessage = (event) => push(event.data)
    })
  },
  ticker: () => {
    const source = new EventSource(`${origin}/ticker`)
    return take(source, 11, (push) => {
      source.onmessage = (event) => {
        push(event.data)
        // Seen all the first connection sends: now the server may drop it.
        if (event.data === '5') void fetch(`${origin}/drop`)
      }
      source.onerror = (event) => push(event.code)
    })
  },
  post: () => {
    const source = new EventSource(`${origin}/post`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'crème brûlée' }),
    })
    return take(source, 2, (push) => {
      source.onmessage = (event) => push(event.data)
    })
  },
  busy: () => {
    const source = new EventSource(`${origin}/busy`, {
      retry: { initialDelayMs: 20, factor: 2, maxDelayMs: 1000, jitter: 0, maxRetries: 5 },
    })
    return take(source, 5, (push) => {
      source.onopen = () => push('open')
      source.onmessage = (event) => push(event.data)
      source.onerror = (event) => push(`${event.code} ${event.status}`)
    })
  },
}

const run = scenarios[scenario]
if (!run) throw new Error(`unknown scenario "${scenario}"`)
console.log(JSON.stringify(await run()))
