/**
 * @sprinkler/core parser and encoder, side by side with eventsource-parser, better-sse and Hono.
 */
import { createParser, encodeEvent, encodeEventBytes, type SseEvent } from '@sprinkler/core'
import { createEventBuffer } from 'better-sse'
import { SSEStreamingApi } from 'hono/streaming'
import {
  compare,
  compareAsync,
  type Row,
  round,
  type SuiteContext,
  spread,
  type Timing,
} from '../lib.js'

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

/** How much faster `timing` is than `baseline`, by median CPU time per pass. */
function ratio(baseline: Timing, timing: Timing): string {
  return `${(baseline.cpuMedianMs / timing.cpuMedianMs).toFixed(2)}×`
}

function parserRows(context: SuiteContext, summary: Row[]): Row[] {
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
          'MB/s': round(data.bytes / 1e6 / (timing.cpuMedianMs / 1000)),
          'events/s': round(data.events / (timing.cpuMedianMs / 1000)),
          'CPU ms': round(timing.cpuMedianMs),
          'wall ms': round(timing.medianMs),
          'wall spread': spread(timing),
          'vs eventsource-parser': ratio(reference, timing),
        })
      }
      summary.push({
        table: 'Summary: Sprinkler ÷ peer (above 1 = Sprinkler faster)',
        what: `parse ${data.name}, ${chunkSize / 1024} KiB chunks`,
        peer: reference.name,
        ratio: ratio(reference, sprinkler),
      })
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

type Frame = { event: string; id: string; data: string }

/** Parses an encoder's output and says whether it gives back exactly the event it was given. */
function roundTrips(output: string, expected: Frame): boolean {
  const events: SseEvent[] = []
  createParser({ onEvent: (event) => events.push(event) }).feed(output)
  return (
    events.length === 1 &&
    events[0]?.type === expected.event &&
    events[0]?.data === expected.data &&
    events[0]?.lastEventId === expected.id
  )
}

/**
 * A string encoder's output as a socket write would see it: V8 builds concatenations as
 * ropes and only flattens them when the characters are read, so read one (every encoder
 * here pays this, as it would when its frame is written).
 */
function flat(frame: string): number {
  return frame.charCodeAt(frame.length - 1)
}

/**
 * Hono's `SSEStreamingApi` with its stream swapped for a sink. `writeSSE` builds the frame
 * and calls `write()`; in `"string"` mode `write` is replaced and receives the frame, in
 * `"bytes"` mode Hono's own `write` runs (TextEncoder) and only its stream writer is replaced.
 */
function honoSink(mode: 'string' | 'bytes', onFrame: (frame: string | Uint8Array) => void) {
  const { readable, writable } = new TransformStream()
  const api = new SSEStreamingApi(writable, readable)
  if (mode === 'string') {
    api.write = async (frame) => {
      onFrame(frame)
      return api
    }
  } else {
    // `writer` is private in Hono's types but a plain field: the one thing swapped here.
    const internals = api as unknown as { writer: { write(bytes: Uint8Array): Promise<void> } }
    internals.writer = { write: async (bytes) => onFrame(bytes) }
  }
  return api
}

async function encoderRows(context: SuiteContext, summary: Row[]): Promise<Row[]> {
  const rows: Row[] = []
  const samples = context.quick ? 3 : 15
  const count = context.quick ? ENCODE_COUNT / 10 : ENCODE_COUNT
  const options = { samples, warmup: context.quick ? 1 : 3, minWarmupMs: context.quick ? 0 : 300 }
  const textEncoder = new TextEncoder()
  for (const encodeCase of encodeCases) {
    const events = Array.from({ length: 1000 }, (_, i) => encodeCase.event(i))
    const at = (i: number) => events[i % events.length] as Frame
    const sample = at(1)

    const buffer = createEventBuffer({ serializer: (data) => data as string })
    const betterSse = (e: Frame) => {
      const frame = buffer.event(e.event).id(e.id).data(e.data).dispatch().read()
      buffer.clear()
      return frame
    }
    let honoFrame: string | Uint8Array = ''
    const honoString = honoSink('string', (frame) => {
      honoFrame = frame
    })
    const honoBytes = honoSink('bytes', (frame) => {
      honoFrame = frame
    })
    const loop = (encode: (e: Frame) => number) => () => {
      let total = 0
      for (let i = 0; i < count; i++) total += encode(at(i))
      return total
    }

    // Each group is timed on its own; the first candidate of a group is Sprinkler's.
    const groups = [
      {
        title: 'to a string',
        sync: [
          {
            name: '@sprinkler/core encodeEvent',
            output: () => encodeEvent(sample),
            fn: loop((e) => flat(encodeEvent(e))),
          },
          {
            name: 'better-sse EventBuffer (event, id, data, dispatch, read)',
            output: () => betterSse(sample),
            fn: loop((e) => flat(betterSse(e))),
          },
        ],
      },
      {
        title: 'to UTF-8 bytes',
        sync: [
          {
            name: '@sprinkler/core encodeEventBytes',
            output: () => new TextDecoder().decode(encodeEventBytes(sample)),
            fn: loop((e) => encodeEventBytes(e).length),
          },
          {
            name: 'better-sse EventBuffer + TextEncoder',
            output: () => betterSse(sample),
            fn: loop((e) => textEncoder.encode(betterSse(e)).length),
          },
        ],
      },
    ]
    for (const group of groups) {
      context.log(`encode: ${encodeCase.name}, ${group.title}`)
      const timings = compare(group.sync, options)
      pushEncoderRows(encodeCase.name, group.title, group.sync, timings)
    }

    // Hono's writeSSE is async (it awaits resolveCallback, then write()), so it is timed in an
    // await loop, beside Sprinkler's encoder in the same loop (which shows what the loop costs).
    const asyncGroups = [
      {
        title: 'to a string, awaited per event',
        candidates: [
          {
            name: '@sprinkler/core encodeEvent',
            output: async () => encodeEvent(sample),
            fn: async () => {
              let total = 0
              for (let i = 0; i < count; i++)
                total += await Promise.resolve(flat(encodeEvent(at(i))))
              return total
            },
          },
          {
            name: 'hono SSEStreamingApi.writeSSE (frame taken at write())',
            output: async () => {
              await honoString.writeSSE(sample)
              return honoFrame as string
            },
            fn: async () => {
              let total = 0
              for (let i = 0; i < count; i++) {
                await honoString.writeSSE(at(i))
                total += flat(honoFrame as string)
              }
              return total
            },
          },
        ],
      },
      {
        title: 'to UTF-8 bytes, awaited per event',
        candidates: [
          {
            name: '@sprinkler/core encodeEventBytes',
            output: async () => new TextDecoder().decode(encodeEventBytes(sample)),
            fn: async () => {
              let total = 0
              for (let i = 0; i < count; i++)
                total += await Promise.resolve(encodeEventBytes(at(i)).length)
              return total
            },
          },
          {
            name: 'hono SSEStreamingApi.writeSSE (its write(), stream writer replaced)',
            output: async () => {
              await honoBytes.writeSSE(sample)
              return new TextDecoder().decode(honoFrame as Uint8Array)
            },
            fn: async () => {
              let total = 0
              for (let i = 0; i < count; i++) {
                await honoBytes.writeSSE(at(i))
                total += honoFrame.length
              }
              return total
            },
          },
        ],
      },
    ]
    for (const group of asyncGroups) {
      context.log(`encode: ${encodeCase.name}, ${group.title}`)
      const timings = await compareAsync(group.candidates, options)
      const outputs = await Promise.all(group.candidates.map((c) => c.output()))
      pushEncoderRows(
        encodeCase.name,
        group.title,
        group.candidates.map((c, i) => ({ name: c.name, output: () => outputs[i] as string })),
        timings,
      )
    }

    function pushEncoderRows(
      event: string,
      to: string,
      candidates: { name: string; output: () => string }[],
      timings: Timing[],
    ): void {
      const ours = timings[0]
      if (!ours) throw new Error('missing timing')
      candidates.forEach((candidate, i) => {
        const timing = timings[i]
        if (!timing) throw new Error('missing timing')
        rows.push({
          table: 'Encoder',
          event,
          output: to,
          encoder: candidate.name,
          'events/s': round(count / (timing.cpuMedianMs / 1000)),
          'wall spread': spread(timing),
          'vs Sprinkler': ratio(ours, timing),
          'parses back to the same event': roundTrips(candidate.output(), sample) ? 'yes' : 'NO',
        })
        if (i > 0) {
          summary.push({
            table: 'Summary: Sprinkler ÷ peer (above 1 = Sprinkler faster)',
            what: `encode ${event}, ${to}`,
            peer: candidate.name,
            ratio: ratio(timing, ours),
          })
        }
      })
    }
  }
  return rows
}

export default async function core(context: SuiteContext) {
  const summary: Row[] = []
  const parser = parserRows(context, summary)
  const encoder = await encoderRows(context, summary)
  const rows = [...summary, ...parser, ...encoder]
  const notes = [
    '**Method.** Each parser input is built once, cut into 16 KiB or 64 KiB byte chunks (the ' +
      'size of network reads) and decoded to strings before timing, so the parser rows measure ' +
      'parsing only (both libraries take strings). A pass parses the whole input with a fresh ' +
      'parser whose `onEvent` counts events and sums data lengths. Passes of the candidates are ' +
      'interleaved, the young generation is collected before each, and the median pass is reported. ' +
      'Throughput and ratios use the CPU time of a pass (this machine is shared: wall time also ' +
      'counts time spent preempted); wall time and its spread (half the min–max range) are ' +
      'shown beside it. MB = 10⁶ bytes of UTF-8 input. eventsource-parser is loaded from its ' +
      'published `dist` build, @sprinkler/core from its TypeScript source through tsx.',
    '**Encoders** all get the same already-serialised data string (better-sse is given an ' +
      'identity `serializer` instead of its default `JSON.stringify`). better-sse: its exported ' +
      '`EventBuffer`, as `Session.push` uses it, read and cleared per event; for bytes its ' +
      'string goes through `TextEncoder` (its Node connection hands the string to `res.write`). ' +
      'Hono exports no encoding function: its public `SSEStreamingApi.writeSSE` builds the frame ' +
      'and calls `write()`. For strings `write` is replaced on the instance by a sink; for bytes ' +
      "Hono's own `write` runs (TextEncoder) and only its private stream writer is a sink. " +
      '`writeSSE` is async, so those rows are timed in an `await` loop, beside Sprinkler in the ' +
      'same loop, whose own row shows what the loop costs. String outputs are ' +
      'flattened (one character read) as a socket write would, since V8 builds concatenations ' +
      'lazily. "Parses back" checks each frame with a spec-exact parser: better-sse writes ' +
      'multi-line data as one `data:` field with raw line breaks in it, so clients read lines 2+ ' +
      'as unknown fields and drop them. For every library, producing bytes (a `TextEncoder` ' +
      'call and a new `Uint8Array` per event) costs several times more than building the ' +
      'string; Sprinkler servers encode a broadcast once, not once per subscriber.',
  ]
  return { rows, notes }
}
