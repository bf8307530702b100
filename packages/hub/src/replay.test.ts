import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, expect, it } from 'vitest'
import { openEventStream, type TestEventStream, until } from '../../server/test/client.js'
import { describeTransports } from '../test/transports.js'
import { createHub, type Hub } from './hub.js'
import { createHubRoutes } from './node/index.js'
import type { HistoryResult, HubTransport } from './transport.js'

/** Counts a transport's history lookups; from lookup `from + 1` on, they wait for `gate`. */
function gateHistory(transport: HubTransport) {
  const history = transport.history.bind(transport)
  const state = { lookups: 0, from: Number.POSITIVE_INFINITY, gate: Promise.resolve() }
  transport.history = async (lastEventId: string): Promise<HistoryResult> => {
    if (++state.lookups > state.from) await state.gate
    return history(lastEventId)
  }
  return state
}

let server: Server | undefined
let hub: Hub | undefined
let client: TestEventStream | undefined
afterEach(async () => {
  client?.close()
  await hub?.close()
  await new Promise((resolve) => server?.close(resolve))
})

describeTransports('replay', (transportUnderTest) => {
  it('sends updates published while history is being read exactly once, after the replay', async () => {
    hub = await createHub(
      await transportUnderTest.hubOptions({
        anonymous: true,
        heartbeatMs: 0,
        history: { maxEvents: 100 },
      }),
    )
    const transport = gateHistory(hub.transport)
    const routes = createHubRoutes(hub)
    server = createServer((req, res) => void routes(req, res))
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as AddressInfo
    const topic = 'https://example.com/gated'
    const first = await hub.publish({ topics: [topic], data: '1' })
    await hub.publish({ topics: [topic], data: '2' })

    let release!: () => void
    // Admission reads history once (for the Last-Event-ID response header); hold the second read,
    // the replay itself, so that updates arrive while it is in flight.
    const lookupsBefore = transport.lookups
    transport.from = lookupsBefore + 1
    transport.gate = new Promise((resolve) => {
      release = resolve
    })
    client = await openEventStream(
      `http://127.0.0.1:${port}/.well-known/mercure?topic=${encodeURIComponent(topic)}`,
      {
        headers: { 'last-event-id': first.id },
      },
    )
    await until(() => transport.lookups === lookupsBefore + 2, 'the replay read')
    // Published after the subscriber joined but before its replay read history: held back as
    // live updates, and in the history the replay reads too.
    await hub.publish({ topics: [topic], data: '3' })
    await hub.publish({ topics: [topic], data: '4' })
    release()
    await hub.publish({ topics: [topic], data: '5' })
    await client.waitForEvents(4)
    // A marker after everything: any duplicate would arrive before it.
    await hub.publish({ topics: [topic], data: 'end' })
    await until(() => client?.events.at(-1)?.data === 'end', 'the end marker')
    expect(client.events.map((e) => e.data)).toEqual(['2', '3', '4', '5', 'end'])
  })
})
