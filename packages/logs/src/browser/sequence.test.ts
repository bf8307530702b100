import { describe, expect, it } from 'vitest'
import { SequenceCheck } from './sequence.js'

describe('SequenceCheck', () => {
  it('takes events that follow each other whole, per source', () => {
    const check = new SequenceCheck()
    expect(check.place('e.0:3', 0, 1, 3)).toEqual({ skip: 0 })
    expect(check.place('e.0:3,1:2', 1, 1, 2)).toEqual({ skip: 0 })
    expect(check.place('e.0:5,1:2', 0, 4, 5)).toEqual({ skip: 0 })
  })

  it('starts a source wherever its first event starts (the server ring may have moved on)', () => {
    expect(new SequenceCheck().place('e.0:900', 0, 801, 900)).toEqual({ skip: 0 })
  })

  it('skips lines already held, once or wholly', () => {
    const check = new SequenceCheck()
    check.place('e.0:10', 0, 1, 10)
    expect(check.place('e.0:12', 0, 8, 12)).toEqual({ skip: 3 })
    expect(check.place('e.0:12', 0, 5, 9)).toEqual({ skip: 5 })
    expect(check.place('e.0:13', 0, 13, 13)).toEqual({ skip: 0 })
  })

  it('reports a hole before an event that starts too far on', () => {
    const check = new SequenceCheck()
    check.place('e.0:10', 0, 1, 10)
    expect(check.place('e.0:30', 0, 21, 30)).toEqual({ skip: 0, hole: { from: 11, to: 20 } })
  })

  it('starts afresh when the epoch changes (a restarted server numbers from 1 again)', () => {
    const check = new SequenceCheck()
    check.place('old.0:500', 0, 1, 500)
    expect(check.place('new.0:3', 0, 1, 3)).toEqual({ skip: 0 })
    expect(check.place('new.0:4', 0, 4, 4)).toEqual({ skip: 0 })
  })
})
