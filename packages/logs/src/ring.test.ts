import { describe, expect, it } from 'vitest'
import { LineRing } from './ring.js'

describe('LineRing', () => {
  it('numbers lines from 1 and keeps the numbers when old lines leave', () => {
    const ring = new LineRing({ maxLines: 3, maxBytes: 1000 })
    for (const text of ['a', 'b', 'c', 'd', 'e']) ring.push(text, 1)
    expect([ring.firstSeq, ring.lastSeq]).toEqual([3, 5])
    expect(ring.read(3, 5, 1000)).toEqual(['c', 'd', 'e'])
    expect(ring.read(4, 4, 1000)).toEqual(['d'])
  })

  it('is bounded in bytes as well as in lines', () => {
    const ring = new LineRing({ maxLines: 100, maxBytes: 10 })
    for (let i = 0; i < 10; i++) ring.push('xxxx', 4)
    expect(ring.bytes).toBeLessThanOrEqual(10)
    expect(ring.firstSeq).toBe(9)
  })

  it('always keeps the newest line, even one larger than maxBytes', () => {
    const ring = new LineRing({ maxLines: 10, maxBytes: 10 })
    ring.push('small', 5)
    ring.push('x'.repeat(50), 50)
    expect([ring.firstSeq, ring.lastSeq]).toEqual([2, 2])
  })

  it('reads at most maxBytes, but at least one line', () => {
    const ring = new LineRing({ maxLines: 100, maxBytes: 10_000 })
    for (let i = 0; i < 50; i++) ring.push('x'.repeat(92), 92)
    expect(ring.read(1, 50, 1000)).toHaveLength(10)
    expect(ring.read(1, 50, 1)).toHaveLength(1)
  })

  it('reports an empty ring as firstSeq = lastSeq + 1', () => {
    const ring = new LineRing({ maxLines: 4, maxBytes: 100 })
    expect([ring.firstSeq, ring.lastSeq]).toEqual([1, 0])
  })

  it('stamps each line with the time it was pushed; a read stays within one second', () => {
    let now = 5_000_200
    const ring = new LineRing({ maxLines: 10, maxBytes: 1000, now: () => now })
    ring.push('a', 1)
    now += 500
    ring.push('b', 1)
    now += 400 // 5 001 100: the next second
    ring.push('c', 1)
    expect([ring.timeOf(1), ring.timeOf(2), ring.timeOf(3)]).toEqual([
      5_000_200, 5_000_700, 5_001_100,
    ])
    expect(ring.read(1, 3, 1000)).toEqual(['a', 'b'])
    expect(ring.read(3, 3, 1000)).toEqual(['c'])
  })
})
