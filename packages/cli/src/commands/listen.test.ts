import { createServer, type Server, type Socket } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runSprinkler } from '../../test/sprinkler.js'

describe('sprinkler listen: the connect timeout', () => {
  /** Accepts every connection and never answers: a hung hub, a proxy that waits forever. */
  let silent: Server
  const sockets = new Set<Socket>()
  let hub: string

  beforeAll(async () => {
    silent = createServer((socket) => {
      sockets.add(socket)
      socket.on('close', () => sockets.delete(socket))
    })
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
    hub = `http://127.0.0.1:${(silent.address() as { port: number }).port}/.well-known/mercure`
  })

  afterAll(async () => {
    for (const socket of sockets) socket.destroy()
    await new Promise((resolve) => silent.close(resolve))
  })

  it('says "connecting to …", then gives up with exit 1 and names --connect-timeout', async () => {
    const { code, stderr } = await runSprinkler([
      'listen',
      '--hub',
      hub,
      '--connect-timeout',
      '1s',
      '/demo/broadcast',
    ])
    expect(code).toBe(1)
    expect(stderr).toContain(`connecting to ${hub} (topics: /demo/broadcast)…`)
    expect(stderr).toContain(`error: no answer from ${hub} within 1 s`)
    expect(stderr).toContain('--connect-timeout (or SPRINKLER_CONNECT_TIMEOUT)')
  })

  it('takes the timeout from SPRINKLER_CONNECT_TIMEOUT', async () => {
    const { code, stderr } = await runSprinkler(['listen', '--hub', hub, '/demo/broadcast'], {
      env: { SPRINKLER_CONNECT_TIMEOUT: '500ms' },
    })
    expect(code).toBe(1)
    expect(stderr).toContain('within 0.5 s')
  })
})
