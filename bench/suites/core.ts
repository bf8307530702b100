/**
 * @sprinkler/core parser and encoder, side by side with eventsource-parser, better-sse and Hono.
 */
import { createParser, encodeEvent, encodeEventBytes, type SseEvent } from '@sprinkler/core'
import { createEventBuffer } from 'better-sse'
import { SSEStreamingApi } from 'hono/streaming'
import { compare, compareAsync, type Row, round, type SuiteContext, spread } from '../lib.js'

// The npm script runs with `--conditions=source`, under which eventsource-parser's exports map
// resolves to its TypeScript sources. Users run its published build, so load that.
const esParserDir = new URL('.', import.meta.resolve('eventsource-parser/package.json'))
const esParser = (await import(
  new URL('dist/index.js', esParserDir).href
)) as typeof import('eventsource-parser')
const esParserVersion = await versionOf('eventsource-parser')

async function versionOf(name: string): Promise<string> {
  const { readFileSync } = await import('node:fs')
  const url = new URL(import.meta.resolve(`${name}/package.json`))
  return (JSON.parse(readFileSync(url, 'utf8')) as { version: string }).version
}

// ---------------------------------------------------------------------------------------------
// Inputs: realistic event streams, as UTF-8 bytes cut into fixed-size network reads.

interface Input {
  name: string
  text: string
  bytes: number
  events: number
}

const encoder = new TextEncoder()

function input(name: string, events: string[]): Input {
  const text = events.join('')
  return { name, text, bytes: encoder.encode(text).length, events: events.length }
}

function tick(i: number): string {
  return `{"seq":${i},"sym":"ACME","price":${(100 + (i % 97) / 4).toFixed(2)},"qty":${i % 500}}`
}

/** (a) 100,000 small events: a type, an id and one JSON data line each (a price ticker). */
const small = input(
  '100,000 small events (event + id + 1 data line)',
  Array.from({ length: 100_000 }, (_, i) => `event: tick\nid: ${i}\ndata: ${tick(i)}\n\n`),
)

/** (a') the same data with no type or id: the shape of LLM token streams. */
const smallDataOnly = input(
  '100,000 small events (1 data line only)',
  Array.from({ length: 100_000 }, (_, i) => `data: ${tick(i)}\n\n`),
)

/** (b) 1,000 large events: 64 data lines of ~80 characters each (a log tail), some non-ASCII. */
const large = input(
  '1,000 large events (64 data lines, ~5 KB each)',
  Array.from({ length: 1000 }, (_, i) => {
    let event = `event: log\nid: ${i}\n`
    for (let line = 0; line < 64; line++) {
      event += `data: 2026-01-01T00:00:${String(line).padStart(2, '0')}Z worker-${i % 8} `
      event += `${line % 7 === 0 ? 'Grüße, café ✓' : 'request served'} path=/api/items/${i * 64 + line}\n`
    }
    return `${event}\n`
  }),
)

/** The text as the parser receives it: bytes read `size` at a time, decoded as a stream. */
function chunked(text: string, size: number): string[] {
  const bytes = encoder.encode(text)
  const decoder = new TextDecoder()
  const chunks: string[] = []
  for (let offset = 0; offset < bytes.length; offset += size) {
    chunks.push(decoder.decode(bytes.subarray(offset, offset + size), { stream: true }))
  }
  return chunks
}

// ---------------------------------------------------------------------------------------------
// Parsers. Each pass parses the whole input with a fresh parser; the event handler does the
// same small amount of work for every library (count the events, sum the data lengths).

interface Tally {
  events: number
  chars: number
}

function parseWithSprinkler(chunks: string[]): Tally {
  const tally = { events: 0, chars: 0 }
  const parser = createParser({
    onEvent: (event: SseEvent) => {
      tally.events++
      tally.chars += event.data.length
    },
  })
  for (const chunk of chunks) parser.feed(chunk)
  return tally
}

function parseWithEventsourceParser(chunks: string[]): Tally {
  const tally = { events: 0, chars: 0 }
  const parser = esParser.createParser({
    onEvent: (event) => {
      tally.events++
      tally.chars += event.data.length
    },
  })
  for (const chunk of chunks) parser.feed(chunk)
  return tally
}

function parserRows(context: SuiteContext): Row[] {
  const rows: Row[] = []
  const samples = context.quick ? 3 : 21
  for (const data of [small, smallDataOnly, large]) {
    for (const chunkSize of [16 * 1024, 64 * 1024]) {
      const chunks = chunked(data.text, chunkSize)
      const ours = parseWithSprinkler(chunks)
      const theirs = parseWithEventsourceParser(chunks)
      if (
        ours.events !== data.events ||
        theirs.events !== ours.events ||
        theirs.chars !== ours.chars
      ) {
        throw new Error(`parsers disagree on ${data.name}: ${JSON.stringify({ ours, theirs })}`)
      }
      context.log(`parse: ${data.name}, ${chunkSize / 1024} KiB chunks`)
      const [sprinkler, reference] = compare(
        [
          { name: '@sprinkler/core createParser', fn: () => parseWithSprinkler(chunks) },
          {
            name: `eventsource-parser ${esParserVersion}`,
            fn: () => parseWithEventsourceParser(chunks),
          },
        ],
        { samples, warmup: context.quick ? 1 : 5, minWarmupMs: context.quick ? 0 : 500 },
      )
      if (!sprinkler || !reference) throw new Error('missing timing')
      for (const timing of [sprinkler, reference]) {
        rows.push({
          table: 'Parser throughput',
          input: data.name,
          chunks: `${chunkSize / 1024} KiB`,
          parser: timing.name,
          'MB/s': round(data.bytes / 1e6 / (timing.medianMs / 1000)),
          'events/s': round(data.events / (timing.medianMs / 1000)),
          'median ms': round(timing.medianMs),
          spread: spread(timing),
          'vs eventsource-parser': `${round(reference.medianMs / timing.medianMs, 3).toFixed(2)}×`,
        })
      }
    }
  }
  return rows
}

// ---------------------------------------------------------------------------------------------
// Encoders. Each pass encodes N events; every encoder gets the same, already serialised data
// string, and its output goes to the same sink (the total length is kept).

const ENCODE_COUNT = 100_000

interface EncodeCase {
  name: string
  /** The event to encode, by index. */
  event: (i: number) => { event: string; id: string; data: string }
}

const encodeCases: EncodeCase[] = [
  {
    name: 'small event (event + id + 1 data line)',
    event: (i) => ({ event: 'tick', id: String(i), data: tick(i) }),
  },
  {
    name: 'multi-line data (8 lines, ~400 B)',
    event: (i) => ({
      event: 'log',
      id: String(i),
      data: Array.from(
        { length: 8 },
        (_, line) => `line ${line} of event ${i}: request served`,
      ).join('\n'),
    }),
  },
]

/** Parses an encoder's output and says whether it gives back exactly the event it was given. */
function roundTrips(
  output: string,
  expected: { event: string; id: string; data: string },
): boolean {
  const events: SseEvent[] = []
  createParser({ onEvent: (event) => events.push(event) }).feed(output)
  return (
    events.length === 1 &&
    events[0]?.type === expected.event &&
    events[0]?.data === expected.data &&
    events[0]?.lastEventId === expected.id
  )
}

/** A Hono SSE stream whose `write` hands the built frame to `onFrame` instead of a stream. */
function honoCapture(onFrame: (frame: string) => void): SSEStreamingApi {
  const { readable, writable } = new TransformStream()
  const api = new SSEStreamingApi(writable, readable)
  api.write = async (frame) => {
    onFrame(frame as string)
    return api
  }
  return api
}

async function encoderRows(context: SuiteContext): Promise<Row[]> {
  const rows: Row[] = []
  const samples = context.quick ? 3 : 15
  const count = context.quick ? ENCODE_COUNT / 10 : ENCODE_COUNT
  for (const encodeCase of encodeCases) {
    const events = Array.from({ length: 1000 }, (_, i) => encodeCase.event(i))
    const at = (i: number) => events[i % events.length] as (typeof events)[number]
    const sample = at(1)

    const betterSse = createEventBuffer({ serializer: (data) => data as string })
    const betterSseEncode = (e: typeof sample) => {
      const frame = betterSse.event(e.event).id(e.id).data(e.data).dispatch().read()
      betterSse.clear()
      return frame
    }
    let honoFrame = ''
    const hono = honoCapture((frame) => {
      honoFrame = frame
    })

    const candidates = [
      {
        name: '@sprinkler/core encodeEvent',
        output: () => encodeEvent(sample),
        fn: () => {
          let total = 0
          for (let i = 0; i < count; i++) total += encodeEvent(at(i)).length
          return total
        },
      },
      {
        name: '@sprinkler/core encodeEventBytes',
        output: () => new TextDecoder().decode(encodeEventBytes(sample)),
        fn: () => {
          let total = 0
          for (let i = 0; i < count; i++) total += encodeEventBytes(at(i)).length
          return total
        },
      },
      {
        name: 'better-sse EventBuffer (event/id/data/dispatch)',
        output: () => betterSseEncode(sample),
        fn: () => {
          let total = 0
          for (let i = 0; i < count; i++) total += betterSseEncode(at(i)).length
          return total
        },
      },
    ]
    const syncTimings = compare(candidates, {
      samples,
      warmup: context.quick ? 1 : 3,
      minWarmupMs: context.quick ? 0 : 300,
    })

    // Hono's writeSSE is async (it awaits resolveCallback, then write()), so it is timed in an
    // await loop; encodeEvent in the same loop shows what the loop itself costs.
    const asyncCandidates = [
      {
        name: '@sprinkler/core encodeEvent, awaited per event (same loop as Hono)',
        output: () => encodeEvent(sample),
        fn: async () => {
          let total = 0
          for (let i = 0; i < count; i++) total += await Promise.resolve(encodeEvent(at(i)).length)
          return total
        },
      },
      {
        name: `hono SSEStreamingApi.writeSSE (frame captured at write())`,
        output: async () => {
          await hono.writeSSE(sample)
          return honoFrame
        },
        fn: async () => {
          let total = 0
          for (let i = 0; i < count; i++) {
            await hono.writeSSE(at(i))
            total += honoFrame.length
          }
          return total
        },
      },
    ]
    const asyncTimings = await compareAsync(asyncCandidates, {
      samples,
      warmup: context.quick ? 1 : 3,
      minWarmupMs: context.quick ? 0 : 300,
    })

    const baseline = syncTimings[0]
    if (!baseline) throw new Error('missing timing')
    const all = [
      ...candidates.map((c, i) => ({ c, t: syncTimings[i], output: c.output() })),
      ...(await Promise.all(
        asyncCandidates.map(async (c, i) => ({ c, t: asyncTimings[i], output: await c.output() })),
      )),
    ]
    for (const { c, t, output } of all) {
      if (!t) throw new Error('missing timing')
      context.log(`encode: ${encodeCase.name}: ${c.name}`)
      rows.push({
        table: 'Encoder',
        event: encodeCase.name,
        encoder: c.name,
        'events/s': round(count / (t.medianMs / 1000)),
        spread: spread(t),
        'vs encodeEvent': `${round(baseline.medianMs / t.medianMs, 3).toFixed(2)}×`,
        'parses back to the same event': roundTrips(output, sample) ? 'yes' : 'NO',
      })
    }
  }
  return rows
}

export default async function core(context: SuiteContext) {
  const rows = [...parserRows(context), ...(await encoderRows(context))]
  const notes = [
    '**Method.** Each input is built once, cut into 16 KiB or 64 KiB byte chunks and decoded ' +
      'to strings before timing, so the parser tables measure parsing only (both libraries take ' +
      'strings). A pass parses the whole input with a fresh parser whose `onEvent` counts events ' +
      'and sums data lengths. Passes of the candidates are interleaved, garbage is collected ' +
      'before each, and the median of the passes is reported (spread = half the min–max range). ' +
      `MB = 10⁶ bytes of UTF-8 input. eventsource-parser is loaded from its published \`dist\` ` +
      'build; @sprinkler/core from its TypeScript source through tsx (the same code `tsc` emits).',
    '**Encoders** all get the same already-serialised data string (better-sse is given an ' +
      'identity `serializer` instead of its default `JSON.stringify`). better-sse: the exported ' +
      '`EventBuffer`, as `Session.push` uses it, read and cleared per event. Hono: `writeSSE` of ' +
      'the exported `SSEStreamingApi` builds the frame as a string and passes it to `write()`, ' +
      'which is replaced by a sink on the instance so no stream is involved; `writeSSE` is ' +
      'async, so it is timed in an `await` loop, next to `encodeEvent` in the same loop. ' +
      '"Parses back" checks the frame with a spec-exact parser: better-sse writes multi-line ' +
      'data as one `data:` field with raw line breaks in it, so a client reads lines 2+ as ' +
      'unknown fields and drops them.',
  ]
  return { rows, notes }
}
