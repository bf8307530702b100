import Anser from 'anser'

/** One run of text in one style; rendered as a span whose textContent is `text`. */
export interface Segment {
  text: string
  /** CSS classes (`ansi-red-fg`, `ansi-bold`), or none. */
  classes?: string
  /** 256-colour and true-colour values, set through CSSOM (no inline markup). */
  fg?: string
  bg?: string
}

// CSI (ESC [ … final byte), OSC (ESC ] … BEL or ESC \) and two-byte escapes.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching terminal escapes is the point
const ESCAPES = /\u001b(?:\[[0-?]*[ -/]*[@-~]|\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|[@-Z\\-_])/g

/** The text without terminal escapes (what filters and level detection look at). */
export function plainText(text: string): string {
  return text.includes('\u001b') ? text.replace(ESCAPES, '') : text
}

/**
 * Splits a line into styled runs with anser (a maintained ANSI parser that returns data, not
 * HTML: the page sets text, never markup). A line without escapes is one plain run.
 */
export function segments(text: string): Segment[] {
  if (!text.includes('\u001b')) return [{ text }]
  const runs: Segment[] = []
  for (const part of Anser.ansiToJson(text, { use_classes: true, remove_empty: true })) {
    const classes: string[] = []
    const run: Segment = { text: part.content }
    if (part.fg) color(part.fg, part.fg_truecolor, 'fg', classes, run)
    if (part.bg) color(part.bg, part.bg_truecolor, 'bg', classes, run)
    for (const decoration of part.decorations ?? []) classes.push(`ansi-${decoration}`)
    if (classes.length > 0) run.classes = classes.join(' ')
    runs.push(run)
  }
  return runs
}

/** The runs covering characters `start … end − 1` of the text `runs` make up (a wrapped piece). */
export function sliceSegments(runs: Segment[], start: number, end: number): Segment[] {
  const pieces: Segment[] = []
  let at = 0
  for (const run of runs) {
    const from = Math.max(start, at)
    const to = Math.min(end, at + run.text.length)
    if (from < to) pieces.push({ ...run, text: run.text.slice(from - at, to - at) })
    at += run.text.length
    if (at >= end) break
  }
  return pieces
}

function color(
  value: string,
  truecolor: string | undefined,
  layer: 'fg' | 'bg',
  classes: string[],
  run: Segment,
): void {
  if (value === 'ansi-truecolor' && truecolor) run[layer] = `rgb(${truecolor})`
  else if (value.startsWith('ansi-palette-')) run[layer] = palette(Number(value.slice(13)))
  else classes.push(`${value}-${layer}`)
}

/** xterm's 256-colour palette: 16 named, a 6×6×6 cube, 24 greys. */
function palette(n: number): string {
  if (n < 16) return `var(--ansi-${n})`
  if (n >= 232) {
    const grey = 8 + (n - 232) * 10
    return `rgb(${grey}, ${grey}, ${grey})`
  }
  const c = n - 16
  const level = (v: number) => (v === 0 ? 0 : 55 + v * 40)
  return `rgb(${level(Math.floor(c / 36))}, ${level(Math.floor(c / 6) % 6)}, ${level(c % 6)})`
}
