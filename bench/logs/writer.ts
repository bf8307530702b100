/**
 * The log writer of the logs suite, in a process of its own so that pacing never waits on the
 * browser driver: it appends 100-byte lines to a file, each stamped with its write time
 * (`Date.now()`, the clock pages read too) and a sequence number the page reports back.
 */
import { closeSync, openSync, writeSync } from 'node:fs'
import { serveRequests } from '../server/protocol.js'

/** Bytes per line, newline included (the workload). */
const LINE_BYTES = 100

/** `TTTTTTTTTTTTT SSSSSSSSS ` then padding to 99 bytes, then `\n`: stamp (ms) and sequence. */
function line(stampMs: number, seq: number): string {
  const head = `${stampMs} ${String(seq).padStart(9, '0')} level=info msg=`
  return `${head}${'x'.repeat(LINE_BYTES - 1 - head.length)}\n`
}

/** A line with a 13-digit stamp: every line is this, with its own stamp and sequence digits. */
const TEMPLATE = Buffer.from(line(Date.now(), 0), 'latin1')

/** `count` lines from sequence `from`, stamped now (filled into a buffer: no text to encode). */
function lines(from: number, count: number): Buffer {
  const stamp = String(Date.now())
  const out = Buffer.allocUnsafe(count * LINE_BYTES)
  for (let i = 0; i < count; i++) {
    const at = i * LINE_BYTES
    TEMPLATE.copy(out, at)
    out.write(stamp, at, 'latin1')
    out.write(String(from + i).padStart(9, '0'), at + 14, 'latin1')
  }
  return out
}

/** Next sequence number per file (sequences start at 1 in every file). */
const next = new Map<string, number>()

/**
 * Appends `count` lines at `rate` lines/s, in a write every few milliseconds (each write is
 * what is due by then). Returns the last sequence written and how long it took.
 */
async function paced(args: Record<string, unknown>) {
  const path = args.path as string
  const rate = args.rate as number
  const count = args.count as number
  const fd = openSync(path, 'a')
  const first = next.get(path) ?? 1
  const start = performance.now()
  let written = 0
  try {
    while (written < count) {
      const due = Math.min(count, Math.floor(((performance.now() - start) / 1000) * rate))
      if (due > written) {
        writeSync(fd, lines(first + written, due - written))
        written = due
      }
      await new Promise((resolve) => setTimeout(resolve, 2))
    }
  } finally {
    closeSync(fd)
  }
  next.set(path, first + count)
  return { lastSeq: first + count - 1, ms: performance.now() - start }
}

/** Appends `count` lines in one write, as fast as the file system takes them. */
function burst(args: Record<string, unknown>) {
  const path = args.path as string
  const count = args.count as number
  const first = next.get(path) ?? 1
  const bytes = lines(first, count)
  const start = performance.now()
  const fd = openSync(path, 'a')
  try {
    writeSync(fd, bytes)
  } finally {
    closeSync(fd)
  }
  next.set(path, first + count)
  return { lastSeq: first + count - 1, ms: performance.now() - start }
}

serveRequests({ paced, burst })
