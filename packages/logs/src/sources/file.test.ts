import {
  appendFileSync,
  closeSync,
  copyFileSync,
  mkdtempSync,
  openSync,
  renameSync,
  rmSync,
  truncateSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { CollectingSink } from '../test-sink.js'
import { followFile } from './file.js'
import type { Source } from './source.js'

let dir: string
let path: string
const sources: Source[] = []

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sprinkler-logs-'))
  path = join(dir, 'app.log')
})
afterEach(async () => {
  await Promise.all(sources.splice(0).map((s) => s.close()))
  rmSync(dir, { recursive: true, force: true })
})

const numbered = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => `line ${from + i}`)
const text = (lines: string[]) => lines.map((l) => `${l}\n`).join('')

/** Follows `path` into `sink` (a fresh one unless given), closed after the test. */
function follow(options = {}, sink = new CollectingSink()): CollectingSink {
  sources.push(followFile(sink, path, { pollMs: 50, ...options }))
  return sink
}

const has = (n: number) => (sink: CollectingSink) => sink.lines.length >= n

describe('followFile (tail -F)', () => {
  it('reads appended lines once and in order, holding a partial line until it ends', async () => {
    writeFileSync(path, '')
    const sink = follow()
    await sink.until((s) => s.states().includes('following'))
    appendFileSync(path, text(numbered(1, 100)))
    await sink.until(has(100))
    appendFileSync(path, 'partial')
    // Give the follower turns to read the partial line: it must not emit it yet.
    await new Promise((resolve) => setTimeout(resolve, 200))
    appendFileSync(path, ' line\n')
    await sink.until(has(101))
    expect(sink.lines).toEqual([...numbered(1, 100), 'partial line'])
  })

  it('starts an existing file near its end, on a line boundary', async () => {
    writeFileSync(path, text(numbered(1, 1000)))
    const sink = follow({ tailBytes: 95 })
    await sink.until((s) => s.states().includes('following'))
    appendFileSync(path, text(['after start']))
    await sink.until((s) => s.lines.includes('after start'))
    // The last 100 bytes are lines 990–1000; 95 bytes back is inside "line 990".
    expect(sink.lines).toEqual([...numbered(991, 1000), 'after start'])
  })

  it('follows a file that appears later, from its first line', async () => {
    const sink = follow()
    await sink.until((s) => s.states().includes('waiting'))
    writeFileSync(path, text(numbered(1, 20)))
    await sink.until(has(20))
    expect(sink.lines).toEqual(numbered(1, 20))
  })

  it('rotation by rename mid-stream loses nothing: the old file is read to its end, then the new one', async () => {
    const fd = openSync(path, 'a')
    writeSync(fd, text(numbered(1, 50)))
    const sink = follow()
    await sink.until(has(50))
    writeSync(fd, text(numbered(51, 60)))
    renameSync(path, `${path}.1`)
    // The writer still holds the renamed file, as a logger does until it reopens.
    writeSync(fd, text(numbered(61, 70)))
    closeSync(fd)
    writeFileSync(path, text(numbered(71, 100)))
    await sink.until(has(100))
    expect(sink.lines).toEqual(numbered(1, 100))
    expect(sink.states()).toContain('rotated')
  })

  it('copytruncate mid-stream loses nothing, even when the file regrows to the same size at once', async () => {
    writeFileSync(path, '')
    const sink = follow()
    appendFileSync(path, text(numbered(1, 50)))
    await sink.until(has(50))
    copyFileSync(path, `${path}.1`)
    truncateSync(path, 0)
    // Same line lengths: the size comes back to exactly where the follower was.
    appendFileSync(path, text(numbered(51, 100)))
    await sink.until(has(100))
    expect(sink.lines).toEqual(numbered(1, 100))
    expect(sink.states()).toContain('truncated')
  })

  it('truncate and regrow past the old size loses nothing', async () => {
    writeFileSync(path, '')
    const sink = follow()
    appendFileSync(path, text(numbered(1, 10)))
    await sink.until(has(10))
    truncateSync(path, 0)
    appendFileSync(path, text(numbered(11, 300)))
    await sink.until(has(300))
    expect(sink.lines).toEqual(numbered(1, 300))
  })

  it('truncate, then regrow later, loses nothing', async () => {
    writeFileSync(path, '')
    const sink = follow()
    appendFileSync(path, text(numbered(1, 10)))
    await sink.until(has(10))
    truncateSync(path, 0)
    await sink.until((s) => s.states().includes('truncated'))
    appendFileSync(path, text(numbered(11, 20)))
    await sink.until(has(20))
    expect(sink.lines).toEqual(numbered(1, 20))
  })

  it('delete and recreate mid-stream loses nothing', async () => {
    writeFileSync(path, '')
    const sink = follow()
    appendFileSync(path, text(numbered(1, 30)))
    await sink.until(has(30))
    unlinkSync(path)
    await sink.until((s) => s.states().includes('missing'))
    writeFileSync(path, text(numbered(31, 60)))
    await sink.until(has(60))
    expect(sink.lines).toEqual(numbered(1, 60))
    expect(sink.states()).toEqual(['following', 'missing', 'following'])
  })

  it('delete and recreate between two checks loses nothing', async () => {
    writeFileSync(path, '')
    const sink = follow()
    appendFileSync(path, text(numbered(1, 30)))
    await sink.until(has(30))
    appendFileSync(path, text(numbered(31, 40)))
    unlinkSync(path)
    writeFileSync(path, text(numbered(41, 60)))
    await sink.until(has(60))
    expect(sink.lines).toEqual(numbered(1, 60))
  })

  it('keeps reading a renamed file for rotationGraceMs: what its writer adds before reopening arrives', async () => {
    const fd = openSync(path, 'a')
    const sink = follow({ rotationGraceMs: 60_000 })
    writeSync(fd, text(numbered(1, 10)))
    await sink.until(has(10))
    renameSync(path, `${path}.1`)
    writeFileSync(path, text(numbered(11, 20)))
    await sink.until((s) => s.states().includes('rotated') && s.lines.length >= 20)
    // Only now does the writer notice: its last lines go to the renamed file.
    writeSync(fd, text(numbered(21, 25)))
    closeSync(fd)
    await sink.until(has(25))
    expect(sink.lines).toEqual(numbered(1, 25))
  })

  it('a partial last line of a rotated file is a line once the grace period ends', async () => {
    writeFileSync(path, '')
    const sink = follow({ rotationGraceMs: 50 })
    appendFileSync(path, 'first\nno newline')
    await sink.until(has(1))
    renameSync(path, `${path}.1`)
    writeFileSync(path, 'second\n')
    await sink.until(has(3))
    expect(sink.lines).toEqual(['first', 'second', 'no newline'])
  })

  it('cuts lines longer than maxLineBytes with a marker', async () => {
    const sink = new CollectingSink('test', 100)
    writeFileSync(path, '')
    follow({}, sink)
    appendFileSync(path, `${'y'.repeat(10_000)}\nshort\n`)
    await sink.until(has(2))
    expect(sink.lines[0]).toMatch(/^y{100} … \[line cut at 100 bytes\]$/)
    expect(sink.lines[1]).toBe('short')
  })
})
