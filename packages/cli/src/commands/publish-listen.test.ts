// `publish` and `listen` against a running `sprinkler hub` process.
import { createServer } from 'node:net'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import {
  type Running,
  runSprinkler,
  startServer,
  startSprinkler,
  stopAll,
} from '../../test/sprinkler.js'
import { mintToken } from '../jwt.js'

// Each test starts `sprinkler` processes (a few seconds each on a busy 2-core machine): a
// wider safety net than the default 30 s.
vi.setConfig({ testTimeout: 90_000 })

const SECRET = 'publish-listen-test-secret-long-enough-for-hs256'
const mint = (claim: { publish?: string[]; subscribe?: string[] }) =>
  mintToken(claim, { key: SECRET, lifetimeS: 600 })

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}

describe('sprinkler publish and listen', () => {
  let hub: Running
  let hubUrl: string
  let publisher: string
  let subscriber: string

  beforeAll(async () => {
    hub = await startServer(['hub', '--jwt-key', SECRET])
    hubUrl = `${hub.url}/.well-known/mercure`
    ;[publisher, subscriber] = await Promise.all([
      mint({ publish: ['*'] }),
      mint({ subscribe: ['https://example.com/{+any}'] }),
    ])
  })

  afterAll(stopAll)

  /** `listen` until it is connected. */
  async function listening(args: string[]): Promise<Running> {
    const listen = startSprinkler(['listen', '--hub', hubUrl, ...args])
    await listen.waitFor('connected to', 'stderr')
    return listen
  }

  it('round trip: what publish sends, listen prints (data argument, stdin, --type, --id, --private)', async () => {
    const topic = 'https://example.com/round-trip'
    const listen = await listening(['--token', subscriber, '--json', '--count', '3', topic])
    const first = await runSprinkler([
      'publish',
      '--hub',
      hubUrl,
      '--jwt-key',
      SECRET,
      '--type',
      'greeting',
      '--id',
      'one',
      topic,
      'hello',
    ])
    expect(first).toMatchObject({ code: 0, stdout: 'one\n' })
    const second = await runSprinkler(['publish', '--private', topic], {
      input: 'from stdin\nsecond line\n',
      env: { SPRINKLER_HUB_URL: hubUrl, SPRINKLER_TOKEN: publisher },
    })
    expect(second.code).toBe(0)
    const id = second.stdout.trim()
    expect(id).toMatch(/^urn:uuid:/)
    expect(
      (await runSprinkler(['publish', '--hub', hubUrl, '--token', publisher, topic, ''])).code,
    ).toBe(0)
    // --count 3: it exits by itself after the third update.
    const done = await listen.finished
    expect(done.code).toBe(0)
    expect(
      done.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line)),
    ).toEqual([
      { id: 'one', type: 'greeting', data: 'hello' },
      { id, type: 'message', data: 'from stdin\nsecond line' },
      { id: expect.any(String), type: 'message', data: '' },
    ])
  })

  it('prints data lines without --json, and resumes after --last-event-id', async () => {
    const topic = 'https://example.com/resume'
    for (const data of ['a', 'b', 'c']) {
      const args = ['publish', '--hub', hubUrl, '--token', publisher, '--id', `resume-${data}`]
      expect((await runSprinkler([...args, topic, data])).code).toBe(0)
    }
    const { code, stdout } = await runSprinkler([
      'listen',
      '--hub',
      hubUrl,
      '--token',
      subscriber,
      '--last-event-id',
      'resume-a',
      '--count',
      '2',
      topic,
    ])
    expect(code).toBe(0)
    expect(stdout).toBe('b\nc\n')
  })

  it('sends --header headers with the subscription', async () => {
    const topic = 'https://example.com/header'
    // The token goes as a header given by hand instead of --token.
    const listen = await listening([
      '--header',
      `Authorization: Bearer ${subscriber}`,
      '--count',
      '1',
      topic,
    ])
    await runSprinkler(['publish', '--hub', hubUrl, '--token', publisher, '--private', topic, 'ok'])
    expect((await listen.finished).stdout).toBe('ok\n')
  })

  it('refused tokens: a clear message with the hub’s code and exit code 1', async () => {
    const wrongKey = await mintToken(
      { publish: ['*'] },
      { key: 'another-secret-another-secret-another' },
    )
    const bad = await runSprinkler(['publish', '--hub', hubUrl, '--token', wrongKey, 'x', 'y'])
    expect(bad.code).toBe(1)
    expect(bad.stderr).toContain('the hub refused the update (HTTP 401 ERR_HUB_INVALID_TOKEN')
    const narrow = await mint({ publish: ['https://example.com/only-this'] })
    const forbidden = await runSprinkler(['publish', '--hub', hubUrl, '--token', narrow, 'x', 'y'])
    expect(forbidden.code).toBe(1)
    expect(forbidden.stderr).toContain('HTTP 403 ERR_HUB_FORBIDDEN_TOPIC')
    const listen = await runSprinkler(['listen', '--hub', hubUrl, '--token', wrongKey, 'x'])
    expect(listen.code).toBe(1)
    expect(listen.stderr).toContain(
      'the hub refused the subscription (HTTP 401 ERR_HUB_INVALID_TOKEN',
    )
    // This hub has no --anonymous: no token, no subscription.
    const anonymous = await runSprinkler(['listen', '--hub', hubUrl, 'x'])
    expect(anonymous.code).toBe(1)
    expect(anonymous.stderr).toContain('ERR_HUB_UNAUTHORIZED')
  })

  it('unreachable hub: a clear message and exit code 1', async () => {
    const nowhere = `http://127.0.0.1:${await closedPort()}/.well-known/mercure`
    for (const args of [
      ['publish', '--hub', nowhere, '--token', publisher, 'x', 'y'],
      ['listen', '--hub', nowhere, 'x'],
    ]) {
      const { code, stderr } = await runSprinkler(args)
      expect(code, args[0]).toBe(1)
      expect(stderr, args[0]).toContain(`cannot reach the hub at ${nowhere} (ECONNREFUSED)`)
    }
    const notHub = await runSprinkler(['listen', '--hub', `${hub.url}/healthz`, 'x'])
    expect(notHub.code).toBe(1)
    expect(notHub.stderr).toContain('answered without an event stream')
  })

  it('bad flags: a clear message and exit code 2 (bad usage)', async () => {
    const cases: [string[], string][] = [
      [['publish', 'x', 'y'], 'publishing needs a JWT'],
      [
        ['publish', '--token', 't', '--hub', 'ftp://x', 'x', 'y'],
        'expected an http:// or https:// URL',
      ],
      [['publish', '--token', 't', '--retry', 'soon', 'x', 'y'], 'expected a whole number of ms'],
      [
        ['publish', '--jwt-key', 'k', '--jwt-algorithm', 'none', 'x', 'y'],
        'Allowed choices are HS256',
      ],
      [['publish'], "missing required argument 'topic'"],
      [['listen', '--header', 'no colon', 'x'], 'expected "Name: value"'],
      [['listen', '--count', '0', 'x'], 'expected a whole number ≥ 1'],
      [['listen'], "missing required argument 'topic'"],
      [['listen', '--nope', 'x'], "unknown option '--nope'"],
    ]
    const results = await Promise.all(
      cases.map(([args]) =>
        runSprinkler(args, { env: { SPRINKLER_TOKEN: '' }, timeoutMs: 60_000 }),
      ),
    )
    cases.forEach(([args, message], i) => {
      const { code, stderr } = results[i] as { code: number | null; stderr: string }
      expect(code, args.join(' ')).toBe(2)
      expect(stderr, args.join(' ')).toContain(message)
    })
  }, 90_000)
})
