import { EventSource, type SseErrorEvent } from '@sprinkler/client'
import { Command, InvalidArgumentError } from 'commander'
import { fail, hubOption, refusal, tokenOption, unreachable } from '../hub-client.js'
import { envOption, parsePositiveInt } from '../options.js'

interface ListenFlags {
  hub: URL
  token?: string
  json?: boolean
  lastEventId?: string
  header?: [string, string][]
  count?: number
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
    .addHelpText(
      'after',
      `
Prints each update's data on its own line (or JSON with --json) to stdout; connection news goes to
stderr. Reconnects with backoff after a drop, resuming from the last update received.
Exit codes: 0 stopped (Ctrl-C, --count reached), 1 refused by the hub or hub unreachable, 2 bad usage.

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
      const source = new AnyTypeEventSource(url, {
        headers,
        retry: { initialDelayMs: 1000, maxDelayMs: 30_000, jitter: 0.5 },
        // Keep the hub's reason for a refusal: the error event only has the status.
        fetch: async (input, init) => {
          const response = await fetch(input, init)
          refused =
            response.status === 200
              ? undefined
              : { status: response.status, body: await response.clone().text() }
          return response
        },
      })
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
