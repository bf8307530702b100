/**
 * Matching strings against RFC 6570 URI Templates, as Mercure topic selectors need: a topic
 * matches when some values of the template's variables (level 4: strings, lists, associative
 * arrays; any variable may be undefined) expand to it.
 *
 * Why an automaton, not a RegExp: JavaScript's RegExp backtracks, and a template such as
 * `{+a}{+a}{+a}!` becomes adjacent unbounded groups over the same characters; a topic that
 * fails at its end is then retried in every way of splitting it between the groups,
 * exponential in their number (issue #10, finding 1). A template compiles here to a Thompson
 * NFA whose states each consume one UTF-16 code unit, plus each state's ε-closure computed
 * once; matching runs every thread in lockstep over the topic, each state listed and entered
 * at most once per position and each closure walked at most once. So one character costs at
 * most `work` = 2 × states + closure entries, whatever the template: states are O(template
 * length), closures O(variables²), both capped by {@link MAX_SELECTOR_LENGTH} and
 * {@link MAX_TEMPLATE_VARIABLES}, and compiling is linear in the template too.
 *
 * What one variable may expand to (RFC 6570 §3.2.1 and Appendix A), `c` being a character of
 * the operator's set (unreserved, plus reserved for `+` and `#`) or a percent-escape:
 * - simple, `+`, `#`, `.`, `/`: a string `c*`, or a list or map without explode, its items
 *   joined by `,` — so `{/id}` is one path segment, `/1%2Fsecret` but never `/1/secret`;
 *   with explode, items `c*` or pairs `c+=c*` joined by the operator's separator;
 * - `;`, `?`, `&`: `name=` and the same (`;` writes a bare `name` for an empty string); with
 *   explode, pairs `key=c*` joined by the separator (a list repeats its own name as key);
 * - `{v:n}`: a string of at most n characters, counted before percent-encoding.
 *
 * Deliberately a little wider than expansion, never wider in structure: percent-escapes match
 * in either hex case and for any octet (RFC 3986 §6.2.2 treats such URIs as equivalent);
 * non-ASCII characters match unescaped (Mercure topics are IRIs, RFC 3987); and each
 * occurrence of a variable is independent (`{x}/{x}` matches `a/b`), since equal values would
 * need back-references, which no linear-time matcher has. The reference hub's matcher
 * (yosida95/uritemplate's generated regexp) is wider: it ignores variable names and prefixes
 * and lets `=` into named values.
 * @see https://www.rfc-editor.org/rfc/rfc6570
 */

/** Longest topic selector, in UTF-16 code units, a hub accepts. */
export const MAX_SELECTOR_LENGTH = 2048
/** Most variables in one template, over all its expressions (so also most expressions). */
export const MAX_TEMPLATE_VARIABLES = 16

/** A template that cannot be parsed; `message` says where. */
export class TemplateSyntaxError extends Error {}

/** A template over {@link MAX_SELECTOR_LENGTH} or {@link MAX_TEMPLATE_VARIABLES}. */
export class TemplateLimitError extends Error {}

/**
 * Work done by every match so far, in visited NFA states: tests read it to hold the linear
 * bound without timing anything. Nothing in the library reads or resets it.
 */
export const matchMeter = { steps: 0 }

/** A compiled template. */
export interface TemplateMatcher {
  matches(uri: string): boolean
  /** What the compiled form holds in memory, roughly, in bytes (for caches bounded in bytes). */
  readonly bytes: number
  /**
   * Most steps (see {@link matchMeter}) one character of a topic can cost: the automaton's
   * states plus its ε-closures, O(template length + variables²).
   */
  readonly work: number
}

/** Throws TemplateLimitError when a template is too long or has too many variables. O(length). */
export function checkTemplateLimits(template: string): void {
  if (template.length > MAX_SELECTOR_LENGTH) {
    throw new TemplateLimitError(
      `A URI Template may be at most ${MAX_SELECTOR_LENGTH} characters long.`,
    )
  }
  let variables = 0
  let inside = false
  for (let i = 0; i < template.length; i++) {
    const c = template.charCodeAt(i)
    if (c === OPEN) inside = true
    else if (c === CLOSE) inside = false
    if (inside && (c === OPEN || c === COMMA)) variables++
  }
  if (variables > MAX_TEMPLATE_VARIABLES) {
    throw new TemplateLimitError(
      `A URI Template may have at most ${MAX_TEMPLATE_VARIABLES} variables.`,
    )
  }
}

/**
 * Compiles a template, in time linear in its length. Throws TemplateLimitError, then
 * TemplateSyntaxError.
 */
export function compileUriTemplate(template: string): TemplateMatcher {
  checkTemplateLimits(template)
  const parts = parseTemplate(template)
  // Every expansion starts with the first literal and ends with the last: compare those
  // directly, and run the automaton only on what lies between.
  const head = typeof parts[0] === 'string' ? (parts.shift() as string) : ''
  const tail = typeof parts.at(-1) === 'string' && parts.length > 0 ? (parts.pop() as string) : ''
  const nfa = buildNfa(parts)
  return {
    bytes: 2 * (head.length + tail.length) + nfa.bytes,
    work: nfa.work,
    matches(uri) {
      const end = uri.length - tail.length
      if (end < head.length || !uri.startsWith(head) || !uri.endsWith(tail)) return false
      return runNfa(nfa, uri, head.length, end)
    },
  }
}

// ---------------------------------------------------------------------------------------------
// Parsing

interface Operator {
  first: string
  separator: string
  /** `name=value` items (`;`, `?`, `&`). */
  named: boolean
  /** `;` writes a bare `name` for an empty value. */
  bareIfEmpty: boolean
  /** `+` and `#` pass reserved characters through. */
  reserved: boolean
}

// RFC 6570 §3.2.1, Appendix A.
const OPERATORS: Record<string, Operator> = {
  '': { first: '', separator: ',', named: false, bareIfEmpty: false, reserved: false },
  '+': { first: '', separator: ',', named: false, bareIfEmpty: false, reserved: true },
  '#': { first: '#', separator: ',', named: false, bareIfEmpty: false, reserved: true },
  '.': { first: '.', separator: '.', named: false, bareIfEmpty: false, reserved: false },
  '/': { first: '/', separator: '/', named: false, bareIfEmpty: false, reserved: false },
  ';': { first: ';', separator: ';', named: true, bareIfEmpty: true, reserved: false },
  '?': { first: '?', separator: '&', named: true, bareIfEmpty: false, reserved: false },
  '&': { first: '&', separator: '&', named: true, bareIfEmpty: false, reserved: false },
}
// Operators RFC 6570 reserves for future extensions: a template using them is not valid.
const RESERVED_OPERATORS = '=,!@|'
// varname = varchar *( ["."] varchar ), varchar = ALPHA / DIGIT / "_" / pct-encoded. The
// alternatives are disjoint and `.` never repeats, so this expression cannot backtrack.
const VARNAME = /^(?:[A-Za-z0-9_]|%[0-9A-Fa-f]{2})(?:\.?(?:[A-Za-z0-9_]|%[0-9A-Fa-f]{2}))*$/
// max-length = %x31-39 0*3DIGIT ; positive integer < 10000
const MAX_LENGTH = /^[1-9]\d{0,3}$/

const OPEN = 0x7b // {
const CLOSE = 0x7d // }
const COMMA = 0x2c

interface VarSpec {
  name: string
  explode: boolean
  maxLength: number | undefined
}

interface Expression {
  op: Operator
  vars: VarSpec[]
}

/** Literals and expressions, in order; literals are compared as they are. */
type Part = string | Expression

function parseTemplate(template: string): Part[] {
  const parts: Part[] = []
  let i = 0
  while (i < template.length) {
    let j = i
    while (j < template.length && template.charCodeAt(j) !== OPEN) {
      if (template.charCodeAt(j) === CLOSE) throw syntax(template, j, 'a `}` with no `{`')
      j++
    }
    if (j > i) parts.push(template.slice(i, j))
    if (j === template.length) break
    const end = template.indexOf('}', j)
    if (end === -1) throw syntax(template, j, 'an unclosed `{`')
    const body = template.slice(j + 1, end)
    if (body.includes('{')) throw syntax(template, j, 'a `{` inside an expression')
    parts.push(parseExpression(template, j, body))
    i = end + 1
  }
  return parts
}

function parseExpression(template: string, at: number, body: string): Expression {
  if (body === '') throw syntax(template, at, 'an empty expression')
  const first = body[0] as string
  if (RESERVED_OPERATORS.includes(first))
    throw syntax(template, at, `the reserved operator \`${first}\``)
  const key = first in OPERATORS ? first : ''
  const list = key === '' ? body : body.slice(1)
  return {
    op: OPERATORS[key] as Operator,
    vars: list.split(',').map((spec) => parseVarSpec(template, at, spec)),
  }
}

function parseVarSpec(template: string, at: number, spec: string): VarSpec {
  let name = spec
  let explode = false
  let maxLength: number | undefined
  if (spec.endsWith('*')) {
    explode = true
    name = spec.slice(0, -1)
  } else {
    const colon = spec.indexOf(':')
    if (colon !== -1) {
      const length = spec.slice(colon + 1)
      if (!MAX_LENGTH.test(length)) throw syntax(template, at, `the prefix length \`${length}\``)
      maxLength = Number(length)
      name = spec.slice(0, colon)
    }
  }
  if (!VARNAME.test(name)) throw syntax(template, at, `the variable name \`${name}\``)
  return { name, explode, maxLength }
}

function syntax(template: string, at: number, what: string): TemplateSyntaxError {
  return new TemplateSyntaxError(
    `Invalid URI Template "${template}": ${what} at character ${at + 1}.`,
  )
}

// ---------------------------------------------------------------------------------------------
// The automaton

// State kinds. CHAR consumes `arg`; SPLIT goes on to `next` and `arg` without consuming, JUMP
// to `next`; the V* states are one value (`arg` = its index): VLOOP consumes a character of
// the value's set or starts an escape, and may leave to `next`; VSTART is the same without
// the exit (a value that may not be empty); VPCT1/VPCT2 read an escape's hex digits; VSURR
// the second half of a surrogate pair.
const CHAR = 0
const SPLIT = 1
const JUMP = 2
const VSTART = 3
const VLOOP = 4
const VPCT1 = 5
const VPCT2 = 6
const VSURR = 7
const ACCEPT = 8

const UNBOUNDED = 0x7fffffff
const PERCENT = 0x25

// Which ASCII characters a value may hold unescaped: RFC 3986 §2.3 unreserved, plus §2.2
// reserved for `+` and `#`, plus `,` where a list's items are joined without explode.
const UNRESERVED = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~'
const RESERVED = ":/?#[]@!$&'()*+,;="
const charset = (chars: string) => {
  const table = new Uint8Array(128)
  for (const c of chars) table[c.charCodeAt(0)] = 1
  return table
}
const SETS = [charset(UNRESERVED), charset(`${UNRESERVED},`), charset(UNRESERVED + RESERVED)]
const SIMPLE = 0
const SIMPLE_LIST = 1
const WITH_RESERVED = 2

interface Nfa {
  kind: Uint8Array
  next: Int32Array
  arg: Int32Array
  /** Per value: its character set (index into SETS), most characters, VLOOP state. */
  valueSet: Uint8Array
  valueMax: Int32Array
  valueLoop: Int32Array
  /**
   * The ε-closure of each state: the consuming states it reaches without consuming (itself
   * excluded), `closure[closureStart[s]…closureStart[s + 1])`. Computed once, so a match never
   * walks SPLIT or JUMP states.
   */
  closureStart: Int32Array
  closure: Int32Array
  start: number
  /** Most steps one character costs: each state listed and entered once, each closure walked once. */
  work: number
  bytes: number
}

/** A piece of automaton with dangling exits: each is [state, 'next' | 'arg'] to patch. */
interface Fragment {
  start: number
  exits: Array<[number, 'next' | 'arg']>
}

class NfaBuilder {
  readonly kind: number[] = []
  readonly next: number[] = []
  readonly arg: number[] = []
  readonly valueSet: number[] = []
  readonly valueMax: number[] = []
  readonly valueLoop: number[] = []

  state(kind: number, arg = -1): number {
    this.kind.push(kind)
    this.next.push(-1)
    this.arg.push(arg)
    return this.kind.length - 1
  }

  patch(fragment: Fragment, to: number): void {
    for (const [state, field] of fragment.exits) this[field][state] = to
  }

  /** Matches `text` exactly (a JUMP when it is empty). */
  literal(text: string): Fragment {
    if (text === '') {
      const jump = this.state(JUMP)
      return { start: jump, exits: [[jump, 'next']] }
    }
    let start = -1
    let last = -1
    for (let i = 0; i < text.length; i++) {
      const s = this.state(CHAR, text.charCodeAt(i))
      if (last === -1) start = s
      else this.next[last] = s
      last = s
    }
    return { start, exits: [[last, 'next']] }
  }

  sequence(...fragments: Fragment[]): Fragment {
    for (let i = 1; i < fragments.length; i++)
      this.patch(fragments[i - 1] as Fragment, (fragments[i] as Fragment).start)
    return { start: (fragments[0] as Fragment).start, exits: (fragments.at(-1) as Fragment).exits }
  }

  either(a: Fragment, b: Fragment): Fragment {
    const split = this.state(SPLIT, b.start)
    this.next[split] = a.start
    return { start: split, exits: [...a.exits, ...b.exits] }
  }

  optional(a: Fragment): Fragment {
    const split = this.state(SPLIT)
    this.next[split] = a.start
    return { start: split, exits: [...a.exits, [split, 'arg']] }
  }

  /** `item (separator item)*`, with a fresh item each time `item()` is called. */
  joined(item: () => Fragment, separator: string): Fragment {
    const first = item()
    const loop = this.state(SPLIT)
    this.patch(first, loop)
    const again = this.sequence(this.literal(separator), item())
    this.next[loop] = again.start
    this.patch(again, loop)
    return { start: first.start, exits: [[loop, 'arg']] }
  }

  /** A run of value characters (at least one if `nonEmpty`), at most `max` of them. */
  value(set: number, max = UNBOUNDED, nonEmpty = false): Fragment {
    const index = this.valueSet.length
    const loop = this.state(VLOOP, index)
    this.state(VPCT1, index) // loop + 1
    this.state(VPCT2, index) // loop + 2
    this.state(VSURR, index) // loop + 3
    this.valueSet.push(set)
    this.valueMax.push(max)
    this.valueLoop.push(loop)
    const start = nonEmpty ? this.state(VSTART, index) : loop
    return { start, exits: [[loop, 'next']] }
  }

  build(start: number): Nfa {
    const kind = Uint8Array.from(this.kind)
    const next = Int32Array.from(this.next)
    const arg = Int32Array.from(this.arg)
    const { closureStart, closure } = closures(kind, next, arg)
    const valueSet = Uint8Array.from(this.valueSet)
    const valueMax = Int32Array.from(this.valueMax)
    const valueLoop = Int32Array.from(this.valueLoop)
    const work = 2 * kind.length + closure.length
    // Typed-array contents plus ~100 bytes of object overhead for each of the 8 arrays.
    const bytes = kind.length * 13 + closure.length * 4 + valueSet.length * 9 + 8 * 100
    return {
      ...{ kind, next, arg, valueSet, valueMax, valueLoop, closureStart, closure },
      ...{ start, work, bytes },
    }
  }
}

const consumes = (kind: number) => kind !== SPLIT && kind !== JUMP

/**
 * Every state's ε-closure. Only SPLIT, JUMP and VLOOP states have ε-edges, a few per variable,
 * so the closures add O(variables²) entries to the automaton, whatever the template's length.
 */
function closures(kind: Uint8Array, next: Int32Array, arg: Int32Array) {
  const size = kind.length
  const closureStart = new Int32Array(size + 1)
  const found: number[] = []
  const seen = new Int32Array(size).fill(-1)
  const stack: number[] = []
  for (let s = 0; s < size; s++) {
    closureStart[s] = found.length
    const k = kind[s] as number
    if (k !== SPLIT && k !== JUMP && k !== VLOOP) continue
    seen[s] = s
    stack.push(k === SPLIT ? (arg[s] as number) : -1, next[s] as number)
    while (stack.length > 0) {
      const t = stack.pop() as number
      if (t === -1 || seen[t] === s) continue
      seen[t] = s
      const kt = kind[t] as number
      if (consumes(kt)) found.push(t)
      if (kt === SPLIT) stack.push(arg[t] as number, next[t] as number)
      else if (kt === JUMP || kt === VLOOP) stack.push(next[t] as number)
    }
  }
  closureStart[size] = found.length
  return { closureStart, closure: Int32Array.from(found) }
}

function buildNfa(parts: readonly Part[]): Nfa {
  const b = new NfaBuilder()
  const accept = b.state(ACCEPT)
  const fragments = parts.map((part) =>
    typeof part === 'string' ? b.literal(part) : expression(b, part),
  )
  const all = fragments.length > 0 ? b.sequence(...fragments) : b.literal('')
  b.patch(all, accept)
  return b.build(all.start)
}

/**
 * `first` and the defined variables joined by `separator`, or nothing when none is defined.
 * Each variable's automaton is built once: "first defined" (D) and "after a separator" (A)
 * both lead into it and it leaves to the next A, so the states stay linear in the count.
 */
function expression(b: NfaBuilder, { op, vars }: Expression): Fragment {
  const values = vars.map((spec) => variable(b, op, spec))
  const count = values.length
  const exit = b.state(JUMP)
  const afterDefined: number[] = [] // A_i: variable i may follow, after a separator
  for (let i = 0; i < count; i++) afterDefined.push(b.state(SPLIT))
  afterDefined.push(exit)
  for (let i = 0; i < count; i++) {
    const value = values[i] as Fragment
    const separator = b.literal(op.separator)
    b.patch(separator, value.start)
    b.next[afterDefined[i] as number] = separator.start
    b.arg[afterDefined[i] as number] = afterDefined[i + 1] as number
    b.patch(value, afterDefined[i + 1] as number)
  }
  // D_i: the first defined variable is i or a later one; at least one is.
  let firstDefined = (values[count - 1] as Fragment).start
  for (let i = count - 2; i >= 0; i--) {
    const split = b.state(SPLIT, firstDefined)
    b.next[split] = (values[i] as Fragment).start
    firstDefined = split
  }
  const first = b.literal(op.first)
  b.patch(first, firstDefined)
  const whole = b.optional({ start: first.start, exits: [[exit, 'next']] })
  return whole
}

/** What one variable may expand to, after the expression's `first` or separator. */
function variable(b: NfaBuilder, op: Operator, { name, explode, maxLength }: VarSpec): Fragment {
  const set = op.reserved ? WITH_RESERVED : SIMPLE
  const listSet = op.reserved ? WITH_RESERVED : SIMPLE_LIST
  if (op.named) {
    // `name=value`; `;` writes a bare name for an empty string.
    const named = (valued: () => Fragment, name: () => Fragment) =>
      op.bareIfEmpty
        ? b.sequence(name(), b.optional(b.sequence(b.literal('='), valued())))
        : b.sequence(name(), b.literal('='), valued())
    if (explode) {
      // A list repeats `name=item`; a map writes `key=value`; a string is `name=value`.
      const pair = () =>
        named(
          () => b.value(set),
          () => b.value(set, UNBOUNDED, true),
        )
      return b.joined(pair, op.separator)
    }
    const nameLiteral = () => b.literal(name)
    if (maxLength !== undefined)
      return named(() => b.value(set, maxLength, op.bareIfEmpty), nameLiteral)
    return named(() => b.value(listSet), nameLiteral)
  }
  if (maxLength !== undefined) return b.value(set, maxLength)
  if (!explode) return b.value(listSet)
  const list = b.joined(() => b.value(set), op.separator)
  // With `+` and `#`, `=` is a value character already: pairs are list items.
  if (op.reserved) return list
  const pair = () => b.sequence(b.value(set, UNBOUNDED, true), b.literal('='), b.value(set))
  return b.either(list, b.joined(pair, op.separator))
}

// ---------------------------------------------------------------------------------------------
// Running it

const isHex = (c: number) =>
  (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66)
// An escape's first hex digit 8–B makes a UTF-8 continuation octet (%80–%BF): part of the
// character its lead octet started, so it adds nothing to a prefix's count (RFC 6570 §2.4.1
// counts characters before encoding).
const isContinuation = (c: number) =>
  c === 0x38 || c === 0x39 || c === 0x41 || c === 0x42 || c === 0x61 || c === 0x62
const isHighSurrogate = (c: number) => c >= 0xd800 && c <= 0xdbff
const isLowSurrogate = (c: number) => c >= 0xdc00 && c <= 0xdfff

/**
 * Runs an automaton over `uri[from, to)`, keeping for each position the list of live states,
 * each at most once. A value with a prefix `:n` carries a count of the characters it read; of
 * two threads in the same state, the one with the lower count can do all that the other can,
 * so a state keeps the lowest and the list stays one entry per state. One runner serves every
 * match: matching is synchronous and never nested.
 */
class NfaRunner {
  #size = 0
  #generation = 0
  /** `mark[s] === generation`: s was entered at this position (if it consumes: at `slot[s]`). */
  #mark = new Int32Array(0)
  #slot = new Int32Array(0)
  #lists = [new Int32Array(0), new Int32Array(0)]
  #countLists = [new Int32Array(0), new Int32Array(0)]
  // The list being built, and the automaton being run.
  #states: Int32Array = new Int32Array(0)
  #counts: Int32Array = new Int32Array(0)
  #length = 0
  #steps = 0
  #kind: Uint8Array = new Uint8Array(0)
  #closureStart: Int32Array = new Int32Array(0)
  #closure: Int32Array = new Int32Array(0)

  run(nfa: Nfa, uri: string, from: number, to: number): boolean {
    const { kind, next, arg, valueSet, valueMax, valueLoop } = nfa
    this.#reserve(kind.length)
    this.#kind = kind
    this.#closureStart = nfa.closureStart
    this.#closure = nfa.closure
    this.#steps = 0
    this.#begin(0)
    this.#enter(nfa.start, 0)
    for (let i = from; i < to && this.#length > 0; i++) {
      const c = uri.charCodeAt(i)
      const current = this.#states
      const currentCounts = this.#counts
      const currentLength = this.#length
      this.#begin(current === this.#lists[0] ? 1 : 0)
      this.#steps += currentLength
      for (let j = 0; j < currentLength; j++) {
        const s = current[j] as number
        const count = currentCounts[j] as number
        switch (kind[s]) {
          case CHAR:
            if (arg[s] === c) this.#enter(next[s] as number, 0)
            break
          case VSTART:
          case VLOOP: {
            const v = arg[s] as number
            const loop = valueLoop[v] as number
            if (c < 0x80) {
              if ((SETS[valueSet[v] as number] as Uint8Array)[c] === 1) {
                if (count < (valueMax[v] as number)) this.#enter(loop, count + 1)
              } else if (c === PERCENT) this.#keep(loop + 1, count)
            } else if (count >= (valueMax[v] as number) || isLowSurrogate(c) || c < 0xa0) {
              // a full prefix, half a surrogate pair, or a C1 control
            } else if (isHighSurrogate(c)) this.#keep(loop + 3, count + 1)
            else this.#enter(loop, count + 1)
            break
          }
          case VPCT1:
            if (!isHex(c)) break
            if (isContinuation(c)) this.#keep(s + 1, count)
            else if (count < (valueMax[arg[s] as number] as number)) this.#keep(s + 1, count + 1)
            break
          case VPCT2:
            if (isHex(c)) this.#enter(s - 2, count)
            break
          case VSURR:
            if (isLowSurrogate(c)) this.#enter(s - 3, count)
        }
      }
    }
    matchMeter.steps += this.#steps
    return this.#length > 0 && this.#mark[ACCEPT_STATE] === this.#generation
  }

  #reserve(size: number): void {
    if (this.#size >= size) return
    this.#size = size
    this.#generation = 0
    this.#mark = new Int32Array(size)
    this.#slot = new Int32Array(size)
    this.#lists = [new Int32Array(size), new Int32Array(size)]
    this.#countLists = [new Int32Array(size), new Int32Array(size)]
  }

  /** Starts an empty list (in buffer `which`) for the next position. */
  #begin(which: number): void {
    if (++this.#generation > 0x3fffffff) {
      this.#mark.fill(0)
      this.#generation = 1
    }
    this.#states = this.#lists[which] as Int32Array
    this.#counts = this.#countLists[which] as Int32Array
    this.#length = 0
  }

  /** Puts consuming state s in the list, or lowers its count there. */
  #keep(s: number, count: number): void {
    if (this.#mark[s] === this.#generation) {
      const at = this.#slot[s] as number
      if (count < (this.#counts[at] as number)) this.#counts[at] = count
      return
    }
    this.#mark[s] = this.#generation
    this.#slot[s] = this.#length
    this.#states[this.#length] = s
    this.#counts[this.#length++] = count
  }

  /**
   * Enters state s, and its closure unless s was entered at this position already (then its
   * closure was too: a closure holds the closure of every state in it).
   */
  #enter(s: number, count: number): void {
    const fresh = this.#mark[s] !== this.#generation
    if (consumes(this.#kind[s] as number)) this.#keep(s, count)
    else this.#mark[s] = this.#generation
    if (!fresh) return
    const start = this.#closureStart[s] as number
    const end = this.#closureStart[s + 1] as number
    this.#steps += 1 + end - start
    for (let k = start; k < end; k++) this.#keep(this.#closure[k] as number, 0)
  }
}

const runner = new NfaRunner()
const runNfa = (nfa: Nfa, uri: string, from: number, to: number) => runner.run(nfa, uri, from, to)

// buildNfa creates ACCEPT first.
const ACCEPT_STATE = 0
