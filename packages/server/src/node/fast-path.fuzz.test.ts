import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { seededRandom } from '../../../../test-support/random.js'
import { exchange, RESPONSE_HEAD } from '../../test/raw-http.js'
import { SseEndpoint } from '../endpoint.js'
import { createFastPath, type FastPathServer } from './fast-path.js'
import { HeadReader, INCOMPLETE, NOT_OURS } from './head.js'
import { serveSse } from './index.js'

const SEEDS = [1, 7, 2026]

const BASES = [
  'GET /events HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\nLast-Event-ID: 3\r\n\r\n',
  'HEAD /events?topic=a HTTP/1.1\r\nHost: x\r\nCookie: a=1\r\n\r\n',
  'GET /events HTTP/1.0\r\n\r\n',
  'GET /events HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nX-A:  b \r\n\r\n',
  'POST /events HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc',
  'GET /other HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n0\r\n\r\n',
]

// Bytes that matter to a head parser, inserted more often than chance would.
const SPECIAL = [0x0d, 0x0a, 0x00, 0x20, 0x09, 0x3a, 0x2f, 0x3f, 0x7f, 0xff]

/** One mutated head, cut into chunks: byte flips, insertions, deletions, truncation. */
function mutate(next: () => number): Buffer[] {
  const pick = (n: number) => Math.floor(next() * n)
  const bytes = [...Buffer.from(BASES[pick(BASES.length)] as string, 'latin1')]
  for (let edits = 1 + pick(3); edits > 0; edits--) {
    const at = pick(bytes.length + 1)
    const special = SPECIAL[pick(SPECIAL.length)] as number
    switch (pick(5)) {
      case 0:
        bytes[at] = pick(256)
        break
      case 1:
        bytes.splice(at, 0, special)
        break
      case 2:
        bytes.splice(at, 1 + pick(4))
        break
      case 3:
        bytes.length = at // truncated
        break
      default:
        bytes.splice(at, 0, special, special)
    }
  }
  const chunks: Buffer[] = []
  let start = 0
  while (start < bytes.length) {
    const end = next() < 0.5 ? bytes.length : start + 1 + pick(bytes.length - start)
    chunks.push(Buffer.from(bytes.slice(start, end)))
    start = end
  }
  return chunks
}

describe('fast path fuzzing: mutated request heads', () => {
  let server: FastPathServer
  let port: number
  const errors: unknown[] = []

  beforeAll(async () => {
    const endpoint = new SseEndpoint({ heartbeatMs: 0 })
    endpoint.addEventListener('error', (event) => errors.push((event as CustomEvent).detail))
    const app: Server = createServer(
      { headersTimeout: 300, requestTimeout: 600, connectionsCheckingInterval: 20 },
      (req, res) => {
        if (req.url?.split('?')[0] === '/events') return void serveSse(endpoint, req, res)
        req.resume()
        req.on('end', () => res.end('app'))
      },
    )
    server = createFastPath(app, endpoint, { path: '/events', endGraceMs: 200 })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    port = (server.address() as AddressInfo).port
  })
  afterAll(async () => {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  })

  for (const seed of SEEDS) {
    it(`seed ${seed}: 150 mutated heads each get a well-formed response or a clean close`, async () => {
      const next = seededRandom(seed)
      const inputs = Array.from({ length: 150 }, () => mutate(next))
      for (let i = 0; i < inputs.length; i += 25) {
        const answers = await Promise.all(
          inputs.slice(i, i + 25).map((chunks) => exchange(port, chunks, { waitMs: 5000 })),
        )
        for (const [k, answer] of answers.entries()) {
          const sent = JSON.stringify(Buffer.concat(inputs[i + k] as Buffer[]).toString('latin1'))
          expect(answer.outcome, sent).not.toBe('silent')
          if (answer.text !== '') expect(answer.text, sent).toMatch(RESPONSE_HEAD)
        }
      }
      expect(errors).toEqual([])
      // Still serving, and holding nothing of the fuzzed connections.
      const stream = await exchange(port, ['GET /events HTTP/1.1\r\nHost: x\r\n\r\n'])
      expect(stream.status).toBe(200)
      await expect.poll(() => connections(server), { timeout: 10_000 }).toBe(0)
    })
  }

  it('reads a head alike however it is cut into chunks, by path or by path test (2,000 mutated heads)', () => {
    const next = seededRandom(99)
    const limits = { maxBytes: 16_384, maxFields: 2000 }
    const byPath = { ...limits, path: '/events' }
    const byTest = { ...limits, path: (p: string) => p === '/events' }
    for (let i = 0; i < 2000; i++) {
      const chunks = mutate(next)
      const sent = JSON.stringify(Buffer.concat(chunks).toString('latin1'))
      const limitsHere = i % 2 ? byPath : byTest
      const whole = new HeadReader(limitsHere).feed(Buffer.concat(chunks))
      // A path is matched as it arrives, so it may give up earlier than a test, never otherwise.
      const viaPath = new HeadReader(byPath).feed(Buffer.concat(chunks))
      const viaTest = new HeadReader(byTest).feed(Buffer.concat(chunks))
      if (viaTest === INCOMPLETE) expect([INCOMPLETE, NOT_OURS], sent).toContain(viaPath)
      else expect(viaPath, sent).toEqual(viaTest)
      const reader = new HeadReader(limitsHere)
      let cut: ReturnType<HeadReader['feed']> = INCOMPLETE
      const fed: Buffer[] = []
      for (const chunk of chunks) {
        fed.push(chunk)
        cut = reader.feed(chunk)
        if (cut !== INCOMPLETE) break
      }
      expect(cut, sent).toEqual(whole)
      // What goes back to node:http is every byte read, in order.
      if (cut === NOT_OURS) expect(reader.bytes()).toEqual(Buffer.concat(fed))
    }
  })
})

function connections(server: FastPathServer): Promise<number> {
  return new Promise((resolve, reject) =>
    server.getConnections((error, n) => (error ? reject(error) : resolve(n))),
  )
}
