import { checkOptions } from '@sprinkler/core'
import type {
  ContextConfigDefault,
  FastifyBaseLogger,
  FastifyInstance,
  FastifyPluginAsync,
  FastifyReply,
  FastifyRequest,
  FastifySchema,
  FastifyTypeProvider,
  FastifyTypeProviderDefault,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerBase,
  RawServerDefault,
  RouteGenericInterface,
} from 'fastify'
import fastifyPlugin from 'fastify-plugin'
import { CLOSE_OPTIONS, type CloseOptions, ENDPOINT_OPTIONS, SseEndpoint } from '../endpoint.js'
import { serveSse } from '../node/index.js'
import type { SseStream } from '../stream.js'
import type { SseOptions } from '../types.js'

/** What a route's `eventStream` option takes. */
export type EventStreamRouteOption = true | SseOptions | SseEndpoint

declare module 'fastify' {
  interface RouteShorthandOptions<
    RawServer extends RawServerBase = RawServerDefault,
    RawRequest extends
      RawRequestDefaultExpression<RawServer> = RawRequestDefaultExpression<RawServer>,
    RawReply extends RawReplyDefaultExpression<RawServer> = RawReplyDefaultExpression<RawServer>,
    RouteGeneric extends RouteGenericInterface = RouteGenericInterface,
    ContextConfig = ContextConfigDefault,
    SchemaCompiler extends FastifySchema = FastifySchema,
    TypeProvider extends FastifyTypeProvider = FastifyTypeProviderDefault,
    Logger extends FastifyBaseLogger = FastifyBaseLogger,
  > {
    /**
     * Serve this route as an event stream: `true` (the plugin's options), options of its
     * own, or an {@link SseEndpoint} you keep for its stats and `close()`. The handler runs
     * once the stream is open, with it as `reply.eventStream`.
     */
    eventStream?: EventStreamRouteOption
  }
  interface FastifyReply {
    /** The open event stream, in the handler of an `eventStream` route. */
    eventStream: SseStream
  }
  interface FastifyInstance {
    /** The plugin's endpoints and their `error` events: see {@link EventStreams}. */
    eventStreams: EventStreams
  }
}

/**
 * `app.eventStreams`: every endpoint that serves an `eventStream` route of this app, also
 * those the plugin made from `true` or options, which no other code holds. Their `error`
 * events (detail: a SprinklerError whose `cause` is what an app hook threw, as on
 * {@link SseEndpoint}) are dispatched here too, so one listener observes every route.
 */
export class EventStreams extends EventTarget {
  readonly #endpoints = new Set<SseEndpoint>()

  /** The endpoints, one per `eventStream` option (a GET and its HEAD route share one). */
  get endpoints(): ReadonlySet<SseEndpoint> {
    return this.#endpoints
  }

  /** @internal Called by the plugin for each endpoint it serves. */
  add(endpoint: SseEndpoint): void {
    if (this.#endpoints.has(endpoint)) return
    this.#endpoints.add(endpoint)
    endpoint.addEventListener('error', (event) => {
      this.dispatchEvent(new CustomEvent('error', { detail: (event as CustomEvent).detail }))
    })
  }
}

/** The plugin's options: defaults for every `eventStream` route, and how `app.close()` ends them. */
export interface FastifySseOptions extends SseOptions {
  /** How `app.close()` ends the streams (a final event, a deadline). Default deadline 5 000 ms. */
  shutdown?: CloseOptions
}

type Handler = (this: FastifyInstance, request: FastifyRequest, reply: FastifyReply) => unknown

const plugin: FastifyPluginAsync<FastifySseOptions> = async (app, options) => {
  const { shutdown, ...defaults } = options
  // Checked at registration, not when the first route (or `app.close()`) uses them.
  checkOptions('sprinklerSse', defaults, ENDPOINT_OPTIONS)
  checkOptions('sprinklerSse shutdown', shutdown, CLOSE_OPTIONS)
  // GET and its automatic HEAD route share one endpoint: keyed by the route's option object
  // (or its URL, for `eventStream: true`).
  const endpoints = new Map<object | string, SseEndpoint>()
  const eventStreams = new EventStreams()
  app.decorateReply('eventStream', null as unknown as SseStream)
  app.decorate('eventStreams', eventStreams)

  app.addHook('onRoute', (route) => {
    const option = route.eventStream
    if (option === undefined) return
    const handler = route.handler as unknown as Handler
    const key = typeof option === 'object' ? option : route.url
    let endpoint = endpoints.get(key)
    if (!endpoint) {
      endpoint =
        option instanceof SseEndpoint
          ? option
          : new SseEndpoint({ ...defaults, ...(option === true ? {} : option) })
      endpoints.set(key, endpoint)
      eventStreams.add(endpoint)
    }
    const served = endpoint
    route.handler = async function eventStream(
      this: FastifyInstance,
      request: FastifyRequest,
      reply: FastifyReply,
    ) {
      // From here on the response is ours: Fastify neither sends nor serializes anything.
      reply.hijack()
      await serveSse(served, request.raw, reply.raw, {
        raw: request,
        onStream: (stream) => {
          reply.eventStream = stream
          return handler.call(this, request, reply) as void | Promise<void>
        },
      })
    } as typeof route.handler
  })

  // Before the server stops accepting and waits for connections: end every stream.
  app.addHook('preClose', async () => {
    await Promise.all([...eventStreams.endpoints].map((e) => e.close(shutdown)))
  })
}

/**
 * Fastify 5 plugin. Register it (with `await`, before the routes), then mark routes with
 * `eventStream`; the handler gets the open stream as `reply.eventStream`:
 *
 * ```ts
 * await app.register(sprinklerSse, { heartbeatMs: 20_000 })
 * app.get('/events', { eventStream: true }, (request, reply) => {
 *   channel.subscribe(reply.eventStream)
 * })
 * ```
 *
 * Admission (method, Last-Event-ID, `authorize`) runs first, after Fastify's own hooks; in
 * `authorize` and on the stream, `request.raw` is the `FastifyRequest`. A handler that throws
 * closes its stream and is reported as `ERR_SSE_HANDLER_FAILED` on the endpoint and on
 * `app.eventStreams` (where every route's errors can be observed: the library never logs).
 * `app.close()` ends every stream (plugin option `shutdown`) before the server closes.
 */
export const sprinklerSse = fastifyPlugin(plugin, {
  fastify: '5.x',
  name: '@sprinkler/server/fastify',
})

export default sprinklerSse
