import { describe, expect, it } from 'vitest'
import { cutMarker, LineSplitter } from './line-splitter.js'

function split(chunks: (string | Buffer)[], maxLineBytes = 1024) {
  const lines: [string, number][] = []
  const splitter = new LineSplitter(maxLineBytes, (text, bytes) => lines.push([text, bytes]))
  for (const chunk of chunks) splitter.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk))
  return { lines, splitter }
}

describe('LineSplitter', () => {
  it('holds a partial line until its newline arrives, in any chunking', () => {
    const { lines } = split(['ab', 'c\nde', 'f', '\n\ng'])
    expect(lines.map(([t]) => t)).toEqual(['abc', 'def', ''])
  })

  it('ends lines on LF and on CRLF, keeping a lone CR inside a line', () => {
    const { lines } = split(['a\r\nb\rc\n'])
    expect(lines).toEqual([
      ['a', 1],
      ['b\rc', 3],
    ])
  })

  it('emits the held partial line when the input ends', () => {
    const { lines, splitter } = split(['tail without newline'])
    expect(lines).toEqual([])
    splitter.end()
    expect(lines.map(([t]) => t)).toEqual(['tail without newline'])
  })

  it('keeps a character split across chunks whole', () => {
    const euro = Buffer.from('€\n')
    const { lines } = split([euro.subarray(0, 1), euro.subarray(1)])
    expect(lines).toEqual([['€', 3]])
  })

  it('cuts a line longer than maxLineBytes once, with a visible marker, and drops the rest up to its newline', () => {
    const long = 'x'.repeat(5000)
    const { lines } = split([long.slice(0, 700), long.slice(700), '\nnext\n'], 100)
    expect(lines.map(([t]) => t)).toEqual([`${'x'.repeat(100)}${cutMarker(100)}`, 'next'])
  })

  it('cuts on a character boundary', () => {
    // 'é' is two bytes: a cut at 5 bytes would split the third one.
    const { lines } = split(['ééééé\n'], 5)
    expect(lines[0]?.[0]).toBe(`éé${cutMarker(5)}`)
  })

  it('holds at most maxLineBytes of an endless line', () => {
    const held: number[] = []
    const splitter = new LineSplitter(1000, () => {})
    for (let i = 0; i < 1000; i++) {
      splitter.push(Buffer.alloc(4096, 0x61))
      held.push(splitter.holding ? 1 : 0)
    }
    // After the cut, nothing is held: the rest of the line is dropped as it arrives.
    expect(held.slice(1).every((h) => h === 0)).toBe(true)
  })
})
