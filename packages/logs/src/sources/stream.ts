import type { Readable } from 'node:stream'
import type { SourceSink } from '../feed.js'
import { LineSplitter } from '../line-splitter.js'
import type { Source } from './source.js'

/** Reads lines from a byte stream (stdin: `-` on the command line) until it ends. */
export function readLines(sink: SourceSink, input: Readable): Source {
  const splitter = new LineSplitter(sink.maxLineBytes, sink.line)
  let ended = false
  const end = () => {
    if (ended) return
    ended = true
    splitter.end()
    sink.status({ state: 'ended' })
  }
  sink.status({ state: 'following' })
  input.on('data', (chunk: Buffer) => splitter.push(chunk))
  input.once('end', end)
  input.once('error', end)
  return {
    close: async () => {
      ended = true
      input.destroy()
    },
  }
}
