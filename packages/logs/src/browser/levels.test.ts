import { describe, expect, it } from 'vitest'
import { detectLevel } from './levels.js'

describe('detectLevel', () => {
  it('reads the level word loggers print, whatever its case or brackets', () => {
    expect(detectLevel('2026-12-02 ERROR disk full')).toBe('error')
    expect(detectLevel('[warn] slow')).toBe('warn')
    expect(detectLevel('level=info msg=ok')).toBe('info')
    expect(detectLevel('DEBUG cache hit')).toBe('debug')
    expect(detectLevel('FATAL: out of memory')).toBe('error')
    expect(detectLevel('Warning: deprecated')).toBe('warn')
  })

  it('takes the first level word when a line names several', () => {
    expect(detectLevel('INFO retrying after error')).toBe('info')
  })

  it('does not take parts of words for levels', () => {
    expect(detectLevel('errorless information debugger')).toBe('')
    expect(detectLevel('plain line')).toBe('')
  })

  it('reads JSON loggers: level names and pino/bunyan numbers', () => {
    expect(detectLevel('{"level":"warn","msg":"x"}')).toBe('warn')
    expect(detectLevel('{"level":50,"msg":"error-free words"}')).toBe('error')
    expect(detectLevel('{"time":1,"level":30,"msg":"x"}')).toBe('info')
    expect(detectLevel('{"severity":"DEBUG"}')).toBe('debug')
  })

  it('looks only at the head of a very long line', () => {
    expect(detectLevel(`${'x '.repeat(1000)} ERROR`)).toBe('')
  })
})
