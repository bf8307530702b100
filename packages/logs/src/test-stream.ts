/** Test helpers: a raw event-stream reader and a checker of what a client holds. */
import { type IncomingMessage, request } from 'node:http'
import { createParser } from '@sprinkler/core'

export interface StreamEvent {
  type: string
  data: string
  lastEventId: string
}

export interface OpenStream {
  /** Resolves with the status once the response head arrived. */
  status: Promise<number>
  /** Resolves with the response, once its head arrived (pause it to play a client that stops reading). */
  response: Promise<IncomingMessage>
  /** Resolves when the response ended or the connection dropped. */
  ended: Promise<void>
  close(): void
}

/** GETs `url` and feeds every event of the response to `onEvent` (core's parser, as a client would). */
export function openStream(
  url: string,
  onEvent: (event: StreamEvent) => void,
  headers: Record<string, string> = {},
): OpenStream {
  const parser = createParser({ onEvent })
  let resolveStatus: (status: number) => void = () => {}
  let resolveResponse: (res: IncomingMessage) => void = () => {}
  const status = new Promise<number>((resolve) => {
    resolveStatus = resolve
  })
  const response = new Promise<IncomingMessage>((resolve) => {
    resolveResponse = resolve
  })
  const req = request(url, { headers: { accept: 'text/event-stream', ...headers } })
  const ended = new Promise<void>((resolve) => {
    req.on('response', (res) => {
      resolveStatus(res.statusCode ?? 0)
      resolveResponse(res)
      res.setEncoding('utf8')
      res.on('data', (text: string) => parser.feed(text))
      res.on('close', () => resolve())
      res.on('error', () => resolve())
    })
    req.on('error', () => {
      resolveStatus(0)
      resolve()
    })
  })
  req.end()
  return { status, response, ended, close: () => req.destroy() }
}

/**
 * What a client holds of each source, checked as it arrives: every `lines` event must start
 * right after what it has (no duplicate, no hole) and every `gap` too.
 */
export class Holdings {
  /** Lines held, by source: texts in sequence order (a gap holds `undefined`s). */
  readonly lines = new Map<string, (string | undefined)[]>()
  readonly gaps: { source: string; from: number; to: number }[] = []
  readonly errors: string[] = []
  lastEventId: string | undefined
  #waiters = new Set<() => void>()

  apply(event: StreamEvent): void {
    if (event.type !== 'lines' && event.type !== 'gap') return
    const body = JSON.parse(event.data) as {
      source: string
      from: number
      lines?: string[]
      to?: number
    }
    const held = this.lines.get(body.source) ?? []
    this.lines.set(body.source, held)
    if (body.from !== held.length + 1) {
      this.errors.push(`${event.type} of ${body.source} from ${body.from} after ${held.length}`)
    }
    if (event.type === 'lines') held.push(...(body.lines as string[]))
    else {
      this.gaps.push({ source: body.source, from: body.from, to: body.to as number })
      for (let seq = body.from; seq <= (body.to as number); seq++) held.push(undefined)
    }
    this.lastEventId = event.lastEventId
    for (const check of this.#waiters) check()
  }

  count(source: string): number {
    return this.lines.get(source)?.length ?? 0
  }

  /** Resolves once `source` holds `n` lines (or gaps). */
  until(source: string, n: number): Promise<void> {
    return new Promise((resolve) => {
      const check = () => {
        if (this.count(source) >= n) {
          this.#waiters.delete(check)
          resolve()
        }
      }
      this.#waiters.add(check)
      check()
    })
  }
}
