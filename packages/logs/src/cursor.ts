/**
 * The event id of the log stream: where a client is in every source, as
 * `<epoch>.<source>:<seq>,<source>:<seq>` (e.g. `k2x9fq.0:1042,1:77`). The epoch names the
 * process that numbered the lines, so a cursor from an earlier run is never taken for this
 * one's. A source left out is at 0 (nothing received).
 */
export interface Cursor {
  epoch: string
  /** Last sequence received, by source index. */
  seqs: number[]
}

export function formatCursor(epoch: string, seqs: readonly number[]): string {
  let pairs = ''
  for (let i = 0; i < seqs.length; i++) {
    const seq = seqs[i] as number
    if (seq > 0) pairs += `${pairs ? ',' : ''}${i.toString(36)}:${seq}`
  }
  return `${epoch}.${pairs}`
}

const PAIR = /^([0-9a-z]{1,4}):(\d{1,15})$/

/**
 * Reads a cursor sent back as Last-Event-ID. Anything that is not a cursor of this epoch over
 * `sourceCount` sources gives undefined (the client is treated as new). Linear in its length,
 * which the endpoint bounds.
 */
export function parseCursor(
  text: string,
  epoch: string,
  sourceCount: number,
): number[] | undefined {
  const dot = text.indexOf('.')
  if (dot === -1 || text.slice(0, dot) !== epoch) return undefined
  const seqs = new Array<number>(sourceCount).fill(0)
  const rest = text.slice(dot + 1)
  if (rest === '') return seqs
  for (const pair of rest.split(',')) {
    const match = PAIR.exec(pair)
    if (!match) return undefined
    const index = Number.parseInt(match[1] as string, 36)
    if (index >= sourceCount) return undefined
    seqs[index] = Number(match[2])
  }
  return seqs
}
