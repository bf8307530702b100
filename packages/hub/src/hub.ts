import {
  type HistoryOptions,
  type Principal,
  refuse,
  SseEndpoint,
  type SseRequest,
  type SseStream,
} from '@sprinkler/server'
import {
  createVerifier,
  findToken,
  type JwtAlgorithm,
  type TokenSource,
  type Verify,
} from './auth.js'
import { HubError } from './errors.js'
import { MemoryTransport } from './memory-transport.js'
import { compileSelector, matchesAny, type TopicSelector } from './topics.js'
import type { HubTransport, SubscriptionRecord } from './transport.js'
import { createUpdate, frameOf, parsePublishForm, type Update, type UpdateInput } from './update.js'

/** The hub URL path (spec: "The URL of the hub MUST be the well-known fixed path"). */
export const HUB_PATH = '/.well-known/mercure'
export const SUBSCRIPTIONS_PATH = `${HUB_PATH}/subscriptions`

export interface HubLimits {
  /** Largest publish body, in bytes (413 past it). Default 1 MiB. */
  maxBodyBytes: number
  /** Most `topic` values in one publish or subscribe request (400 past it). Default 100. */
  maxTopics: number
  /** Most open subscriber connections (503 past it). Default unlimited. */
  maxConnections: number
  /** Most open connections from one IP address (429 past it). Default unlimited. */
  maxConnectionsPerIp: number
  /** Most open connections with one token (429 past it). Default unlimited. */
  maxConnectionsPerToken: number
}

export interface HubOptions {
  /** Key for both roles: an HS* secret, or a PEM public key / certificate for RS* / ES*. */
  jwtKey?: string
  publisherJwtKey?: string
  subscriberJwtKey?: string
  /** Default HS256. */
  jwtAlgorithm?: JwtAlgorithm
  /** Verify tokens against this JWK Set instead of a key. */
  jwksUrl?: string
  /**
   * Let subscribers without a token receive public updates. Off by default, as in Mercure.
   * `{ allow, reason }` admits them only when every selector they ask for passes `allow`
   * (e.g. public demo topics); others get 401 with `reason`.
   */
  anonymous?: boolean | { allow: (selector: string) => boolean; reason?: string }
  /** Accept the `authorization` query parameter (the least safe: URLs end up in logs). Default true. */
  allowQueryToken?: boolean
  /** Default `mercureAuthorization`. */
  cookieName?: string
  /** Origins allowed by CORS (with credentials); `*` allows any origin. */
  corsOrigins?: readonly string[]
  /** History for the default in-memory transport. Default 1 000 updates, no age limit. */
  history?: HistoryOptions
  /** Default: in-memory. */
  transport?: HubTransport
  /** Publish subscription events (active true/false) as private updates. */
  subscriptions?: boolean
  heartbeatMs?: number
  maxBufferBytes?: number
  limits?: Partial<HubLimits>
}

/** An HTTP answer of the hub that is not a stream. */
export interface HubResponse {
  status: number
  headers: Record<string, string>
  body: string
}

/** What `authorize` decided about a subscriber, carried to its stream. */
interface HubPrincipal extends Principal {
  selectors: TopicSelector[]
  /** `mercure.subscribe`: which private updates it may receive. */
  allowed: TopicSelector[]
  payload: unknown
  exp: number | undefined
  token: string | undefined
  tokenSource: TokenSource | undefined
  ip: string | undefined
  lastEventId: string | undefined
  lastEventIdHeader: string | undefined
}

interface Subscriber {
  stream: SseStream
  principal: HubPrincipal
  /** The subscriber IRI of the subscriptions API. */
  iri: string
  /** Live updates held back while history is being replayed. */
  held: Update[] | undefined
}

export interface HubStats {
  publishes: number
  deliveries: number
  replays: number
  authFailures: number
}

const DEFAULT_LIMITS: HubLimits = {
  maxBodyBytes: 1024 * 1024,
  maxTopics: 100,
  maxConnections: Number.POSITIVE_INFINITY,
  maxConnectionsPerIp: Number.POSITIVE_INFINITY,
  maxConnectionsPerToken: Number.POSITIVE_INFINITY,
}

/**
 * A Mercure hub (draft-dunglas-mercure-07, as Mercure 0.x hubs deploy it), independent of the
 * HTTP framework: mount it with `createHubListener` (node:http) or through the server adapters.
 */
export class Hub {
  readonly endpoint: SseEndpoint
  readonly transport: HubTransport
  readonly limits: HubLimits
  readonly stats: HubStats = { publishes: 0, deliveries: 0, replays: 0, authFailures: 0 }
  readonly #options: HubOptions
  readonly #verifyPublisher: Verify | undefined
  readonly #verifySubscriber: Verify | undefined
  // Subscribers by exact topic selector; the others (`*`, templates) are tested one by one.
  readonly #byTopic = new Map<string, Set<Subscriber>>()
  readonly #wide = new Set<Subscriber>()
  readonly #perIp = new Map<string, number>()
  readonly #perToken = new Map<string, number>()
  readonly #stopListening: () => void
  #subscriptionCount = 0

  constructor(options: HubOptions, verifiers: { publisher?: Verify; subscriber?: Verify }) {
    this.#options = options
    this.limits = { ...DEFAULT_LIMITS, ...options.limits }
    this.transport =
      options.transport ?? new MemoryTransport(options.history ?? { maxEvents: 1000 })
    this.#verifyPublisher = verifiers.publisher
    this.#verifySubscriber = verifiers.subscriber
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
    this.#stopListening = this.transport.subscribe((update) => this.#dispatch(update))
  }

  /** Subscriber connections open now. */
  get connections(): number {
    return this.endpoint.stats.active
  }

  /** Topic selectors subscribed now, over all connections. */
  get subscriptionCount(): number {
    return this.#subscriptionCount
  }

  /** Publishes an update with no authorization check (the hub's own code, demos, tests). */
  async publish(input: UpdateInput): Promise<Update> {
    const update = createUpdate(input, { maxTopics: this.limits.maxTopics })
    await this.transport.publish(update)
    this.stats.publishes++
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
      const found = findToken(request, this.#tokenOptions())
      if (!found) throw new HubError(401, 'ERR_HUB_UNAUTHORIZED', 'Publishing needs a JWT.')
      // A cookie rides along with cross-site requests: only trusted origins may use it.
      const origin = request.header('origin')
      if (found.source === 'cookie' && origin !== null && !this.#originAllowed(origin)) {
        throw new HubError(
          403,
          'ERR_HUB_FORBIDDEN_ORIGIN',
          'This origin may not publish with a cookie.',
        )
      }
      if (!this.#verifyPublisher) {
        throw new HubError(401, 'ERR_HUB_UNAUTHORIZED', 'This hub has no publisher key.')
      }
      const token = await this.#verifyPublisher(found.token)
      const contentType = request.header('content-type') ?? ''
      if (!contentType.toLowerCase().startsWith('application/x-www-form-urlencoded')) {
        throw new HubError(
          415,
          'ERR_HUB_UNSUPPORTED_MEDIA_TYPE',
          'Publish with Content-Type: application/x-www-form-urlencoded.',
        )
      }
      const update = parsePublishForm(await readBody(this.limits.maxBodyBytes), {
        maxTopics: this.limits.maxTopics,
      })
      // spec (Mercure, Publishers): "the hub MUST check that every topic of the update to
      // dispatch matches at least one of the topic selectors contained in mercure.publish".
      const allowed = compileAll(token.mercure.publish)
      if (allowed.length === 0 || !update.topics.every((t) => matchesAny(allowed, [t]))) {
        throw new HubError(
          403,
          'ERR_HUB_FORBIDDEN_TOPIC',
          'The JWT’s mercure.publish claim does not cover every topic of this update.',
        )
      }
      await this.transport.publish(update)
      this.stats.publishes++
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
      const path = request.url.pathname
      const found = findToken(request, this.#tokenOptions())
      if (!found)
        throw new HubError(401, 'ERR_HUB_UNAUTHORIZED', 'The subscriptions API needs a JWT.')
      if (!this.#verifySubscriber) {
        throw new HubError(401, 'ERR_HUB_UNAUTHORIZED', 'This hub has no subscriber key.')
      }
      const token = await this.#verifySubscriber(found.token)
      // spec (Mercure, Subscription API): "The requested URL MUST match at least one of the
      // topic selectors provided in the mercure.subscribe key of the JWS."
      if (!matchesAny(compileAll(token.mercure.subscribe), [path])) {
        throw new HubError(
          403,
          'ERR_HUB_FORBIDDEN_TOPIC',
          'The JWT may not read these subscriptions.',
        )
      }
      const [topic, subscriber, ...rest] = path
        .slice(SUBSCRIPTIONS_PATH.length)
        .split('/')
        .filter((s) => s !== '')
        .map(decodeURIComponent)
      if (rest.length > 0) throw new HubError(404, 'ERR_HUB_NOT_FOUND', 'No such resource.')
      const [all, lastEventID] = await Promise.all([
        this.transport.subscriptions(),
        this.transport.lastEventId(),
      ])
      const headers = {
        ...cors,
        'content-type': 'application/ld+json',
        'cache-control': 'must-revalidate',
      }
      const docs = all
        .filter(
          (s) =>
            (topic === undefined || s.topic === topic) &&
            (subscriber === undefined || s.subscriber === subscriber),
        )
        .map((s) => subscriptionDocument(s, true))
      if (subscriber !== undefined) {
        const doc = docs[0]
        if (!doc) throw new HubError(404, 'ERR_HUB_NOT_FOUND', 'No such active subscription.')
        return { status: 200, headers, body: JSON.stringify({ ...doc, lastEventID }) }
      }
      const body = {
        '@context': 'https://mercure.rocks/',
        id: path,
        type: 'Subscriptions',
        lastEventID,
        subscriptions: docs.map(({ '@context': _c, ...doc }) => doc),
      }
      return { status: 200, headers, body: JSON.stringify(body) }
    } catch (error) {
      return this.#errorResponse(error, cors)
    }
  }

  /** CORS headers for a request from an allowed origin (credentials allowed). */
  corsHeaders(request: SseRequest): Record<string, string> {
    const origin = request.header('origin')
    if (origin === null || !this.#originAllowed(origin)) return {}
    return {
      'access-control-allow-origin': origin,
      'access-control-allow-credentials': 'true',
      'access-control-expose-headers': 'last-event-id, link',
      vary: 'Origin',
    }
  }

  /** Answers a CORS preflight. */
  preflight(request: SseRequest): HubResponse {
    const cors = this.corsHeaders(request)
    if (!cors['access-control-allow-origin']) return { status: 204, headers: {}, body: '' }
    return {
      status: 204,
      headers: {
        ...cors,
        'access-control-allow-methods': 'GET, POST, OPTIONS',
        'access-control-allow-headers': 'authorization, cache-control, content-type, last-event-id',
        'access-control-max-age': '600',
      },
      body: '',
    }
  }

  /** Ends every subscriber stream and stops listening to the transport. */
  async close(): Promise<void> {
    this.#stopListening()
    await this.endpoint.close({ timeoutMs: 2000 })
    await this.transport.close()
  }

  async #authorizeSubscriber(request: SseRequest): Promise<Principal | ReturnType<typeof refuse>> {
    try {
      const topics = request.url.searchParams.getAll('topic')
      if (topics.length === 0) {
        throw new HubError(
          400,
          'ERR_HUB_MISSING_TOPIC',
          'Subscribe with at least one `topic` parameter.',
        )
      }
      if (topics.length > this.limits.maxTopics) {
        throw new HubError(
          400,
          'ERR_HUB_TOO_MANY_TOPICS',
          `At most ${this.limits.maxTopics} topics per subscription.`,
        )
      }
      const selectors = topics.map(compileSelector)
      const found = findToken(request, this.#tokenOptions())
      let token: Awaited<ReturnType<Verify>> | undefined
      if (found) {
        if (!this.#verifySubscriber) {
          throw new HubError(401, 'ERR_HUB_UNAUTHORIZED', 'This hub has no subscriber key.')
        }
        token = await this.#verifySubscriber(found.token)
      } else {
        const { anonymous } = this.#options
        if (!anonymous) {
          throw new HubError(401, 'ERR_HUB_UNAUTHORIZED', 'Subscribing needs a JWT on this hub.')
        }
        if (typeof anonymous === 'object' && !topics.every(anonymous.allow)) {
          throw new HubError(
            401,
            'ERR_HUB_UNAUTHORIZED',
            anonymous.reason ?? 'Without a JWT only some topics may be subscribed to here.',
          )
        }
      }
      const ip = request.remoteAddress
      if (this.connections >= this.limits.maxConnections) {
        throw new HubError(
          503,
          'ERR_HUB_TOO_MANY_CONNECTIONS',
          'The hub is at its connection limit.',
        )
      }
      if (ip !== undefined && (this.#perIp.get(ip) ?? 0) >= this.limits.maxConnectionsPerIp) {
        throw new HubError(
          429,
          'ERR_HUB_TOO_MANY_CONNECTIONS',
          'Too many connections from this address.',
        )
      }
      if (found && (this.#perToken.get(found.token) ?? 0) >= this.limits.maxConnectionsPerToken) {
        throw new HubError(
          429,
          'ERR_HUB_TOO_MANY_CONNECTIONS',
          'Too many connections with this token.',
        )
      }
      const lastEventId =
        request.header('last-event-id') ?? request.url.searchParams.get('lastEventID') ?? undefined
      let lastEventIdHeader: string | undefined
      if (lastEventId !== undefined) {
        // spec (Mercure, Reconciliation): the response's Last-Event-ID is "the ID of the event
        // preceding the first one sent to the subscriber, or the reserved value earliest".
        const { found: known } = await this.transport.history(lastEventId)
        lastEventIdHeader = known ? lastEventId : 'earliest'
      }
      const principal: HubPrincipal = {
        ...(typeof token?.payload.sub === 'string' && { user: token.payload.sub }),
        selectors,
        allowed: compileAll(token?.mercure.subscribe),
        payload: token?.mercure.payload,
        exp: token?.exp,
        token: found?.token,
        tokenSource: found?.source,
        ip,
        lastEventId,
        lastEventIdHeader,
      }
      return principal
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
    this.#add(subscriber)
    const records: SubscriptionRecord[] = principal.selectors.map((s) => ({
      subscriber: subscriber.iri,
      topic: s.source,
      ...(principal.payload !== undefined && { payload: principal.payload }),
    }))
    stream.onClose(() => {
      this.#remove(subscriber)
      void this.transport.removeSubscriptions(records)
      if (this.#options.subscriptions) this.#announce(records, false)
    })
    // spec (Mercure, Subscribers): "If the presented JWS contains an expiration time in the
    // standard exp claim, the connection MUST be closed by the hub at that time."
    if (principal.exp !== undefined) closeAt(stream, principal.exp * 1000)
    await this.transport.addSubscriptions(records)
    if (this.#options.subscriptions) this.#announce(records, true)
    if (principal.lastEventId !== undefined) await this.#replay(subscriber, principal.lastEventId)
  }

  /**
   * Replays history after `lastEventId`, then the live updates held meanwhile, skipping any
   * the replay already sent: no gap, no duplicate, whatever is published during the replay.
   */
  async #replay(subscriber: Subscriber, lastEventId: string): Promise<void> {
    const { updates } = await this.transport.history(lastEventId)
    const sent = new Set<string>()
    for (const update of updates) {
      sent.add(update.id)
      this.#deliver(subscriber, update)
    }
    const held = subscriber.held ?? []
    subscriber.held = undefined
    for (const update of held) if (!sent.has(update.id)) this.#deliver(subscriber, update)
    this.stats.replays++
  }

  #dispatch(update: Update): void {
    const candidates = new Set<Subscriber>()
    for (const topic of update.topics) {
      const exact = this.#byTopic.get(topic)
      if (exact) for (const s of exact) candidates.add(s)
    }
    for (const s of this.#wide)
      if (matchesAny(s.principal.selectors, update.topics)) candidates.add(s)
    for (const subscriber of candidates) {
      if (subscriber.held) subscriber.held.push(update)
      else this.#deliver(subscriber, update, true)
    }
  }

  /**
   * Writes the update if this subscriber may see it: the same rule live and on replay
   * (`matched`: the topic index already found that a selector matches).
   */
  #deliver(subscriber: Subscriber, update: Update, matched = false): void {
    const { selectors, allowed } = subscriber.principal
    if (!matched && !matchesAny(selectors, update.topics)) return
    // spec (Mercure, Subscribers): a private update goes only to a subscriber whose
    // mercure.subscribe selectors match at least one of its topics.
    if (update.private && !matchesAny(allowed, update.topics)) return
    if (subscriber.stream.write(frameOf(update))) this.stats.deliveries++
  }

  #add(subscriber: Subscriber): void {
    const { selectors, ip, token } = subscriber.principal
    let wide = false
    for (const s of selectors) {
      if (s.source === '*' || s.source.includes('{')) wide = true
      else {
        const set = this.#byTopic.get(s.source)
        if (set) set.add(subscriber)
        else this.#byTopic.set(s.source, new Set([subscriber]))
      }
    }
    if (wide) this.#wide.add(subscriber)
    this.#subscriptionCount += selectors.length
    if (ip !== undefined) this.#perIp.set(ip, (this.#perIp.get(ip) ?? 0) + 1)
    if (token !== undefined) this.#perToken.set(token, (this.#perToken.get(token) ?? 0) + 1)
  }

  #remove(subscriber: Subscriber): void {
    const { selectors, ip, token } = subscriber.principal
    for (const s of selectors) {
      const set = this.#byTopic.get(s.source)
      if (set?.delete(subscriber) && set.size === 0) this.#byTopic.delete(s.source)
    }
    this.#wide.delete(subscriber)
    this.#subscriptionCount -= selectors.length
    if (ip !== undefined) decrement(this.#perIp, ip)
    if (token !== undefined) decrement(this.#perToken, token)
  }

  /** spec (Mercure, Subscription Events): an update per subscription created or terminated. */
  #announce(records: readonly SubscriptionRecord[], active: boolean): void {
    for (const record of records) {
      const doc = subscriptionDocument(record, active)
      void this.publish({ topics: [doc.id], data: JSON.stringify(doc), private: true }).catch(
        () => {},
      )
    }
  }

  #originAllowed(origin: string): boolean {
    const allowed = this.#options.corsOrigins ?? []
    return allowed.includes('*') || allowed.includes(origin)
  }

  #tokenOptions() {
    return {
      allowQueryToken: this.#options.allowQueryToken ?? true,
      cookieName: this.#options.cookieName ?? 'mercureAuthorization',
    }
  }

  #errorResponse(error: unknown, cors: Record<string, string>): HubResponse {
    if (!(error instanceof HubError)) throw error
    if (error.status === 401) this.stats.authFailures++
    return {
      status: error.status,
      headers: {
        ...cors,
        'content-type': 'application/json; charset=utf-8',
        ...(error.status === 401 && { 'www-authenticate': 'Bearer' }),
      },
      body: JSON.stringify({ error: { code: error.code, message: error.message } }),
    }
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

function compileAll(selectors: unknown): TopicSelector[] {
  if (!Array.isArray(selectors)) return []
  const compiled: TopicSelector[] = []
  for (const s of selectors) {
    if (typeof s !== 'string') continue
    try {
      compiled.push(compileSelector(s))
    } catch {
      // A selector in a token that is not a valid template matches nothing.
    }
  }
  return compiled
}

/** The JSON-LD document of a subscription (spec: Subscription Events). */
export function subscriptionDocument(record: SubscriptionRecord, active: boolean) {
  return {
    '@context': 'https://mercure.rocks/',
    id: `${SUBSCRIPTIONS_PATH}/${encodeURIComponent(record.topic)}/${encodeURIComponent(record.subscriber)}`,
    type: 'Subscription',
    topic: record.topic,
    subscriber: record.subscriber,
    active,
    ...(record.payload !== undefined && { payload: record.payload }),
  }
}

function decrement(map: Map<string, number>, key: string): void {
  const n = (map.get(key) ?? 1) - 1
  if (n === 0) map.delete(key)
  else map.set(key, n)
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
