/** The levels the page recognises; `''` for a line that names none. */
export type Level = 'error' | 'warn' | 'info' | 'debug' | ''

export const LEVELS: readonly Exclude<Level, ''>[] = ['error', 'warn', 'info', 'debug']

// Words as loggers print them (`ERROR`, `[warn]`, `level=info`, `E/` is too vague to count),
// in one pattern: its leftmost match is the first level word, found in a single scan of the
// line (one pattern per level scanned every line four times, the worker's largest cost per line).
const WORDS =
  /\b(?:(fatal|panic|crit(?:ical)?|emerg(?:ency)?|alert|err(?:or)?)|(warn(?:ing)?)|(info|notice)|(debug|trace|verbose))\b/i
/** The level of each capture group of `WORDS`, in order. */
const WORD_LEVELS: Level[] = ['error', 'warn', 'info', 'debug']
// JSON loggers: "level":"warn", or pino/bunyan numbers (10 trace … 60 fatal).
const JSON_LEVEL = /"(?:level|severity|lvl)"\s*:\s*(?:"([a-z]+)"|(\d+))/i

/** Only the head of a line is looked at: levels come first, and long lines stay cheap. */
const HEAD = 200

/** The level a log line states, by the first matching word in its first 200 characters. */
export function detectLevel(text: string): Level {
  const head = text.length > HEAD ? text.slice(0, HEAD) : text
  const json = head.startsWith('{') ? JSON_LEVEL.exec(head) : null
  if (json) {
    if (json[2] !== undefined) return numericLevel(Number(json[2]))
    return detectLevel(json[1] as string)
  }
  const word = WORDS.exec(head)
  if (!word) return ''
  return WORD_LEVELS[word.findIndex((group, i) => i > 0 && group !== undefined) - 1] ?? ''
}

function numericLevel(n: number): Level {
  if (n >= 50) return 'error'
  if (n >= 40) return 'warn'
  if (n >= 30) return 'info'
  return 'debug'
}
