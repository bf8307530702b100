import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { HubError } from './errors.js'
import { compileSelector, MAX_SELECTOR_LENGTH } from './topics.js'
import { compileUriTemplate, matchMeter } from './uri-template.js'

// Mutated selectors and topics into the matcher, fixed seed, bounded runs: the only errors are
// the two documented 400s, and no match costs more than its template's `work` per character.
const RUNS = { seed: 0xf022, numRuns: 600 }

const SEEDS = [
  'https://example.com/books/{id}',
  'https://example.com/users{/id}',
  '/.well-known/mercure/subscriptions{/topic}{/subscriber}',
  '/search{?q,lang}{&page}',
  '/map{;x,y}',
  '/v/{var:3}{+rest}{#frag}',
  '/list{/items*}{.ext}{?keys*}',
  `${'{+a}'.repeat(9)}!`,
  '{a,b,c}{;d*,e:5}',
  'https://example.com/{id',
  '*',
]
const TOPICS = [
  'https://example.com/books/1',
  'https://example.com/users/1/secret',
  '/.well-known/mercure/subscriptions/a%2Fb/urn%3Auuid%3A1',
  '/search?q=sse&lang=en&page=2',
  '/map;x=1024;y',
  '/v/val/x/y#z',
  '/list/a/b.json?a=1&b=2',
  `${'a'.repeat(300)} !`,
]
// Characters that matter to templates and to percent-escapes, and some that matter to none.
const ALPHABET = [...'{}+#./;?&*:,=%!0123456789aAfFzZ-_~ ', 'é', '😀', '\ud800', '\u0000']

type Mutation =
  | { op: 'insert'; at: number; text: string }
  | { op: 'delete'; at: number; length: number }
  | { op: 'repeat'; at: number; length: number; times: number }

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({
    op: fc.constant('insert' as const),
    at: fc.nat(),
    text: fc.string({ unit: fc.constantFrom(...ALPHABET), minLength: 1, maxLength: 4 }),
  }),
  fc.record({
    op: fc.constant('delete' as const),
    at: fc.nat(),
    length: fc.integer({ min: 1, max: 4 }),
  }),
  fc.record({
    op: fc.constant('repeat' as const),
    at: fc.nat(),
    length: fc.integer({ min: 1, max: 8 }),
    times: fc.integer({ min: 2, max: 400 }),
  }),
)

function mutate(text: string, mutations: Mutation[]): string {
  let out = text
  for (const m of mutations) {
    const at = m.at % (out.length + 1)
    if (m.op === 'insert') out = out.slice(0, at) + m.text + out.slice(at)
    else if (m.op === 'delete') out = out.slice(0, at) + out.slice(at + m.length)
    else out = out.slice(0, at) + out.slice(at, at + m.length).repeat(m.times) + out.slice(at)
  }
  return out
}

const mutated = (seeds: string[]) =>
  fc
    .tuple(fc.constantFrom(...seeds), fc.array(mutation, { maxLength: 5 }))
    .map(([seed, mutations]) => mutate(seed, mutations))

// Mostly characters some value may hold, so that threads live long.
const fillerUnit = fc.oneof(
  { arbitrary: fc.constantFrom('a', 'Z', '1', '%41', '/', ',', '=', '&'), weight: 4 },
  { arbitrary: fc.constantFrom(...ALPHABET), weight: 1 },
)

/** The selector with each expression replaced by random text, then mutated: topics that get
 * past the literal head and tail, so the automaton runs. */
const filled = (selector: string) =>
  fc
    .tuple(
      fc.array(fc.string({ unit: fillerUnit, maxLength: 40 }), {
        minLength: 16,
        maxLength: 16,
      }),
      fc.array(mutation, { maxLength: 2 }),
    )
    .map(([fillers, mutations]) => {
      let i = 0
      return mutate(
        selector.replace(/\{[^{}]*\}/g, () => fillers[i++ % fillers.length] as string),
        mutations,
      )
    })

describe('fuzzing selectors and topics', () => {
  it('mutated selectors compile or get a documented 400, and match mutated topics in linear work', () => {
    const selectorAndTopics = mutated(SEEDS).chain((selector) =>
      fc.tuple(
        fc.constant(selector),
        fc.array(fc.oneof(mutated(TOPICS), filled(selector)), { minLength: 1, maxLength: 4 }),
      ),
    )
    fc.assert(
      fc.property(selectorAndTopics, ([source, topics]) => {
        let selector: ReturnType<typeof compileSelector>
        try {
          selector = compileSelector(source)
        } catch (error) {
          expect(error).toBeInstanceOf(HubError)
          const { status, code } = error as HubError
          expect(status).toBe(400)
          expect(['ERR_HUB_INVALID_TOPIC_SELECTOR', 'ERR_HUB_TOPIC_SELECTOR_TOO_LARGE']).toContain(
            code,
          )
          if (code === 'ERR_HUB_TOPIC_SELECTOR_TOO_LARGE')
            expect(source.length > MAX_SELECTOR_LENGTH || source.includes('{')).toBe(true)
          return
        }
        const { work } = source.includes('{') ? compileUriTemplate(source) : { work: 0 }
        for (const topic of topics) {
          const before = matchMeter.steps
          expect(typeof selector.matches(topic)).toBe('boolean')
          expect(matchMeter.steps - before).toBeLessThanOrEqual(work * (topic.length + 1))
        }
      }),
      RUNS,
    )
  })
})
