/**
 * The servers under test, each started the way its documentation shows, with heartbeats off
 * (no timer traffic during measurements) and one broadcast function. All of them serve
 * `GET /events` (WebSocket: an upgrade on any path) on 127.0.0.1 with the same listen backlog.
 */
import http from 'node:http'
import net, { type AddressInfo } from 'node:net'
import { hubStarter } from './hub-impl.js'
import type { Implementation } from './protocol.js'

export interface ServerUnderTest {
  port: number
  /** Broadcasts one event whose data is `payload` to every subscriber. */
  publish(payload: string): void
  subscribers(): number
  /** Errors seen by the server (accept failures, socket errors), by code. */
  errors: Record<string, number>
}

export interface StartOptions {
  /** Per-client bound, for the implementations that have one (Sprinkler). */
  maxBufferBytes?: number
  /** The hub only: share updates through Redis (one node of a cluster) instead of memory. */
  redis?: { url: string; prefix: string }
}

const BACKLOG = 4096

function count(errors: Record<string, number>, error: unknown): void {
  const code = (error as NodeJS.ErrnoException)?.code ?? String(error)
  errors[code] = (errors[code] ?? 0) + 1
}

function listen(server: http.Server, errors: Record<string, number>): Promise<number> {
  server.on('error', (error) => count(errors, error))
  server.on('clientError', (error, socket) => {
    count(errors, error)
    socket.destroy()
  })
  // Long-lived streams: no request/idle timeouts may end them during a run.
  server.requestTimeout = 0
  server.headersTimeout = 0
  server.keepAliveTimeout = 0
  server.timeout = 0
  return new Promise((resolve) => {
    server.listen({ host: '127.0.0.1', port: 0, backlog: BACKLOG }, () =>
      resolve((server.address() as AddressInfo).port),
    )
  })
}

/**
 * Sprinkler: `createSseHandler` + `createChannel().publish` on `http.createServer`; with
 * `fastPath`, behind `createFastPath` (event streams on `/events` served from the socket before
 * node:http sees them); `coalesceMs` > 0 lets the channel share writes across event-loop turns.
 */
async function sprinkler(
  options: StartOptions,
  variant: { fastPath?: boolean; coalesceMs?: number } = {},
): Promise<ServerUnderTest> {
  const { createChannel } = await import('@sprinkler/server')
  const { createFastPath, createSseHandler } = await import('@sprinkler/server/node')
  const errors: Record<string, number> = {}
  const channel = createChannel({ coalesceMs: variant.coalesceMs ?? 0 })
  const handler = createSseHandler({
    heartbeatMs: 0,
    maxBufferBytes: options.maxBufferBytes ?? 1024 * 1024,
    onStream: (stream) => {
      channel.subscribe(stream)
    },
  })
  handler.endpoint.addEventListener('error', (event) =>
    count(errors, (event as CustomEvent).detail),
  )
  const app = http.createServer((req, res) => void handler(req, res))
  let port: number
  if (variant.fastPath) {
    const server = createFastPath(app, handler, { path: '/events' })
    server.on('error', (error) => count(errors, error))
    port = await new Promise<number>((resolve) => {
      server.listen({ host: '127.0.0.1', port: 0, backlog: BACKLOG }, () =>
        resolve((server.address() as AddressInfo).port),
      )
    })
  } else {
    port = await listen(app, errors)
  }
  return {
    port,
    publish: (payload) => {
      channel.publish({ data: payload })
    },
    subscribers: () => channel.size,
    errors,
  }
}

/** The seed's Express handler, broadcasting with `res.write` per client. */
async function expressLoop(): Promise<ServerUnderTest> {
  const { default: express } = await import('express')
  const errors: Record<string, number> = {}
  const clients = new Set<http.ServerResponse>()
  const app = express()
  app.get('/events', (req, res) => {
    res.setHeader('Content-Type', 'text/event-stream')
    res.setHeader('Cache-Control', 'no-cache')
    res.setHeader('Connection', 'keep-alive')
    res.flushHeaders()
    clients.add(res)
    req.on('close', () => {
      clients.delete(res)
      res.end()
    })
  })
  const server = http.createServer(app)
  const port = await listen(server, errors)
  return {
    port,
    publish: (payload) => {
      for (const res of clients) res.write(`data: ${payload}\n\n`)
    },
    subscribers: () => clients.size,
    errors,
  }
}

async function honoStreamSse(): Promise<ServerUnderTest> {
  const { Hono } = await import('hono')
  const { streamSSE } = await import('hono/streaming')
  const { createAdaptorServer } = await import('@hono/node-server')
  type SseApi = Parameters<Parameters<typeof streamSSE>[1]>[0]
  const errors: Record<string, number> = {}
  const streams = new Set<SseApi>()
  const app = new Hono()
  app.get('/events', (c) =>
    streamSSE(c, async (stream) => {
      streams.add(stream)
      await new Promise<void>((resolve) => {
        stream.onAbort(() => {
          streams.delete(stream)
          resolve()
        })
      })
    }),
  )
  const server = createAdaptorServer({ fetch: app.fetch }) as http.Server
  const port = await listen(server, errors)
  return {
    port,
    publish: (payload) => {
      for (const stream of streams) {
        stream.writeSSE({ data: payload }).catch((error: unknown) => count(errors, error))
      }
    },
    subscribers: () => streams.size,
    errors,
  }
}

async function betterSse(): Promise<ServerUnderTest> {
  const { createChannel, createSession } = await import('better-sse')
  const errors: Record<string, number> = {}
  const channel = createChannel()
  const server = http.createServer((req, res) => {
    // Strings go out as they are (the default would JSON-encode them), no keep-alive timer,
    // no initial retry hint: the same bytes on the wire as the others, plus better-sse's own
    // `event:` and `id:` lines.
    createSession(req, res, { keepAlive: null, retry: null, serializer: (data) => String(data) })
      .then((session) => channel.register(session))
      .catch((error: unknown) => count(errors, error))
  })
  const port = await listen(server, errors)
  return {
    port,
    publish: (payload) => {
      channel.broadcast(payload)
    },
    subscribers: () => channel.sessionCount,
    errors,
  }
}

async function fastifySse(): Promise<ServerUnderTest> {
  const { default: Fastify } = await import('fastify')
  const { fastifySSE } = await import('@fastify/sse')
  const errors: Record<string, number> = {}
  const replies = new Set<{ sse: { send(message: { data: string }): Promise<void> } }>()
  const app = Fastify({ logger: false, requestTimeout: 0, keepAliveTimeout: 0 })
  await app.register(fastifySSE, {
    heartbeatInterval: 0,
    serializer: (data: unknown) => String(data),
  })
  app.get('/events', { sse: 'only' }, async (_request, reply) => {
    reply.sse.keepAlive()
    reply.sse.sendHeaders()
    // writeHead alone sends nothing until the first write: the client would wait for the
    // head (EventSource fires `open` on it), so flush it as the other servers do.
    reply.raw.flushHeaders()
    replies.add(reply)
    reply.sse.onClose(() => replies.delete(reply))
  })
  app.server.on('clientError', (error) => count(errors, error))
  app.server.on('error', (error) => count(errors, error))
  await app.listen({ host: '127.0.0.1', port: 0, backlog: BACKLOG })
  const port = (app.server.address() as AddressInfo).port
  return {
    port,
    publish: (payload) => {
      for (const reply of replies) {
        reply.sse.send({ data: payload }).catch((error: unknown) => count(errors, error))
      }
    },
    subscribers: () => replies.size,
    errors,
  }
}

/** The floor for an SSE server on node:http: one pre-encoded Buffer, `res.write` to each. */
async function rawNodeHttp(): Promise<ServerUnderTest> {
  const errors: Record<string, number> = {}
  const clients = new Set<http.ServerResponse>()
  const server = http.createServer((req, res) => {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
    })
    res.flushHeaders()
    clients.add(res)
    res.on('close', () => clients.delete(res))
    req.on('error', (error) => count(errors, error))
  })
  const port = await listen(server, errors)
  return {
    port,
    publish: (payload) => {
      const frame = Buffer.from(`data: ${payload}\n\n`)
      for (const res of clients) res.write(frame)
    },
    subscribers: () => clients.size,
    errors,
  }
}

/** `ws` broadcast: one Buffer sent as a text frame to every client. */
async function wsBroadcast(): Promise<ServerUnderTest> {
  const { WebSocketServer } = await import('ws')
  const errors: Record<string, number> = {}
  const server = http.createServer((_req, res) => {
    res.writeHead(426).end()
  })
  const wss = new WebSocketServer({ server, perMessageDeflate: false })
  wss.on('connection', (socket) => {
    socket.on('error', (error) => count(errors, error))
  })
  wss.on('error', (error) => count(errors, error))
  const port = await listen(server, errors)
  return {
    port,
    publish: (payload) => {
      const data = Buffer.from(payload)
      for (const client of wss.clients) client.send(data, { binary: false })
    },
    subscribers: () => wss.clients.size,
    errors,
  }
}

/**
 * Reference, not a library: the floor under any SSE server on Node. No node:http at all — the
 * request head is read off a bare `net.Socket`, the response is delimited by connection close
 * (no chunked encoding), and each frame is one `socket.write` of one shared Buffer. What an
 * SSE connection costs when nothing but the socket stays alive (like an upgraded WebSocket).
 */
async function floorNetSocket(): Promise<ServerUnderTest> {
  const errors: Record<string, number> = {}
  const clients = new Set<net.Socket>()
  const head = Buffer.from(
    'HTTP/1.1 200 OK\r\ncontent-type: text/event-stream; charset=utf-8\r\n' +
      'cache-control: no-cache, no-transform\r\nconnection: close\r\n\r\n',
  )
  const server = net.createServer((socket) => {
    socket.setNoDelay(true)
    socket.on('error', (error) => count(errors, error))
    socket.on('close', () => clients.delete(socket))
    // The bench clients send the whole request head in one write.
    socket.once('data', (chunk: Buffer) => {
      if (!chunk.includes('\r\n\r\n')) {
        socket.destroy()
        return
      }
      socket.write(head)
      clients.add(socket)
    })
  })
  server.on('error', (error) => count(errors, error))
  const port = await new Promise<number>((resolve) => {
    server.listen({ host: '127.0.0.1', port: 0, backlog: BACKLOG }, () =>
      resolve((server.address() as AddressInfo).port),
    )
  })
  return {
    port,
    publish: (payload) => {
      const frame = Buffer.from(`data: ${payload}\n\n`)
      for (const socket of clients) socket.write(frame)
    },
    subscribers: () => clients.size,
    errors,
  }
}

export const starters: Record<Implementation, (options: StartOptions) => Promise<ServerUnderTest>> =
  {
    sprinkler: (options) => sprinkler(options),
    'sprinkler-fast-path': (options) => sprinkler(options, { fastPath: true }),
    'sprinkler-coalesced': (options) => sprinkler(options, { fastPath: true, coalesceMs: 2 }),
    'express-loop': expressLoop,
    'hono-streamSSE': honoStreamSse,
    'better-sse': betterSse,
    'fastify-sse': fastifySse,
    'raw-node-http': rawNodeHttp,
    ws: wsBroadcast,
    'floor-net-socket': floorNetSocket,
    hub: hubStarter,
  }
