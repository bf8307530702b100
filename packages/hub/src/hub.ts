import { SprinklerError } from '@sprinkler/core'
import { refuse, SseEndpoint, type SseRequest, type SseStream } from '@sprinkler/server'
import { createVerifier, type Verify } from './auth.js'
import { Cors } from './cors.js'
import { HubError } from './errors.js'
import { FanOut, type Subscriber } from './fan-out.js'
import { ConnectionLimiter, DEFAULT_LIMITS, type HubLimits } from './limits.js'
import { MemoryTransport } from './memory-transport.js'
import { type HubOptions, tokenOptions } from './options.js'
import { readPublish } from './publishing.js'
import { replay } from './replay.js'
import { errorResponse, type HubResponse } from './response.js'
import { authorizeSubscriber, type HubPrincipal } from './subscriber-auth.js'
import { readSubscriptions, subscriptionDocument } from './subscriptions-api.js'
import type { HubTransport, SubscriptionRecord, TransportHealth } from './transport.js'
import { createUpdate, type Update, type UpdateInput, type UpdateLimits } from './update.js'

export interface HubStats {
  publishes: number
  deliveries: number
  replays: number
  authFailures: number
  /** Publishes refused because the transport's backend (Redis) was unreachable. */
  transportFailures: number
}

/**
 * A Mercure hub (draft-dunglas-mercure-07, as Mercure 0.x hubs deploy it), independent of the
 * HTTP framework: mount it with `createHubRoutes` (node:http) or `createHubFetchHandler`
 * (web runtimes). Each concern lives in its own module; this class wires them together.
 *
 * Events (EventTarget): `error` (detail: a SprinklerError, `ERR_HUB_TRANSPORT_FAILED`, whose
 * `cause` is what the transport threw) for failures no request is waiting for. The library
 * never logs; subscriber-stream errors are the `endpoint`'s `error` events.
 */
export class Hub extends EventTarget {
  readonly endpoint: SseEndpoint
  readonly transport: HubTransport
  readonly limits: HubLimits
  readonly stats: HubStats = {
    publishes: 0,
    deliveries: 0,
    replays: 0,
    authFailures: 0,
    transportFailures: 0,
  }
  readonly #options: HubOptions
  readonly #verifyPublisher: Verify | undefined
  readonly #verifySubscriber: Verify | undefined
  readonly #cors: Cors
  readonly #limiter: ConnectionLimiter
  readonly #fanOut = new FanOut(this.stats)
  readonly #stopListening: () => void

  constructor(options: HubOptions, verifiers: { publisher?: Verify; subscriber?: Verify }) {
    super()
    this.#options = options
    this.limits = { ...DEFAULT_LIMITS, ...options.limits }
    this.transport =
      options.transport ?? new MemoryTransport(options.history ?? { maxEvents: 1000 })
    this.#verifyPublisher = verifiers.publisher
    this.#verifySubscriber = verifiers.subscriber
    this.#cors = new Cors(options.corsOrigins ?? [])
    this.#limiter = new ConnectionLimiter(this.limits)
    this.endpoint = new SseEndpoint({
      heartbeatMs: options.heartbeatMs ?? 15_000,
      ...(options.maxBufferBytes !== undefined && { maxBufferBytes: options.maxBufferBytes }),
      // spec (Mercure, Reconciliation): "the hub MUST also allow passing the last event ID in
      // a query parameter named lastEventID"; the header takes precedence.
      lastEventIdParam: 'lastEventID',
      authorize: (request) => this.#authorizeSubscriber(request),
      responseHeaders: (request, principal) =>
        this.#streamHeaders(request, principal as HubPrincipal | undefined),
      onStream: (stream) => this.#onStream(stream),
    })
    this.#stopListening = this.transport.subscribe((update) => this.#fanOut.dispatch(update))
  }

  /** Subscriber connections open now. */
  get connections(): number {
    return this.endpoint.stats.active
  }

  /** Topic selectors subscribed now, over all connections. */
  get subscriptionCount(): number {
    return this.#fanOut.selectorCount
  }

  /** Whether the transport reaches its backend; `/healthz` answers 503 `degraded` when not. */
  get health(): TransportHealth {
    return this.transport.health?.() ?? { ok: true }
  }

  /** Publishes an update with no authorization check (the hub's own code, demos, tests). */
  async publish(input: UpdateInput): Promise<Update> {
    const update = createUpdate(input, this.#updateLimits())
    await this.#store(update)
    return update
  }

  /**
   * Handles `POST /.well-known/mercure`. `readBody` reads the request body, throwing a 413
   * `HubError` past `maxBytes`.
   */
  async handlePublish(
    request: SseRequest,
    readBody: (maxBytes: number) => Promise<string>,
  ): Promise<HubResponse> {
    const cors = this.corsHeaders(request)
    try {
      const update = await readPublish(request, readBody, {
        verify: this.#verifyPublisher,
        tokens: tokenOptions(this.#options),
        cors: this.#cors,
        maxBodyBytes: this.limits.maxBodyBytes,
        updateLimits: this.#updateLimits(),
      })
      await this.#store(update)
      return {
        status: 200,
        headers: { ...cors, 'content-type': 'text/plain; charset=utf-8' },
        body: update.id,
      }
    } catch (error) {
      return this.#errorResponse(error, cors)
    }
  }

  /** Handles `GET /.well-known/mercure/subscriptions[/{topic}[/{subscriber}]]`. */
  async handleSubscriptions(request: SseRequest): Promise<HubResponse> {
    const cors = this.corsHeaders(request)
    try {
      const body = await readSubscriptions(request, {
        verify: this.#verifySubscriber,
        tokens: tokenOptions(this.#options),
        transport: this.transport,
      })
      return {
        status: 200,
        headers: {
          ...cors,
          'content-type': 'application/ld+json',
          'cache-control': 'must-revalidate',
        },
        body: JSON.stringify(body),
      }
    } catch (error) {
      return this.#errorResponse(error, cors)
    }
  }

  /** CORS headers for a request from an allowed origin. */
  corsHeaders(request: SseRequest): Record<string, string> {
    return this.#cors.headers(request)
  }

  /** Answers a CORS preflight. */
  preflight(request: SseRequest): HubResponse {
    return this.#cors.preflight(request)
  }

  /** Ends every subscriber stream and stops listening to the transport. */
  async close(): Promise<void> {
    this.#stopListening()
    await this.endpoint.close({ timeoutMs: 2000 })
    await this.transport.close()
  }

  /** Hands an update to the transport; resolves once it is stored (then it is acknowledged). */
  async #store(update: Update): Promise<void> {
    try {
      await this.transport.publish(update)
    } catch (error) {
      if (error instanceof HubError && error.code === 'ERR_HUB_TRANSPORT_UNAVAILABLE') {
        this.stats.transportFailures++
      }
      throw error
    }
    this.stats.publishes++
  }

  async #authorizeSubscriber(request: SseRequest) {
    try {
      return await authorizeSubscriber(request, {
        verify: this.#verifySubscriber,
        anonymous: this.#options.anonymous,
        tokens: tokenOptions(this.#options),
        maxTopics: this.limits.maxTopics,
        limiter: this.#limiter,
        open: () => this.connections,
        lastEventId: (r) => this.endpoint.lastEventId(r),
        transport: this.transport,
      })
    } catch (error) {
      if (!(error instanceof HubError)) throw error
      if (error.status === 401) this.stats.authFailures++
      return refuse(error.status, error.message, { code: error.code })
    }
  }

  #streamHeaders(request: SseRequest, principal: HubPrincipal | undefined): Record<string, string> {
    const headers = this.corsHeaders(request)
    if (principal?.lastEventIdHeader !== undefined)
      headers['last-event-id'] = principal.lastEventIdHeader
    // spec (Mercure, URI Query Parameter): success responses to query-token requests "SHOULD
    // contain a Cache-Control header with the private option".
    if (principal?.tokenSource === 'query')
      headers['cache-control'] = 'private, no-cache, no-transform'
    return headers
  }

  async #onStream(stream: SseStream): Promise<void> {
    const principal = stream.principal as HubPrincipal
    const subscriber: Subscriber = {
      stream,
      principal,
      iri: `urn:uuid:${stream.id}`,
      held: principal.lastEventId === undefined ? undefined : [],
    }
    this.#fanOut.add(subscriber)
    this.#limiter.add(principal)
    const records: SubscriptionRecord[] = principal.selectors.map((s) => ({
      subscriber: subscriber.iri,
      topic: s.source,
      ...(principal.payload !== undefined && { payload: principal.payload }),
    }))
    stream.onClose(() => {
      this.#fanOut.remove(subscriber)
      this.#limiter.remove(principal)
      this.transport
        .removeSubscriptions(records)
        .catch((cause: unknown) =>
          this.#report(
            'The transport failed to remove a closed subscriber’s subscriptions.',
            cause,
          ),
        )
      if (this.#options.subscriptions) this.#announce(records, false)
    })
    // spec (Mercure, Subscribers): "If the presented JWS contains an expiration time in the
    // standard exp claim, the connection MUST be closed by the hub at that time."
    if (principal.exp !== undefined) closeAt(stream, principal.exp * 1000)
    await this.transport.addSubscriptions(records).catch(() => {})
    if (this.#options.subscriptions) this.#announce(records, true)
    if (principal.lastEventId !== undefined) {
      try {
        await replay(subscriber, principal.lastEventId, this.transport, this.#fanOut)
      } catch {
        // History is out of reach (the backend went away since admission): end the stream,
        // so the client comes back with the same Last-Event-ID instead of a silent gap.
        stream.close()
        return
      }
      this.stats.replays++
    }
  }

  /** spec (Mercure, Subscription Events): an update per subscription created or terminated. */
  #announce(records: readonly SubscriptionRecord[], active: boolean): void {
    for (const record of records) {
      const doc = subscriptionDocument(record, active)
      this.publish({ topics: [doc.id], data: JSON.stringify(doc), private: true }).catch(
        (cause: unknown) => this.#report('Publishing a subscription event failed.', cause),
      )
    }
  }

  #report(message: string, cause: unknown): void {
    const detail = new SprinklerError('ERR_HUB_TRANSPORT_FAILED', message, { cause })
    this.dispatchEvent(new CustomEvent('error', { detail }))
  }

  #updateLimits(): UpdateLimits {
    return { maxTopics: this.limits.maxTopics, maxIdLength: this.endpoint.maxLastEventIdLength }
  }

  #errorResponse(error: unknown, cors: Record<string, string>): HubResponse {
    const response = errorResponse(error, cors)
    if (response.status === 401) this.stats.authFailures++
    return response
  }
}

/** Creates a hub (keys are imported first, hence async). */
export async function createHub(options: HubOptions = {}): Promise<Hub> {
  const algorithm = options.jwtAlgorithm ?? 'HS256'
  const verifier = (key: string | undefined) =>
    options.jwksUrl !== undefined
      ? createVerifier({ jwksUrl: options.jwksUrl })
      : key === undefined
        ? undefined
        : createVerifier({ key, algorithm })
  const [publisher, subscriber] = await Promise.all([
    verifier(options.publisherJwtKey ?? options.jwtKey),
    verifier(options.subscriberJwtKey ?? options.jwtKey),
  ])
  return new Hub(options, {
    ...(publisher && { publisher }),
    ...(subscriber && { subscriber }),
  })
}

// setTimeout holds at most ~24.8 days; longer tokens re-arm until their time comes.
const MAX_TIMEOUT = 2 ** 31 - 1

function closeAt(stream: SseStream, atMs: number): void {
  const delay = atMs - Date.now()
  if (delay <= 0) {
    stream.close()
    return
  }
  const timer = setTimeout(
    () => (delay > MAX_TIMEOUT ? closeAt(stream, atMs) : stream.close()),
    Math.min(delay, MAX_TIMEOUT),
  )
  stream.onClose(() => clearTimeout(timer))
}
