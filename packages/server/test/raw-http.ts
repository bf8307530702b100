import { connect, type Socket } from 'node:net'

/** What a server did with raw request bytes. */
export interface RawAnswer {
  /** The final status (1xx skipped); undefined when none came. */
  status: number | undefined
  /** `2xx`…`5xx`, `closed` (closed without a response) or `silent` (neither within `waitMs`). */
  outcome: string
  /** Everything received, latin1. */
  text: string
  /** The client's port, to find what the server saw of this request. */
  localPort: number
}

export interface ExchangeOptions {
  /** Resolve as `silent` past this. Default 10 s. */
  waitMs?: number
}

const STATUS_LINE = /^HTTP\/1\.[01] (\d{3}) [^\r\n]*\r\n/
// A whole response head: a status line, field lines, an empty line.
export const RESPONSE_HEAD =
  /^HTTP\/1\.[01] [1-5]\d\d [^\r\n]*\r\n(?:[!#$%&'*+\-.^_`|~0-9A-Za-z]+:[^\r\n]*\r\n)*\r\n/

/** The final response's status in what was received, once its head is complete. */
function finalStatus(text: string): number | undefined {
  let rest = text
  for (;;) {
    const head = RESPONSE_HEAD.exec(rest)
    if (!head) return undefined
    const status = Number(STATUS_LINE.exec(rest)?.[1])
    if (status >= 200) return status
    rest = rest.slice(head[0].length) // 100 Continue: the final response follows
  }
}

/**
 * Sends `chunks` on a fresh connection to 127.0.0.1 (one write each, a turn of the event loop
 * apart) and resolves once a final response head has arrived (the socket is then destroyed),
 * the server has closed the connection, or `waitMs` has passed.
 */
export function exchange(
  port: number,
  chunks: readonly (string | Buffer)[],
  options: ExchangeOptions = {},
): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const socket: Socket = connect({ port, host: '127.0.0.1' })
    let text = ''
    let localPort = 0
    const done = (outcome?: string) => {
      clearTimeout(timer)
      const status = finalStatus(text)
      socket.destroy()
      resolve({
        status,
        outcome: outcome ?? (status === undefined ? 'closed' : `${String(status)[0]}xx`),
        text,
        localPort,
      })
    }
    const timer = setTimeout(
      () => done(finalStatus(text) ? undefined : 'silent'),
      options.waitMs ?? 10_000,
    )
    socket.on('connect', async () => {
      localPort = socket.localPort ?? 0
      for (const chunk of chunks) {
        if (socket.destroyed) return
        socket.write(typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : chunk)
        await new Promise((next) => setImmediate(next))
      }
    })
    socket.on('data', (data: Buffer) => {
      text += data.toString('latin1')
      if (finalStatus(text) !== undefined) done()
    })
    socket.on('error', () => {}) // a reset counts as a close
    socket.on('close', () => done())
  })
}
