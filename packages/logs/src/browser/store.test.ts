import { describe, expect, it } from 'vitest'
import { sliceSegments } from './ansi.js'
import { DEFAULT_VIEW, LineStore } from './store.js'

const texts = (store: LineStore) => store.slice(0, store.rows).map((r) => r.entry.text)

describe('LineStore', () => {
  it('keeps at most its capacity, counting the oldest that left as dropped', () => {
    const store = new LineStore(3)
    for (const text of ['a', 'b', 'c', 'd', 'e']) store.add('line', 0, text)
    expect(texts(store)).toEqual(['c', 'd', 'e'])
    expect([store.size, store.dropped]).toEqual([3, 2])
  })

  it('keeps the filtered view up to date as lines arrive and leave', () => {
    const store = new LineStore(4)
    store.setView({ ...DEFAULT_VIEW, query: 'x' })
    for (const text of ['x1', 'y1', 'x2', 'y2', 'x3', 'y3']) store.add('line', 0, text)
    expect(texts(store)).toEqual(['x2', 'x3'])
  })

  it('filters by substring (any case unless asked), regex, invert, level and source', () => {
    const store = new LineStore(100)
    for (const text of ['ERROR disk full', 'WARN disk slow', 'INFO ok']) store.add('line', 0, text)
    store.add('line', 1, 'other source DISK')
    store.setView({ ...DEFAULT_VIEW, query: 'disk' })
    expect(store.rows).toBe(3)
    store.setView({ ...DEFAULT_VIEW, query: 'disk', caseSensitive: true })
    expect(texts(store)).toEqual(['ERROR disk full', 'WARN disk slow'])
    store.setView({ ...DEFAULT_VIEW, query: '^(WARN|INFO)', regex: true })
    expect(texts(store)).toEqual(['WARN disk slow', 'INFO ok'])
    store.setView({ ...DEFAULT_VIEW, query: 'disk', invert: true })
    expect(texts(store)).toEqual(['INFO ok'])
    store.setView({ ...DEFAULT_VIEW, levels: ['error', 'info'] })
    expect(texts(store)).toEqual(['ERROR disk full', 'INFO ok', 'other source DISK'])
    store.setView({ ...DEFAULT_VIEW, source: '1' })
    expect(texts(store)).toEqual(['other source DISK'])
  })

  it('matches filters against the text without terminal escapes', () => {
    const store = new LineStore(10)
    store.add('line', 0, '\u001b[31mred\u001b[0m alert')
    store.setView({ ...DEFAULT_VIEW, query: 'red alert' })
    expect(store.rows).toBe(1)
  })

  it('a bad regex shows nothing instead of throwing; an empty inverted filter hides nothing', () => {
    const store = new LineStore(10)
    store.add('line', 0, 'a')
    store.setView({ ...DEFAULT_VIEW, query: '(', regex: true })
    expect(store.rows).toBe(0)
    store.setView({ ...DEFAULT_VIEW, query: '', invert: true })
    expect(store.rows).toBe(1)
  })

  it('highlight mode shows every line and marks the matches; gaps and statuses always show', () => {
    const store = new LineStore(10)
    store.add('line', 0, 'match me')
    store.add('gap', 0, '5 lines not received')
    store.add('line', 0, 'not this')
    store.setView({ ...DEFAULT_VIEW, query: 'match', mode: 'highlight' })
    expect(store.slice(0, 10).map((r) => [r.entry.text, r.match])).toEqual([
      ['match me', true],
      ['5 lines not received', true],
      ['not this', false],
    ])
  })

  it('finds where an entry is in the view', () => {
    const store = new LineStore(4)
    for (let i = 0; i < 10; i++) store.add('line', 0, i % 2 === 0 ? 'even' : 'odd')
    store.setView({ ...DEFAULT_VIEW, query: 'even' })
    // Kept: entries 6..9; the view holds 6 and 8.
    expect([store.indexOf(6), store.indexOf(8), store.indexOf(7), store.indexOf(2)]).toEqual([
      0, 1, -1, -1,
    ])
  })

  it('download text is the kept lines without escapes, gaps left out', () => {
    const store = new LineStore(10)
    store.add('line', 0, '\u001b[1mbold\u001b[0m')
    store.add('gap', 0, 'gap')
    store.add('line', 0, 'plain')
    expect(store.text()).toBe('bold\nplain\n')
  })

  it('wraps long lines into rows of cols characters, and unwraps', () => {
    const store = new LineStore(10)
    store.add('line', 0, 'a'.repeat(25))
    store.add('line', 0, 'short')
    store.add('gap', 0, '')
    store.setWrap(10)
    expect(store.rows).toBe(5)
    expect(store.slice(0, 10).map((r) => [r.entry.text.slice(0, 1), r.part])).toEqual([
      ['a', 0],
      ['a', 1],
      ['a', 2],
      ['s', 0],
      ['', 0],
    ])
    // A window that starts inside a wrapped line.
    expect(store.slice(2, 2).map((r) => r.part)).toEqual([2, 0])
    expect(store.indexOf(1)).toBe(3)
    store.add('line', 0, '\u001b[31m'.concat('b'.repeat(10), '\u001b[0m'))
    expect(store.rows).toBe(6)
    store.setWrap(0)
    expect(store.rows).toBe(4)
    expect(store.indexOf(1)).toBe(1)
  })

  it('keeps wrapped rows right as old entries leave', () => {
    const store = new LineStore(2)
    store.setWrap(4)
    store.add('line', 0, 'aaaaaaaa')
    store.add('line', 0, 'bbbbbbbbbbbb')
    store.add('line', 0, 'cc')
    expect(store.rows).toBe(4)
    expect(store.slice(0, 4).map((r) => `${r.entry.text[0]}${r.part}`)).toEqual([
      'b0',
      'b1',
      'b2',
      'c0',
    ])
  })
})

describe('sliceSegments', () => {
  it('cuts styled runs at character offsets, keeping each piece its style', () => {
    const runs = [{ text: 'abc' }, { text: 'defg', classes: 'ansi-red-fg' }, { text: 'hi' }]
    expect(sliceSegments(runs, 2, 6)).toEqual([
      { text: 'c' },
      { text: 'def', classes: 'ansi-red-fg' },
    ])
    expect(sliceSegments(runs, 6, 12)).toEqual([
      { text: 'g', classes: 'ansi-red-fg' },
      { text: 'hi' },
    ])
  })
})
