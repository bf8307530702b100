// The client inside Deno and Bun: each scenario (runtime/scenarios.ts, bundled) runs as a real
// process against a node:http server here, and both what the client saw and what the server
// received are checked: a Bearer header per connection, a reconnect with Last-Event-ID after
// the server drops the stream, a POST body sent again, backoff after 503s.
import type { ServerResponse } from 'node:http'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import {
  bundle,
  describeRuntimes,
  type RuntimeName,
  startRuntime,
  useTempDir,
} from '../../../test-support/runtimes.js'
import { type SeenRequest, sse, startServer, type TestServer } from '../test/server.js'
import { bearerRoute, busyRoute, echoRoute } from './routes.js'

const lastEventId = (request: SeenRequest) => request.headers['last-event-id']

/** The routes the scenarios connect to, as the browser suite serves them. */
function serveScenarios(server: TestServer): void {
  server.route('/auth', bearerRoute)
  server.route('/post', echoRoute)
  server.route('/busy', busyRoute())
  let first: ServerResponse | undefined
  server.route('/ticker', (_req, res, { n, request }) => {
    sse(res)
    const events = Array.from({ length: 10 }, (_, i) => `id: ${i + 1}\ndata: ${i + 1}\n\n`)
    if (n > 1) res.write(events.slice(Number(lastEventId(request))).join(''))
    else {
      first = res
      res.write(`retry: 0\n${events.slice(0, 5).join('')}`)
    }
  })
  // The client asks once it has seen the first five events (so no bytes are in flight): the
  // connection drops with the chunked body unended, a network error rather than an end.
  server.route('/drop', (_req, res) => {
    first?.socket?.destroy()
    res.writeHead(204).end()
  })
}

describeRuntimes('@sprinkler/client', ['deno', 'bun'] as RuntimeName[], (name) => {
  const dir = useTempDir(`client-${name}`)
  let server: TestServer
  let script: string

  /** Runs one scenario to its end and returns what the client saw. */
  async function run(scenario: string): Promise<string[]> {
    const args = [script, scenario, server.origin]
    const runtime = startRuntime(
      name,
      name === 'deno' ? ['run', '--allow-net=127.0.0.1', ...args] : args,
    )
    try {
      const line = await runtime.waitFor(/^\[.*\]$/m)
      expect(await runtime.exited, runtime.output()).toBe(0)
      return JSON.parse(line[0]) as string[]
    } finally {
      await runtime.stop()
    }
  }

  beforeAll(async () => {
    server = await startServer()
    serveScenarios(server)
    script = await bundle(
      new URL('runtime/scenarios.ts', import.meta.url),
      join(dir(), 'scenarios.js'),
    )
  })
  afterAll(async () => {
    await server?.close()
  })

  it('sends a Bearer header made fresh for every connection', async () => {
    expect(await run('auth')).toEqual(['1 Bearer tok-1', '2 Bearer tok-2', '3 Bearer tok-3'])
    expect(server.requests('/auth').map(lastEventId)).toEqual([undefined, '1', '2'])
  })

  it('reconnects with Last-Event-ID after the server drops the connection, losing nothing', async () => {
    expect(await run('ticker')).toEqual([
      ...['1', '2', '3', '4', '5'],
      'ERR_SSE_NETWORK',
      ...['6', '7', '8', '9', '10'],
    ])
    expect(server.requests('/ticker').map(lastEventId)).toEqual([undefined, '5'])
  })

  it('sends the POST body again on the reconnection', async () => {
    expect(await run('post')).toEqual(
      Array(2).fill('POST application/json {"query":"crème brûlée"}'),
    )
    expect(server.requests('/post').map(lastEventId)).toEqual([undefined, '1'])
  })

  it('backs off after 503s and opens once the server is back', async () => {
    expect(await run('busy')).toEqual([...Array(3).fill('ERR_SSE_STATUS 503'), 'open', 'back'])
    expect(server.requests('/busy')).toHaveLength(4)
  })
})
