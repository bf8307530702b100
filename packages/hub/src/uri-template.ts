/**
 * Matching strings against RFC 6570 URI Templates, as Mercure topic selectors need: a template
 * is compiled once into a regular expression that accepts every expansion of it (with any
 * variable undefined, empty or set). Written here because the npm matchers at hand got
 * level-3 path operators wrong (`{/a}{/b}` failed on an empty or two-segment path).
 * @see https://www.rfc-editor.org/rfc/rfc6570
 */

/** A template that cannot be parsed; `message` says where. */
export class TemplateSyntaxError extends Error {}

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
// varname = varchar *( ["."] varchar ), varchar = ALPHA / DIGIT / "_" / pct-encoded
const VARNAME = /^(?:[A-Za-z0-9_]|%[0-9A-Fa-f]{2})(?:\.?(?:[A-Za-z0-9_]|%[0-9A-Fa-f]{2}))*$/

// What an expansion may produce for one value: unreserved characters, percent-escapes and,
// IRIs being allowed as topics, any non-ASCII character; plus the reserved set for + and #.
const UNRESERVED = 'A-Za-z0-9\\-._~\\u00A0-\\uFFFF'
const RESERVED = ":/?#\\[\\]@!$&'()*+,;="
const PCT = '%[0-9A-Fa-f]{2}'

interface VarSpec {
  name: string
  explode: boolean
  maxLength: number | undefined
}

/** Compiles a template into an anchored regular expression. Throws TemplateSyntaxError. */
export function compileUriTemplate(template: string): RegExp {
  let pattern = ''
  let i = 0
  while (i < template.length) {
    const open = template.indexOf('{', i)
    const close = template.indexOf('}', i)
    if (close !== -1 && (open === -1 || close < open))
      throw syntax(template, close, 'a `}` with no `{`')
    if (open === -1) {
      pattern += escapeRegExp(template.slice(i))
      break
    }
    pattern += escapeRegExp(template.slice(i, open))
    const end = template.indexOf('}', open)
    if (end === -1) throw syntax(template, open, 'an unclosed `{`')
    const body = template.slice(open + 1, end)
    if (body.includes('{')) throw syntax(template, open, 'a `{` inside an expression')
    pattern += expressionPattern(template, open, body)
    i = end + 1
  }
  return new RegExp(`^${pattern}$`, 'u')
}

function expressionPattern(template: string, at: number, body: string): string {
  if (body === '') throw syntax(template, at, 'an empty expression')
  const first = body[0] as string
  if (RESERVED_OPERATORS.includes(first))
    throw syntax(template, at, `the reserved operator \`${first}\``)
  const opKey = first in OPERATORS && first !== '' ? first : ''
  const op = OPERATORS[opKey] as Operator
  const specs = (opKey === '' ? body : body.slice(1))
    .split(',')
    .map((s) => varSpec(template, at, s))
  const chars = `(?:[${UNRESERVED}${op.reserved ? RESERVED : ''}]|${PCT})`
  const value = (spec: VarSpec) =>
    spec.maxLength === undefined ? `${chars}*` : `${chars}{0,${spec.maxLength}}`
  const sep = escapeRegExp(op.separator)
  // One expanded item: a value, or a `name=value` pair for named operators. Exploded lists
  // and maps repeat items (map keys are arbitrary names), so any count of items may follow.
  const item = (spec: VarSpec) => {
    if (!op.named) return spec.explode ? `(?:${chars}+=)?${value(spec)}` : value(spec)
    const name = spec.explode ? `${chars}+` : escapeRegExp(spec.name)
    const eq = op.bareIfEmpty ? `(?:=${value(spec)})?` : `=${value(spec)}`
    return `${name}${eq}`
  }
  const items = specs.map(item).join('|')
  return `(?:${escapeRegExp(op.first)}(?:${items})(?:${sep}(?:${items}))*)?`
}

function varSpec(template: string, at: number, spec: string): VarSpec {
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
      // max-length = %x31-39 0*3DIGIT ; positive integer < 10000
      if (!/^[1-9]\d{0,3}$/.test(length))
        throw syntax(template, at, `the prefix length \`${length}\``)
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

function escapeRegExp(text: string): string {
  // Syntax characters only: with the `u` flag any other escape is an error.
  return text.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&')
}
