import { describe, expect, it } from 'vitest'
import { formatCursor, parseCursor } from './cursor.js'

describe('cursor', () => {
  it('round-trips every source position, leaving out sources at 0', () => {
    const text = formatCursor('ep', [1042, 0, 77])
    expect(text).toBe('ep.0:1042,2:77')
    expect(parseCursor(text, 'ep', 3)).toEqual([1042, 0, 77])
  })

  it('names sources in base 36', () => {
    const seqs = Array.from({ length: 40 }, (_, i) => i + 1)
    expect(parseCursor(formatCursor('ep', seqs), 'ep', 40)).toEqual(seqs)
  })

  it('treats a cursor of another run, another source list or another shape as none', () => {
    expect(parseCursor('old.0:5', 'ep', 1)).toBeUndefined()
    expect(parseCursor('ep.3:5', 'ep', 2)).toBeUndefined()
    expect(parseCursor('ep.0:-5', 'ep', 1)).toBeUndefined()
    expect(parseCursor('ep.0:5,,1:2', 'ep', 2)).toBeUndefined()
    expect(parseCursor('no dot', 'ep', 1)).toBeUndefined()
  })

  it('reads an empty position list as every source at 0', () => {
    expect(parseCursor('ep.', 'ep', 2)).toEqual([0, 0])
  })
})
