import { readFileSync } from 'node:fs'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import {
  createSecureServer,
  type Http2SecureServer,
  type Http2ServerRequest,
  type Http2ServerResponse,
} from 'node:http2'
import type { AddressInfo } from 'node:net'
import type { SseEndpoint } from '@sprinkler/server'
import { createFastPath, type FastPathServer } from '@sprinkler/server/node'
import type { Command } from 'commander'
import type { Logger } from 'pino'
import { fail } from './hub-client.js'

export type Listener = (
  req: IncomingMessage | Http2ServerRequest,
  res: ServerResponse | Http2ServerResponse,
) => void

export interface ListenOptions {
  host: string
  port: number
  /** PEM paths: with both, HTTPS with HTTP/2 (and HTTP/1.1 for older clients). */
  cert?: string
  key?: string
}

/** Route handlers that resolve false for paths they do not serve (the hub's, the demos'). */
export type Routes = (
  req: IncomingMessage | Http2ServerRequest,
  res: ServerResponse | Http2ServerResponse,
) => Promise<boolean>

/** A listener running `routes`: 404 for what they do not serve, 500 (logged) when they throw. */
export function routesListener(routes: Routes, logger: Logger): Listener {
  return (req, res) => {
    routes(req, res).then(
      (handled) => {
        if (!handled) res.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found')
      },
      (error: unknown) => {
        logger.error({ err: error }, 'request failed')
        if (!res.headersSent) res.writeHead(500).end()
      },
    )
  }
}

/** Closes a server and the keep-alive connections that would hold `close()` open. */
export async function closeServer(server: { close(done: () => void): unknown }): Promise<void> {
  if ('closeAllConnections' in server) (server as Server).closeAllConnections()
  await new Promise<void>((resolve) => server.close(resolve))
}

/** The `--host`, `--port`, `--cert` and `--key` flags as listen options. */
export function listenOptions(flags: ListenOptions): ListenOptions {
  return {
    host: flags.host,
    port: flags.port,
    ...(flags.cert && { cert: flags.cert }),
    ...(flags.key && { key: flags.key }),
  }
}

/**
 * Starts the HTTP server and prints `listening on URL` as the first line of stdout (scripts
 * and tests read it to find a port chosen with --port 0). With `fastPath`, plain-HTTP event
 * streams on that path are served from the socket (see `createFastPath`). When the server
 * cannot listen, `command` ends with a sentence saying why and which flag to change (exit 1).
 */
export async function listen(
  listener: Listener,
  options: ListenOptions,
  command: Command,
  fastPath?: { endpoint: SseEndpoint; path: string },
): Promise<{ server: Server | Http2SecureServer | FastPathServer; url: string }> {
  const tls = options.cert !== undefined && options.key !== undefined
  const app = tls
    ? createSecureServer(
        {
          cert: readFileSync(options.cert as string),
          key: readFileSync(options.key as string),
          allowHTTP1: true,
        },
        listener,
      )
    : createServer(listener)
  // Plain HTTP/1.x: event streams are served from the socket, without node:http's machinery.
  const server = fastPath && !tls ? createFastPath(app as Server, fastPath.endpoint, fastPath) : app
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port, options.host, () => {
      server.off('error', reject)
      resolve()
    })
  }).catch((error: NodeJS.ErrnoException) =>
    fail(command, listenFailure(error, options, command.name())),
  )
  const { port } = server.address() as AddressInfo
  const host = options.host.includes(':') ? `[${options.host}]` : options.host
  const url = `${tls ? 'https' : 'http'}://${host}:${port}`
  process.stdout.write(`listening on ${url}\n`)
  return { server, url }
}

/**
 * What went wrong when `sprinkler <name>` could not listen, and the flag (or variable) that
 * fixes it, in the forms a checkout (`npm start -- …`) and an install (`sprinkler …`) use.
 */
export function listenFailure(
  error: NodeJS.ErrnoException,
  options: Pick<ListenOptions, 'host' | 'port'>,
  name: string,
): string {
  const where = `${options.host.includes(':') ? `[${options.host}]` : options.host}:${options.port}`
  const run = (flag: string) =>
    name === 'serve'
      ? `\`npm start -- ${flag}\` from a checkout, \`sprinkler serve ${flag}\` once installed`
      : `\`npm run sprinkler -- ${name} ${flag}\` from a checkout, \`sprinkler ${name} ${flag}\` once installed`
  const otherPort = `Choose another port with --port (or SPRINKLER_PORT), e.g. ${run('--port 3001')}; --port 0 takes any free port.`
  switch (error.code) {
    case 'EADDRINUSE':
      return `error: cannot listen on ${where}: the port is already in use (EADDRINUSE), perhaps by another \`sprinkler ${name}\`. ${otherPort}`
    case 'EACCES':
      return `error: cannot listen on ${where}: permission denied (EACCES); ports below 1024 need privileges. ${otherPort}`
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
    case 'EAI_AGAIN': {
      const what =
        error.code === 'EADDRNOTAVAIL'
          ? 'no interface of this machine has that address'
          : 'the host name does not resolve'
      return `error: cannot listen on ${where}: ${what} (${error.code}). Choose the address with --host (or SPRINKLER_HOST), e.g. ${run('--host 127.0.0.1')}.`
    }
    default:
      return `error: cannot listen on ${where}: ${error.message}${error.code ? ` (${error.code})` : ''}. Check --host and --port (or SPRINKLER_HOST and SPRINKLER_PORT).`
  }
}

/** Runs `stop` once on SIGINT or SIGTERM, then exits. */
export function onShutdown(stop: () => Promise<void>): void {
  let stopping = false
  const handler = () => {
    if (stopping) return
    stopping = true
    stop().then(
      () => process.exit(0),
      () => process.exit(1),
    )
  }
  process.once('SIGINT', handler)
  process.once('SIGTERM', handler)
}
