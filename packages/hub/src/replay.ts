import type { FanOut, Subscriber } from './fan-out.js'
import type { HubTransport } from './transport.js'

/**
 * Replays history after `lastEventId`, then the live updates held meanwhile, skipping any
 * the replay already sent: no gap, no duplicate, whatever is published during the replay.
 */
export async function replay(
  subscriber: Subscriber,
  lastEventId: string,
  transport: HubTransport,
  fanOut: FanOut,
): Promise<void> {
  const { updates } = await transport.history(lastEventId)
  const sent = new Set<string>()
  for (const update of updates) {
    sent.add(update.id)
    fanOut.deliver(subscriber, update)
  }
  const held = subscriber.held ?? []
  subscriber.held = undefined
  for (const update of held) if (!sent.has(update.id)) fanOut.deliver(subscriber, update)
}
