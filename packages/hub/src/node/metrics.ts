import { Counter, Gauge, Registry } from 'prom-client'
import type { Hub } from '../hub.js'

/**
 * Prometheus metrics of a hub, read from its counters at scrape time (nothing is counted
 * twice on the hot path). Names are stable; see the hub README.
 */
export function createHubMetrics(hub: Hub): Registry {
  const registry = new Registry()
  const counter = (name: string, help: string, read: () => number) => {
    let reported = 0
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        const now = read()
        if (now > reported) this.inc(now - reported)
        reported = now
      },
    })
  }
  const gauge = (name: string, help: string, read: () => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(read())
      },
    })
  const { endpoint, stats } = hub
  gauge(
    'sprinkler_hub_connections',
    'Subscriber connections open now.',
    () => endpoint.stats.active,
  )
  gauge(
    'sprinkler_hub_subscriptions',
    'Topic selectors subscribed now, over all connections.',
    () => hub.subscriptionCount,
  )
  counter(
    'sprinkler_hub_connections_opened_total',
    'Subscriber connections opened.',
    () => endpoint.stats.opened,
  )
  counter('sprinkler_hub_publishes_total', 'Updates published.', () => stats.publishes)
  counter(
    'sprinkler_hub_deliveries_total',
    'Updates written to subscribers, counting each subscriber.',
    () => stats.deliveries,
  )
  counter(
    'sprinkler_hub_replays_total',
    'Subscribers replayed from a Last-Event-ID.',
    () => stats.replays,
  )
  counter(
    'sprinkler_hub_slow_client_disconnects_total',
    'Subscribers dropped for falling more than maxBufferBytes behind.',
    () => endpoint.stats.slowClientDisconnects,
  )
  counter(
    'sprinkler_hub_auth_failures_total',
    'Requests refused with 401.',
    () => stats.authFailures,
  )
  gauge(
    'sprinkler_hub_transport_up',
    '1 when the transport reaches its backend (always for memory), 0 while Redis is unreachable.',
    () => (hub.health.ok ? 1 : 0),
  )
  counter(
    'sprinkler_hub_transport_failures_total',
    'Publishes refused with 503 because Redis was unreachable.',
    () => stats.transportFailures,
  )
  counter(
    'sprinkler_hub_refused_total',
    'Subscribe requests refused (any 4xx/5xx).',
    () => endpoint.stats.refused,
  )
  return registry
}
