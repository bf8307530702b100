import fc from 'fast-check'
import { parseTemplate, type Template } from 'url-template'
import { describe, expect, it } from 'vitest'
import { compileUriTemplate } from './uri-template.js'

// Property tests against an independent RFC 6570 expander (url-template): whatever it expands
// must match, and topics built so that no expansion can produce them must not.
const RUNS = { seed: 0x6570, numRuns: 400 }

type Value = Parameters<Template['expand']>[0][string]
const OPERATORS = ['', '+', '#', '.', '/', ';', '?', '&'] as const
type Op = (typeof OPERATORS)[number]
const UNRESERVED = 'ABCXYZabcxyz0189-._~'
const RESERVED = ":/?#[]@!$&'()*+,;="
// Characters no expansion and no generated literal contains: RFC 3986 allows them nowhere.
const NEVER = ' "<>\\^`{|}'

interface Spec {
  name: string
  modifier: '' | '*' | number
}
interface Expr {
  op: Op
  specs: Spec[]
}
type Part = string | Expr

const chars = (set: string, maxLength: number, minLength = 0) =>
  fc.string({ unit: fc.constantFrom(...set), minLength, maxLength })
const literal = fc.oneof(
  chars(UNRESERVED + RESERVED, 6, 1),
  fc.constantFrom('https://example.com/', '%2F', '/books/', '.json'),
)
// Value characters: everything an expander must encode or pass, BMP only (url-template cuts
// prefixes in UTF-16 code units, which would split a surrogate pair). url-template also passes
// a `%` with one hex digit unencoded in `+` and `#` (`%A` stays `%A`, RFC 6570 makes it `%25A`),
// so a `%` here is a whole escape or followed by a space, and prefixed values (which it may cut
// inside an escape) have none.
const valueString = (escapes: boolean) =>
  fc.string({
    unit: fc.oneof(
      fc.constantFrom(...UNRESERVED, ...RESERVED, ...NEVER),
      fc.constantFrom('é', '中', 'ß', '\u00a0', '\uffee'),
      escapes ? fc.constantFrom('%41', '%e9', '% ') : fc.constant('-'),
    ),
    maxLength: 8,
  })
const key = fc.string({
  unit: fc.constantFrom(...UNRESERVED, ...RESERVED, 'é'),
  minLength: 1,
  maxLength: 4,
})

const spec = (name: string): fc.Arbitrary<Spec> =>
  fc.record({
    name: fc.constant(name),
    modifier: fc.oneof(
      fc.constant(''),
      fc.constant('*'),
      fc.integer({ min: 1, max: 12 }),
    ) as fc.Arbitrary<Spec['modifier']>,
  })

const expressionArb = (names: string[]): fc.Arbitrary<Expr> =>
  fc.record({ op: fc.constantFrom(...OPERATORS), specs: fc.tuple(...names.map(spec)) })

/** Templates of 1–4 expressions (1–3 variables each, distinct names) between literals. */
const templateArb: fc.Arbitrary<Part[]> = fc
  .array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 4 })
  .chain((sizes) => {
    let n = 0
    const exprs = sizes.map((size) => expressionArb(Array.from({ length: size }, () => `v${n++}`)))
    return fc.tuple(
      fc.array(fc.option(literal, { nil: undefined }), {
        minLength: sizes.length + 1,
        maxLength: sizes.length + 1,
      }),
      fc.tuple(...exprs),
    )
  })
  .map(([literals, exprs]) => {
    const parts: Part[] = []
    exprs.forEach((e, i) => {
      const lit = literals[i]
      if (lit) parts.push(lit)
      parts.push(e)
    })
    const last = literals.at(-1)
    if (last) parts.push(last)
    return parts
  })

const text = (parts: Part[]) =>
  parts
    .map((p) =>
      typeof p === 'string'
        ? p
        : `{${p.op}${p.specs.map((s) => (s.modifier === '' ? s.name : s.modifier === '*' ? `${s.name}*` : `${s.name}:${s.modifier}`)).join(',')}}`,
    )
    .join('')

/** Values for every variable: undefined, a string, a list or a map (prefixes: strings only). */
const valuesArb = (parts: Part[]): fc.Arbitrary<Record<string, Value>> => {
  const entries = parts.flatMap((p) => (typeof p === 'string' ? [] : p.specs))
  const value = (s: Spec): fc.Arbitrary<Value> =>
    typeof s.modifier === 'number'
      ? fc.option(valueString(false), { nil: null })
      : fc.oneof(
          fc.constant(null),
          valueString(true),
          fc.array(valueString(true), { maxLength: 3 }),
          fc.dictionary(key, valueString(true), { maxKeys: 3, noNullPrototype: true }),
        )
  return fc.record(Object.fromEntries(entries.map((s) => [s.name, value(s)])))
}

const expand = (parts: Part[], values: Record<string, Value>) =>
  parseTemplate(text(parts)).expand(values)

describe('RFC 6570 level 4: what an expander produces, the matcher accepts', () => {
  it('every expansion of a random template matches it', () => {
    fc.assert(
      fc.property(
        templateArb.chain((parts) => fc.tuple(fc.constant(parts), valuesArb(parts))),
        ([parts, values]) => {
          const uri = expand(parts, values)
          expect(compileUriTemplate(text(parts)).matches(uri), `${text(parts)} ~ ${uri}`).toBe(true)
        },
      ),
      RUNS,
    )
  })
})

describe('RFC 6570 level 4: what no expansion can produce, the matcher refuses', () => {
  const expansionArb = templateArb.chain((parts) =>
    fc.tuple(
      fc.constant(parts),
      valuesArb(parts).map((values) => expand(parts, values)),
    ),
  )

  it('a character RFC 3986 allows nowhere, inserted anywhere in an expansion', () => {
    fc.assert(
      fc.property(expansionArb, fc.constantFrom(...NEVER), fc.nat(), ([parts, uri], c, at) => {
        const i = at % (uri.length + 1)
        const topic = uri.slice(0, i) + c + uri.slice(i)
        expect(compileUriTemplate(text(parts)).matches(topic), topic).toBe(false)
      }),
      RUNS,
    )
  })

  it('a `%` not followed by two hex digits, inserted anywhere in an expansion', () => {
    fc.assert(
      fc.property(
        expansionArb,
        fc.constantFrom('%Z', '%g0', '%'),
        fc.nat(),
        ([parts, uri], bad, at) => {
          // Only literals could hold a lone `%`, and the generated ones hold escapes only.
          const i = at % (uri.length + 1)
          const topic = uri.slice(0, i) + bad + (bad === '%' ? 'x' : '') + uri.slice(i)
          expect(compileUriTemplate(text(parts)).matches(topic), topic).toBe(false)
        },
      ),
      RUNS,
    )
  })

  it('one path segment more than `{/a}…{/z}` (one variable each, no explode) can hold', () => {
    fc.assert(
      fc.property(
        chars(UNRESERVED, 8),
        fc.array(chars(UNRESERVED, 5, 1), { minLength: 2, maxLength: 6 }),
        (head, segments) => {
          // k expressions write at most k segments: k + 1 segments need a `/` in a value,
          // which simple expansion encodes as %2F.
          const expressions = segments.slice(1).map((_, i) => `{/s${i}}`)
          const matcher = compileUriTemplate(`https://example.com${head}${expressions.join('')}`)
          const topic = (s: string[]) => `https://example.com${head}/${s.join('/')}`
          expect(matcher.matches(topic(segments)), topic(segments)).toBe(false)
          expect(matcher.matches(topic(segments.slice(1))), topic(segments.slice(1))).toBe(true)
        },
      ),
      RUNS,
    )
  })

  it('a prefix `{v:n}` given n + 1 characters', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...OPERATORS),
        fc.integer({ min: 1, max: 12 }),
        fc.constantFrom('a', '~', '%41', '%C3%A9', 'é'),
        (op, n, unit) => {
          const template = `x{${op}v:${n}}`
          const named = op === ';' || op === '?' || op === '&'
          const first = {
            '': '',
            '+': '',
            '#': '#',
            '.': '.',
            '/': '/',
            ';': ';',
            '?': '?',
            '&': '&',
          }[op]
          const topic = (count: number) => `x${first}${named ? 'v=' : ''}${unit.repeat(count)}`
          const matcher = compileUriTemplate(template)
          expect(matcher.matches(topic(n)), topic(n)).toBe(true)
          expect(matcher.matches(topic(n + 1)), topic(n + 1)).toBe(false)
        },
      ),
      RUNS,
    )
  })

  it('a reserved character in a value of an operator that encodes them (and not otherwise)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...OPERATORS),
        fc.constantFrom('', '*', ':9'),
        fc.constantFrom(...'/?#[]@!$()'),
        (op, modifier, c) => {
          fc.pre(!(modifier === '*' && c === op)) // `{/v*}` joins list items with `/`
          const matcher = compileUriTemplate(`x{${op}v${modifier}}`)
          const named = op === ';' || op === '?' || op === '&'
          const topic = `x${op}${named ? 'v=' : ''}a${c}b`
          const reserved = op === '+' || op === '#'
          expect(matcher.matches(topic), `${op}v${modifier} ~ ${topic}`).toBe(reserved)
        },
      ),
      RUNS,
    )
  })

  it('a named operator with a name its (non-exploded) variables do not have', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(';', '?', '&'),
        fc.constantFrom('b', 'ab', 'a_', 'A'),
        chars(UNRESERVED, 5),
        (op, other, value) => {
          const topic = `/x${op}${other}=${value}`
          expect(compileUriTemplate(`/x{${op}a}`).matches(topic), topic).toBe(false)
          expect(compileUriTemplate(`/x{${op}a*}`).matches(topic), topic).toBe(true)
        },
      ),
      RUNS,
    )
  })
})
