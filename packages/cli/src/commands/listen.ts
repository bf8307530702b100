import { EventSource, type SseErrorEvent } from '@sprinkler/client'
import { Command, InvalidArgumentError } from 'commander'
import { fail, hubOption, refusal, tokenOption, unreachable } from '../hub-client.js'
import { envOption, parseDuration, parsePositiveInt } from '../options.js'

interface ListenFlags {
  hub: URL
  token?: string
  json?: boolean
  lastEventId?: string
  header?: [string, string][]
  count?: number
  connectTimeout: number
}

/**
 * The client's EventSource, seeing every event whatever its type: a Mercure update's `type`
 * becomes the SSE event name, and the command cannot know those names in advance.
 */
class AnyTypeEventSource extends EventSource {
  onAnyMessage: ((event: MessageEvent<string>) => void) | undefined
  override dispatchEvent(event: Event): boolean {
    if (event instanceof MessageEvent) this.onAnyMessage?.(event as MessageEvent<string>)
    return super.dispatchEvent(event)
  }
}

/** `Name: value` → [name, value]. */
function parseHeader(value: string, previous: [string, string][] = []): [string, string][] {
  const colon = value.indexOf(':')
  const name = value.slice(0, colon).trim()
  if (colon < 1 || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) {
    throw new InvalidArgumentError('expected "Name: value".')
  }
  return [...previous, [name, value.slice(colon + 1).trim()]]
}

export function listenCommand(): Command {
  return new Command('listen')
    .description('Subscribe to topics on a hub and print the updates as they arrive.')
    .argument('<topic...>', 'topic selectors: exact topics, URI templates, or *')
    .addOption(hubOption())
    .addOption(
      tokenOption('needed for private updates, or when the hub refuses anonymous subscribers'),
    )
    .addOption(
      envOption('--json', 'print one JSON object per update: {"id","type","data"}', 'JSON'),
    )
    .addOption(
      envOption(
        '--last-event-id <id>',
        'resume after this update id (the hub replays what came since)',
        'LAST_EVENT_ID',
      ),
    )
    .addOption(
      envOption(
        '--header <header>',
        'an extra request header, "Name: value" (repeatable)',
        'HEADER',
      ).argParser(parseHeader),
    )
    .addOption(
      envOption('--count <n>', 'exit after n updates', 'COUNT').argParser(parsePositiveInt),
    )
    .addOption(
      envOption(
        '--connect-timeout <duration>',
        'give up on a connection attempt the hub has not answered by then (0 = wait forever)',
        'CONNECT_TIMEOUT',
      )
        .argParser(parseDuration)
        .default(10_000, '10s'),
    )
    .addHelpText(
      'after',
      `
Prints each update's data on its own line (or JSON with --json) to stdout; connection news goes to
stderr. Reconnects with backoff after a drop, resuming from the last update received.
Exit codes: 0 stopped (Ctrl-C, --count reached), 1 refused by the hub, hub unreachable or no
answer within --connect-timeout (first connection), 2 bad usage.

Examples:
  sprinkler listen /demo/broadcast
  sprinkler listen --json '/demo/scores/{match}' /demo/broadcast
  sprinkler listen --token "$SPRINKLER_TOKEN" /users/alice/notifications`,
    )
    .action(async (selectors: string[], flags: ListenFlags, command: Command) => {
      const url = new URL(flags.hub)
      for (const topic of selectors) url.searchParams.append('topic', topic)
      const headers: Record<string, string> = Object.fromEntries(flags.header ?? [])
      if (flags.token) headers.Authorization = `Bearer ${flags.token}`
      if (flags.lastEventId !== undefined) headers['Last-Event-ID'] = flags.lastEventId
      let refused: { status: number; body: string } | undefined
      let timedOut = false
      const source = new AnyTypeEventSource(url, {
        headers,
        retry: { initialDelayMs: 1000, maxDelayMs: 30_000, jitter: 0.5 },
        // Keep the hub's reason for a refusal: the error event only has the status.
        fetch: async (input, init) => {
          timedOut = false
          const { signal, stop } = connectDeadline(flags.connectTimeout, init?.signal, () => {
            timedOut = true
          })
          try {
            const response = await fetch(input, { ...init, signal })
            refused =
              response.status === 200
                ? undefined
                : { status: response.status, body: await response.clone().text() }
            return response
          } finally {
            stop()
          }
        },
      })
      process.stderr.write(`connecting to ${flags.hub.href} (topics: ${selectors.join(' ')})…\n`)
      let opened = false
      let received = 0
      const stop = (code: number) => {
        source.close()
        process.exit(code)
      }
      process.once('SIGINT', () => stop(0))
      process.once('SIGTERM', () => stop(0))
      source.onAnyMessage = (event) => {
        const line = flags.json
          ? JSON.stringify({ id: event.lastEventId, type: event.type, data: event.data })
          : event.data
        process.stdout.write(`${line}\n`)
        if (flags.count !== undefined && ++received >= flags.count) {
          // Let stdout drain before exiting.
          process.stdout.write('', () => stop(0))
        }
      }
      source.addEventListener('open', () => {
        process.stderr.write(
          `${opened ? 'reconnected' : 'connected'} to ${flags.hub.href} (topics: ${selectors.join(' ')})\n`,
        )
        opened = true
      })
      source.addEventListener('error', (event) => {
        const error = event as SseErrorEvent
        if (refused) {
          source.close()
          fail(command, refusal('the subscription', refused.status, refused.body))
        }
        if (error.code === 'ERR_SSE_CONTENT_TYPE') {
          source.close()
          fail(
            command,
            `error: ${flags.hub.href} answered without an event stream; is it a hub URL (…/.well-known/mercure)?`,
          )
        }
        if (!opened && timedOut) {
          source.close()
          fail(
            command,
            `error: no answer from ${flags.hub.href} within ${flags.connectTimeout / 1000} s: it accepted the connection (or never completed it) but sent no response headers. Is it a hub URL, and is the hub running? Wait longer with --connect-timeout (or SPRINKLER_CONNECT_TIMEOUT).`,
          )
        }
        if (!opened) {
          source.close()
          fail(command, unreachable(flags.hub, error.cause ?? error))
        }
        if (source.readyState === EventSource.CLOSED) {
          fail(command, `error: the subscription ended: ${error.message}`)
        }
        process.stderr.write(`connection lost (${error.message}); reconnecting…\n`)
      })
    })
}

/**
 * The signal for one connection attempt: the client's own, also aborted when no response
 * headers came within `ms` (0 = never). `stop()` once they came: the stream itself may be
 * quiet for as long as it likes.
 */
function connectDeadline(
  ms: number,
  client: AbortSignal | null | undefined,
  onTimeout: () => void,
): { signal: AbortSignal | undefined; stop(): void } {
  if (ms === 0) return { signal: client ?? undefined, stop: () => {} }
  const deadline = new AbortController()
  const timer = setTimeout(() => {
    onTimeout()
    deadline.abort(new Error(`no response within ${ms / 1000} s (--connect-timeout)`))
  }, ms)
  return {
    signal: client ? AbortSignal.any([client, deadline.signal]) : deadline.signal,
    stop: () => clearTimeout(timer),
  }
}
