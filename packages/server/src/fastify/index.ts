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
import { type CloseOptions, SseEndpoint } from '../endpoint.js'
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
}

/** The plugin's options: defaults for every `eventStream` route, and how `app.close()` ends them. */
export interface FastifySseOptions extends SseOptions {
  /** How `app.close()` ends the streams (a final event, a deadline). Default deadline 5 000 ms. */
  shutdown?: CloseOptions
}

type Handler = (this: FastifyInstance, request: FastifyRequest, reply: FastifyReply) => unknown

const plugin: FastifyPluginAsync<FastifySseOptions> = async (app, options) => {
  const { shutdown, ...defaults } = options
  // GET and its automatic HEAD route share one endpoint: keyed by the route's option object
  // (or its URL, for `eventStream: true`).
  const endpoints = new Map<object | string, SseEndpoint>()
  app.decorateReply('eventStream', null as unknown as SseStream)

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
    await Promise.all([...new Set(endpoints.values())].map((e) => e.close(shutdown)))
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
 * closes its stream and is reported as `ERR_SSE_HANDLER_FAILED` on the endpoint.
 * `app.close()` ends every stream (plugin option `shutdown`) before the server closes.
 */
export const sprinklerSse = fastifyPlugin(plugin, {
  fastify: '5.x',
  name: '@sprinkler/server/fastify',
})

export default sprinklerSse
