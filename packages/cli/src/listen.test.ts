import { execFile } from 'node:child_process'
import { createServer, type Server } from 'node:net'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runSprinkler } from '../test/sprinkler.js'

const ROOT = fileURLToPath(new URL('../../../', import.meta.url))

/** What a listen failure must never show: a stack trace. */
const STACK = /^\s+at /m

describe('a server command that cannot listen says why and which flag to change', () => {
  let busy: Server
  let port: number

  beforeAll(async () => {
    busy = createServer()
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve))
    port = (busy.address() as { port: number }).port
  })

  afterAll(() => new Promise((resolve) => busy.close(resolve)))

  it('`serve --port` on a busy port: exit 1, EADDRINUSE explained, --port / SPRINKLER_PORT / npm start -- --port named', async () => {
    const { code, stdout, stderr } = await runSprinkler(['serve', '--port', String(port)])
    expect(code).toBe(1)
    expect(stdout).not.toContain('listening on')
    expect(stderr).toContain(`cannot listen on 127.0.0.1:${port}: the port is already in use`)
    for (const hint of ['--port', 'SPRINKLER_PORT', '`npm start -- --port 3001`', '--port 0']) {
      expect(stderr).toContain(hint)
    }
    expect(stderr).not.toMatch(STACK)
  })

  it('`hub` with SPRINKLER_PORT on a busy port: exit 1, the hub form of the hint', async () => {
    const { code, stderr } = await runSprinkler(['hub', '--anonymous'], {
      env: { SPRINKLER_PORT: String(port) },
    })
    expect(code).toBe(1)
    expect(stderr).toContain('the port is already in use (EADDRINUSE)')
    expect(stderr).toContain('`npm run sprinkler -- hub --port 3001`')
    expect(stderr).not.toMatch(STACK)
  })

  it('`hub --host` with an address this machine does not have: exit 1, --host named', async () => {
    // 192.0.2.1 is TEST-NET-1 (RFC 5737): on no interface, so the bind fails at once.
    const { code, stderr } = await runSprinkler(['hub', '--anonymous', '--host', '192.0.2.1'])
    expect(code).toBe(1)
    expect(stderr).toContain('cannot listen on 192.0.2.1:3000: no interface of this machine')
    expect(stderr).toContain('--host (or SPRINKLER_HOST)')
    expect(stderr).not.toMatch(STACK)
  })

  it('`npm start -- --port` on a busy port: the same sentence, npm passes exit code 1 on', async () => {
    const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = execFile(
        'npm',
        ['start', '--silent', '--', '--port', String(port)],
        { cwd: ROOT, timeout: 60_000 },
        (_, __, stderr) => resolve({ code: child.exitCode, stderr }),
      )
    })
    expect(result.code).toBe(1)
    expect(result.stderr).toContain('the port is already in use')
    expect(result.stderr).toContain('`npm start -- --port 3001`')
    expect(result.stderr).not.toMatch(STACK)
  })
})
