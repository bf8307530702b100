/**
 * @sprinkler/client vs the eventsource package (v4): events/s received from a fast local server.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { EventSource as SprinklerEventSource } from '@sprinkler/client'
import { EventSource as ReferenceEventSource } from 'eventsource'
import { compareAsync, type Row, round, type SuiteContext, spread } from '../lib.js'

const referenceVersion = (
  JSON.parse(readFileSync(new URL(import.meta.resolve('eventsource/package.json')), 'utf8')) as {
    version: string
  }
).version

interface Input {
  name: string
  path: string
  /** The event type to listen to (`message` is `onmessage`). */
  type: string
  events: number
}

// The server runs in its own process (its own core, here), so the client is what is measured.
// Each route pre-encodes its whole stream once and writes it in 64 KiB pieces as fast as the
// socket takes them, then ends.
const serverSource = `
import { createServer } from 'node:http'
const [small, dataOnly, large] = JSON.parse(process.argv[1])
const tick = (i) => '{"seq":' + i + ',"sym":"ACME","price":' + (100 + (i % 97) / 4).toFixed(2) + ',"qty":' + (i % 500) + '}'
const line = 'x'.repeat(70) + ' é ' + 'y'.repeat(6)
const bodies = {
  '/small': Array.from({ length: small }, (_, i) => 'event: tick\\nid: ' + i + '\\ndata: ' + tick(i) + '\\n\\n'),
  '/data-only': Array.from({ length: dataOnly }, (_, i) => 'data: ' + tick(i) + '\\n\\n'),
  '/large': Array.from({ length: large }, (_, i) => 'event: log\\nid: ' + i + '\\n' + ('data: ' + line + '\\n').repeat(64) + '\\n'),
}
for (const key of Object.keys(bodies)) bodies[key] = Buffer.from(bodies[key].join(''))
const server = createServer((req, res) => {
  const body = bodies[req.url]
  if (!body) return res.writeHead(404).end()
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' })
  let offset = 0
  const pump = () => {
    while (offset < body.length) {
      const more = res.write(body.subarray(offset, offset + 65536))
      offset += 65536
      if (!more) return void res.once('drain', pump)
    }
    res.end()
  }
  pump()
})
server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: server.address().port, bytes: Object.fromEntries(Object.entries(bodies).map(([k, v]) => [k, v.length])) })))
`

async function startServer(
  counts: [number, number, number],
): Promise<{ child: ChildProcess; origin: string; bytes: Record<string, number> }> {
  const child = spawn(
    process.execPath,
    ['--input-type=module', '-e', serverSource, JSON.stringify(counts)],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  )
  const first = await new Promise<string>((resolve, reject) => {
    child.once('error', reject)
    child.stdout?.once('data', (data) => resolve(String(data)))
  })
  const { port, bytes } = JSON.parse(first) as { port: number; bytes: Record<string, number> }
  return { child, origin: `http://127.0.0.1:${port}`, bytes }
}

type AnySource = {
  addEventListener(type: string, listener: () => void): void
  onmessage: unknown
  close(): void
}

type AnyInit = { fetch: ReturnType<typeof fromMemory> }
/** Either client's constructor (their `init` types differ; only `fetch` is ever passed). */
type SourceClass = new (url: string, init?: never) => AnySource

/** Opens a source and resolves when the `count`-th event arrives (then closes it). */
function receive(
  Impl: SourceClass,
  url: string,
  type: string,
  count: number,
  init?: AnyInit,
): Promise<number> {
  return new Promise((resolve) => {
    const source = new Impl(url, init as never)
    let seen = 0
    const listener = () => {
      if (++seen === count) {
        source.close()
        resolve(seen)
      }
    }
    if (type === 'message') source.onmessage = listener
    else source.addEventListener(type, listener)
  })
}

/**
 * A `fetch` that answers from memory: the same bytes the server sends, handed over in 64 KiB
 * reads on demand. With it the network is out of the picture and only the client's own work
 * (decoding, parsing, events, listeners) is timed.
 */
function fromMemory(bytes: Uint8Array) {
  const headers = new Headers({ 'content-type': 'text/event-stream' })
  return async () => {
    let offset = 0
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (offset >= bytes.length) controller.close()
        else controller.enqueue(bytes.subarray(offset, offset + 65536))
        offset += 65536
      },
    })
    return { status: 200, url: 'http://memory.test/', redirected: false, headers, body }
  }
}

/** The transport alone: fetch the same stream and read its bytes, no decoding or parsing. */
async function readOnly(url: string): Promise<number> {
  const response = await fetch(url)
  const reader = (response.body as ReadableStream<Uint8Array>).getReader()
  let bytes = 0
  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
    bytes += chunk.value.length
  }
  return bytes
}

const implementations: Record<string, SourceClass> = {
  '@sprinkler/client EventSource': SprinklerEventSource,
  [`eventsource ${referenceVersion}`]: ReferenceEventSource,
}

interface WorkerJob {
  client: string
  url: string
  type: string
  events: number
  warmup: number
  samples: number
}

// This file doubles as the worker of the "alone" table: run with CLIENT_BENCH_JOB set, it times
// one client in a process of its own and prints the pass times (ms) as JSON.
if (process.env.CLIENT_BENCH_JOB) {
  const job = JSON.parse(process.env.CLIENT_BENCH_JOB) as WorkerJob
  const Impl = implementations[job.client] as SourceClass
  for (let i = 0; i < job.warmup; i++) await receive(Impl, job.url, job.type, job.events)
  const times: number[] = []
  for (let i = 0; i < job.samples; i++) {
    const start = performance.now()
    await receive(Impl, job.url, job.type, job.events)
    times.push(performance.now() - start)
  }
  console.log(JSON.stringify(times))
  process.exit(0)
}

/** Times one client in a fresh process (same loader and conditions as this one). */
async function alone(job: WorkerJob): Promise<number[]> {
  const child = spawn(process.execPath, [...process.execArgv, new URL(import.meta.url).pathname], {
    env: { ...process.env, CLIENT_BENCH_JOB: JSON.stringify(job) },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  let out = ''
  child.stdout?.on('data', (data) => {
    out += data
  })
  await new Promise((resolve) => child.once('exit', resolve))
  return JSON.parse(out) as number[]
}

function medianOf(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2
    ? (sorted[mid] ?? Number.NaN)
    : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2
}

export default async function client({ quick, log }: SuiteContext) {
  const counts: [number, number, number] = quick ? [10_000, 10_000, 100] : [100_000, 100_000, 1000]
  const inputs: Input[] = [
    {
      name: `${counts[0].toLocaleString('en-US')} small events (event + id + 1 data line)`,
      path: '/small',
      type: 'tick',
      events: counts[0],
    },
    {
      name: `${counts[1].toLocaleString('en-US')} small events (1 data line, onmessage)`,
      path: '/data-only',
      type: 'message',
      events: counts[1],
    },
    {
      name: `${counts[2].toLocaleString('en-US')} large events (64 data lines, ~5 KB each)`,
      path: '/large',
      type: 'log',
      events: counts[2],
    },
  ]
  const server = await startServer(counts)
  const rows: Row[] = []
  // The exact bytes of each stream, for the from-memory table (fetched on fresh connections).
  const bodies: Record<string, Uint8Array> = {}
  for (const { path } of inputs) {
    const response = await fetch(server.origin + path, { headers: { connection: 'close' } })
    bodies[path] = new Uint8Array(await response.arrayBuffer())
  }
  try {
    for (const input of inputs) {
      log(input.name)
      const url = server.origin + input.path
      const megabytes = (server.bytes[input.path] ?? 0) / 1e6
      const options = quick
        ? { samples: 3, warmup: 1 }
        : { samples: 15, warmup: 3, minWarmupMs: 1000 }
      const timings = await compareAsync(
        [
          {
            name: '@sprinkler/client EventSource',
            fn: () => receive(SprinklerEventSource, url, input.type, input.events),
          },
          {
            name: `eventsource ${referenceVersion}`,
            fn: () => receive(ReferenceEventSource, url, input.type, input.events),
          },
          {
            name: 'fetch, bytes read only (the ceiling)',
            fn: () => readOnly(url),
          },
        ],
        options,
      )
      const reference = timings[1]?.medianMs ?? Number.NaN
      const referenceCpu = timings[1]?.cpuMedianMs ?? Number.NaN
      for (const timing of timings) {
        const ceiling = timing.name.startsWith('fetch')
        const cpuTime = timing.cpuMedianMs
        rows.push({
          table: 'Events received per second (Node, one process per side, same run)',
          input: input.name,
          client: timing.name,
          'events/s': ceiling ? null : round((input.events / timing.medianMs) * 1000),
          'MB/s': round(megabytes / (timing.medianMs / 1000)),
          'median ms': round(timing.medianMs),
          spread: spread(timing),
          'vs eventsource': ceiling ? null : `${round(reference / timing.medianMs, 2)}×`,
          'CPU ms': round(cpuTime),
          'events per CPU-s': ceiling ? null : round((input.events / cpuTime) * 1000),
          'CPU vs eventsource': ceiling ? null : `${round(referenceCpu / cpuTime, 2)}×`,
        })
      }
    }
    // Each client alone: in the shared process the two clients run through the same Node
    // internals (MessageEvent, EventTarget, web streams), whose optimised code then serves both;
    // an application runs one. Processes alternate (A B A B …) so machine drift hits both.
    const rounds = quick ? 1 : 4
    for (const input of inputs) {
      log(`${input.name}, each client alone in its process`)
      const times: Record<string, number[]> = {}
      for (let round = 0; round < rounds; round++) {
        for (const name of Object.keys(implementations)) {
          const job = {
            client: name,
            url: server.origin + input.path,
            type: input.type,
            events: input.events,
            warmup: quick ? 1 : 10,
            samples: quick ? 3 : 8,
          }
          times[name] = [...(times[name] ?? []), ...(await alone(job))]
        }
      }
      const medians = Object.entries(times).map(([name, values]) => {
        const medianMs = medianOf(values)
        const halfRange = (Math.max(...values) - Math.min(...values)) / 2
        return { name, medianMs, spread: `±${round((halfRange / medianMs) * 100, 2)}%`, values }
      })
      const reference = medians[1]?.medianMs ?? Number.NaN
      for (const timing of medians) {
        rows.push({
          table: 'Each client alone in its own process (network, as an application runs it)',
          input: input.name,
          client: timing.name,
          'events/s': round((input.events / timing.medianMs) * 1000),
          'median ms': round(timing.medianMs),
          spread: timing.spread,
          samples: timing.values.length,
          'vs eventsource': `${round(reference / timing.medianMs, 2)}×`,
        })
      }
    }
    for (const input of inputs) {
      log(`${input.name}, from memory`)
      const memory = { fetch: fromMemory(bodies[input.path] ?? new Uint8Array()) }
      const url = 'http://memory.test/'
      const timings = await compareAsync(
        [
          {
            name: '@sprinkler/client EventSource',
            fn: () => receive(SprinklerEventSource, url, input.type, input.events, memory),
          },
          {
            name: `eventsource ${referenceVersion}`,
            fn: () => receive(ReferenceEventSource, url, input.type, input.events, memory),
          },
        ],
        quick ? { samples: 3, warmup: 1 } : { samples: 25, warmup: 5, minWarmupMs: 1000 },
      )
      const reference = timings[1]?.medianMs ?? Number.NaN
      for (const timing of timings) {
        rows.push({
          table: 'The client’s own cost: the same bytes from memory (no network)',
          input: input.name,
          client: timing.name,
          'events/s': round((input.events / timing.medianMs) * 1000),
          'median ms': round(timing.medianMs),
          spread: spread(timing),
          'vs eventsource': `${round(reference / timing.medianMs, 2)}×`,
        })
      }
    }
  } finally {
    server.child.kill()
  }
  return {
    rows,
    notes: [
      'Each pass opens a source on 127.0.0.1, receives every event of the stream through a ' +
        'listener (or `onmessage`) and closes the source at the last one; the time includes ' +
        'connecting. The server is a plain node:http process of its own writing one pre-encoded ' +
        'stream in 64 KiB pieces; both clients read it through Node’s global fetch. Samples are ' +
        'interleaved and garbage is collected before each; the median is reported.',
      '"fetch, bytes read only" reads the same response without decoding or parsing: the ' +
        'transport’s ceiling, for scale.',
      'The second table runs each client alone in a fresh Node process (same loader and ' +
        'conditions), 4 alternating processes per client, 10 warm-up and 8 timed passes each, ' +
        'against the same server. In the first and third tables both clients share one process: ' +
        'they then run through the same Node internals (MessageEvent, EventTarget, web streams), ' +
        'whose optimised code has to serve both, which is not how an application runs.',
      'The third table gives both clients the same bytes through their `fetch` option from ' +
        'memory, 64 KiB per read, so it measures decoding, parsing and event dispatch alone.',
      '"CPU ms" is the median CPU time (user + system, all threads) this process spent per ' +
        'pass, as bench/lib.ts measures it: unlike wall time it does not count waiting for a core, so it ' +
        'is the fairer comparison when the machine is busy. "vs eventsource" > 1× means faster ' +
        '(wall) or cheaper (CPU) than eventsource.',
    ],
  }
}
