import { describe, expect, it } from 'vitest'
import { compileUriTemplate, TemplateSyntaxError } from './uri-template.js'

const matches = (template: string, uri: string) => compileUriTemplate(template).matches(uri)

describe('RFC 6570 matching', () => {
  it.each([
    // level 1: simple string expansion
    ['https://example.com/books/{id}', 'https://example.com/books/1', true],
    ['https://example.com/books/{id}', 'https://example.com/books/', true], // empty value
    ['https://example.com/books/{id}', 'https://example.com/books/1/2', false], // "/" is reserved
    ['https://example.com/books/{id}', 'https://example.com/authors/1', false],
    ['https://example.com/books/{id}.json', 'https://example.com/books/7.json', true],
    ['https://example.com/{a}/{b}', 'https://example.com/x/y', true],
    ['https://example.com/books/{id}', 'https://example.com/books/caf%C3%A9', true],
    ['https://example.com/books/{id}', 'https://example.com/books/café', true], // IRIs
    ['{x,y}', '1024,768', true],
    // level 2: reserved and fragment expansion
    ['https://example.com/{+path}', 'https://example.com/a/b/c', true],
    ['https://example.com/{+path}/here', 'https://example.com/foo/bar/here', true],
    ['https://example.com/page{#section}', 'https://example.com/page#intro', true],
    ['https://example.com/page{#section}', 'https://example.com/page', true],
    // level 3: label, path segments, path parameters, query, continuation
    ['https://example.com/file{.ext}', 'https://example.com/file.tar.gz', true],
    [
      '/.well-known/mercure/subscriptions{/topic}{/subscriber}',
      '/.well-known/mercure/subscriptions',
      true,
    ],
    [
      '/.well-known/mercure/subscriptions{/topic}{/subscriber}',
      '/.well-known/mercure/subscriptions/a%2Fb',
      true,
    ],
    [
      '/.well-known/mercure/subscriptions{/topic}{/subscriber}',
      '/.well-known/mercure/subscriptions/https%3A%2F%2Fexample.com%2Ffoo/urn%3Auuid%3A1',
      true,
    ],
    [
      '/.well-known/mercure/subscriptions{/topic}{/subscriber}',
      '/.well-known/mercure/other',
      false,
    ],
    ['/map{;x,y}', '/map;x=1024;y=768', true],
    ['/map{;x,y}', '/map;x;y=768', true],
    [
      'https://example.com/users/foo/{?topic}',
      'https://example.com/users/foo/?topic=https%3A%2F%2Fexample.com%2Fbooks%2F1',
      true,
    ],
    ['https://example.com/users/foo/{?topic}', 'https://example.com/users/foo/', true],
    ['https://example.com/users/foo/{?topic}', 'https://example.com/users/bar/?topic=x', false],
    ['https://example.com/users/foo/{?topic}', 'https://example.com/users/foo/?other=x', false],
    ['/search{?q,lang}{&page}', '/search?q=sse&lang=en&page=2', true],
    // level 4: prefixes and explode
    ['/v/{var:3}', '/v/val', true],
    ['/v/{var:3}', '/v/value', false],
    ['/list{/items*}', '/list/a/b/c', true],
    ['/find{?keys*}', '/find?a=1&b=2', true],
  ])('%s ~ %s → %s', (template, uri, expected) => {
    expect(matches(template, uri)).toBe(expected)
  })

  it('treats every character outside expressions literally', () => {
    expect(matches('https://example.com/a.b?c=(d)', 'https://example.com/a.b?c=(d)')).toBe(true)
    expect(matches('https://example.com/a.b', 'https://example.com/aXb')).toBe(false)
  })

  it.each([
    ['https://example.com/books/{id', 'an unclosed `{`'],
    ['https://example.com/books/id}', 'a `}` with no `{`'],
    ['https://example.com/{}', 'an empty expression'],
    ['https://example.com/{a{b}}', 'a `{` inside an expression'],
    ['https://example.com/{=x}', 'the reserved operator'],
    ['https://example.com/{a b}', 'the variable name'],
    ['https://example.com/{x:0}', 'the prefix length'],
    ['https://example.com/{x:10000}', 'the prefix length'],
  ])('refuses the malformed template %s (%s)', (template, why) => {
    expect(() => compileUriTemplate(template)).toThrow(TemplateSyntaxError)
    expect(() => compileUriTemplate(template)).toThrow(why)
  })
})
