import { HUB_PATH } from './paths.js'

/**
 * The discovery `Link` header value an app adds to its responses:
 * `res.setHeader('Link', discoveryLink('https://hub.example'))`.
 * spec (Mercure, Discovery): "The publisher SHOULD include at least one Link Header with
 * rel=mercure"; `last-event-id` lets the subscriber fetch updates made since the resource was
 * generated.
 */
export function discoveryLink(
  hubOrigin: string,
  options: { lastEventId?: string; self?: string } = {},
): string {
  const hub = new URL(HUB_PATH, hubOrigin).href
  let link = `<${hub}>; rel="mercure"`
  if (options.lastEventId !== undefined)
    link += `; last-event-id="${options.lastEventId.replace(/["\\]/g, '\\$&')}"`
  if (options.self !== undefined) link += `, <${options.self}>; rel="self"`
  return link
}
