import { describe, expect, it } from 'vitest'
import {
  compileUriTemplate,
  MAX_SELECTOR_LENGTH,
  MAX_TEMPLATE_VARIABLES,
  matchMeter,
  TemplateLimitError,
  TemplateSyntaxError,
} from './uri-template.js'

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

  // Each operator expands ONE value to exactly these shapes (RFC 6570 §3.2, Appendix A).
  it.each([
    // simple: `,` joins a list's items; every reserved character of a value is encoded
    ['/u/{id}', '/u/1,2', true],
    ['/u/{id}', '/u/1%2F2', true],
    ['/u/{id}', '/u/1?2', false],
    ['/u/{id}', '/u/1=2', false],
    // `+` and `#` pass reserved characters through
    ['/u/{+id}', '/u/1/2?x=#y', true],
    ['/u{#id}', '/u#a/b', true],
    ['/u{#id}', '/ua/b', false],
    // `/`: one segment per variable, any number with explode
    ['https://example.com/users{/id}', 'https://example.com/users/1', true],
    ['https://example.com/users{/id}', 'https://example.com/users/1/secret', false],
    ['https://example.com/users{/id}', 'https://example.com/users/1%2Fsecret', true],
    ['https://example.com/users{/id}', 'https://example.com/users', true],
    ['https://example.com/users{/id}', 'https://example.com/users1', false],
    ['/u{/a,b}', '/u/1/2', true],
    ['/u{/a,b}', '/u/1/2/3', false],
    ['/u{/a*}', '/u/1/2/3', true],
    ['/u{/a*}', '/u/k=1/j=2', true],
    ['/u{/a*}', '/u/k=1=2', false],
    // `.`: labels
    ['/f{.ext}', '/f.json', true],
    ['/f{.ext}', '/f.js/on', false],
    // `;`: `name=value`, or a bare name for an empty string
    ['/m{;x}', '/m;x', true],
    ['/m{;x}', '/m;x=1,2', true],
    ['/m{;x}', '/m;y=1', false],
    ['/m{;x}', '/m;x=1;y=2', false],
    ['/m{;x*}', '/m;x=1;y=2', true],
    // `?` and `&`: `name=` even when empty, `&` between variables
    ['/s{?q}', '/s?q=', true],
    ['/s{?q}', '/s?q', false],
    ['/s{?q}', '/s?q=a&r=b', false],
    ['/s{?q,r}', '/s?q=a&r=b', true],
    ['/s{?q,r}', '/s?r=b', true],
    ['/s{?q,r}', '/s?q=ar=b', false],
    ['/s{?q,r}', '/s?r=b&q=a', false],
    ['/s{?q*}', '/s?a=1&b=', true],
    ['/s{?q*}', '/s?a=1&b', false],
    ['/s{&q}', '/s&q=1', true],
    // prefixes count characters before encoding
    ['/p/{v:2}', '/p/%C3%A9%E4%B8%AD', true],
    ['/p/{v:2}', '/p/%C3%A9%E4%B8%ADx', false],
    ['/p/{v:2}', '/p/é中', true],
    ['/p/{v:2}', '/p/a,b', false],
    ['/p{?v:2}', '/p?v=ab', true],
    ['/p{?v:2}', '/p?v=abc', false],
    ['/p{;v:2}', '/p;v', true],
    ['/p{;v:2}', '/p;v=', false],
    // IRIs: non-ASCII characters unescaped, surrogate pairs whole
    ['/e/{id}', '/e/😀', true],
    ['/e/{id}', '/e/\ud83d', false],
    // percent-escapes: two hex digits, either case (RFC 3986 §6.2.2.1)
    ['/e/{id}', '/e/%2f', true],
    ['/e/{id}', '/e/%2', false],
    ['/e/{id}', '/e/%zz', false],
  ])('one value, as RFC 6570 expands it: %s ~ %s → %s', (template, uri, expected) => {
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

  it.each([
    ['a selector longer than MAX_SELECTOR_LENGTH', `/${'x'.repeat(MAX_SELECTOR_LENGTH - 4)}{id}`],
    ['more than MAX_TEMPLATE_VARIABLES variables', `/{${'v,'.repeat(MAX_TEMPLATE_VARIABLES)}w}`],
    ['more than MAX_TEMPLATE_VARIABLES expressions', '{a}'.repeat(MAX_TEMPLATE_VARIABLES + 1)],
  ])('refuses %s with TemplateLimitError', (_, template) => {
    expect(() => compileUriTemplate(template)).toThrow(TemplateLimitError)
    const fits = template.slice(0, template.lastIndexOf('{')) // one variable fewer
    expect(() => compileUriTemplate(fits)).not.toThrow()
  })
})

describe('linear cost', () => {
  const HOSTILE = `${'{+a}'.repeat(9)}!`
  const steps = (template: string, uri: string) => {
    const matcher = compileUriTemplate(template)
    const before = matchMeter.steps
    matcher.matches(uri)
    return { steps: matchMeter.steps - before, work: matcher.work }
  }

  it('matching costs at most `work` steps per character, however the template nests', () => {
    // Values all the way, then a character no value may hold: every thread lives to the end
    // and dies there (the tail literal is compared first, so the topic keeps it).
    const cases: [string, (n: number) => string][] = [
      [HOSTILE, (n) => `${'a'.repeat(n)} !`],
      ['{/a*}{/b*}{/c*}x', (n) => `${'/a'.repeat(n)} x`],
      ['{;a*,b*,c*}{?d*}', (n) => `${';a=b'.repeat(n)} `],
      ['{a:9999}{b}{c:50}', (n) => `${'a'.repeat(n)} `],
    ]
    for (const [template, topic] of cases) {
      for (const n of [10, 100, 1000]) {
        const uri = topic(n)
        const { steps: s, work } = steps(template, uri)
        expect(s, `${template} over ${n}`).toBeGreaterThan(n)
        expect(s, `${template} over ${n}`).toBeLessThanOrEqual(work * (uri.length + 1))
      }
    }
  })

  it('the 9-expression `{+a}…{+a}!` costs twice the steps for a topic twice as long', () => {
    const at = (n: number) => steps(HOSTILE, `${'a'.repeat(n)} !`).steps
    expect(at(2000)).toBeLessThanOrEqual(2 * at(1000))
    expect(at(4000)).toBeLessThanOrEqual(2 * at(2000))
  })

  it('compiling makes an automaton linear in the template length (closures: in its variables²)', () => {
    for (const unit of ['{a}', '{;a*}', '{?a:99}', '{a}xyz', '{+a}{#b}']) {
      const template = unit.repeat(MAX_TEMPLATE_VARIABLES / (unit.match(/{/g) ?? []).length)
      // 32 steps per character at the variable limit; ε-closures add O(variables²).
      expect(compileUriTemplate(template).work, template).toBeLessThanOrEqual(32 * template.length)
    }
    // A literal twice as long: twice the states, the same closures.
    const literal = (n: number) => compileUriTemplate(`{a}${'x'.repeat(n)}{b}`).work
    expect(literal(1500) - literal(1000)).toBe(literal(1000) - literal(500))
  })
})
