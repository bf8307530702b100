import { describe, expect, it } from 'vitest'
import { compileSelector, matchesAny } from './topics.js'

describe('Mercure topic selectors', () => {
  it('spec: `*` matches every topic', () => {
    expect(compileSelector('*').matches('anything at all')).toBe(true)
  })

  it('spec: a selector matches the identical string, templates included', () => {
    expect(compileSelector('https://example.com/foo').matches('https://example.com/foo')).toBe(true)
    expect(compileSelector('https://example.com/foo').matches('https://example.com/foo/')).toBe(
      false,
    )
    expect(compileSelector('https://example.com/{id}').matches('https://example.com/{id}')).toBe(
      true,
    )
  })

  it('spec: a URI Template selector matches the strings it could expand to', () => {
    const s = compileSelector('https://example.com/books/{id}')
    expect(s.matches('https://example.com/books/42')).toBe(true)
    expect(s.matches('https://example.com/books/42/reviews')).toBe(false)
  })

  it('refuses a malformed template with a 400 HubError', () => {
    expect(() => compileSelector('https://example.com/books/{id')).toThrow(
      expect.objectContaining({ status: 400, code: 'ERR_HUB_INVALID_TOPIC_SELECTOR' }),
    )
  })

  it('matches when any topic matches any selector', () => {
    const selectors = ['https://example.com/a', 'https://example.com/b/{x}'].map(compileSelector)
    expect(matchesAny(selectors, ['nope', 'https://example.com/b/1'])).toBe(true)
    expect(matchesAny(selectors, ['nope'])).toBe(false)
    expect(matchesAny([], ['https://example.com/a'])).toBe(false)
  })
})
