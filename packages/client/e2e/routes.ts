// Routes the client's e2e suites (browsers, runtimes) serve alike: each answers the n-th request
// on its path so that a client reconnecting through it shows what it sent every time.
import type { Route } from '../test/server.js'
import { sse } from '../test/server.js'

/** 401 without a Bearer token; else event n carries the header, and streams 1–2 end at once. */
export const bearerRoute: Route = (req, res, { n }) => {
  const auth = req.headers.authorization
  if (!auth?.startsWith('Bearer ')) {
    res.writeHead(401).end()
    return
  }
  sse(res)
  const event = `id: ${n}\ndata: ${n} ${auth}\n\n`
  if (n < 3) res.end(`retry: 0\n${event}`)
  else res.write(event)
}

/** Echoes method, content type and body as event n; the first stream ends at once. */
export const echoRoute: Route = (_req, res, { n, request }) => {
  sse(res)
  const { method, headers, body } = request
  const event = `id: ${n}\ndata: ${method} ${headers['content-type']} ${body}\n\n`
  if (n === 1) res.end(`retry: 0\n${event}`)
  else res.write(event)
}

/** 503 for the first three requests, then a stream with one event; `onArrival` sees each. */
export function busyRoute(onArrival: () => void = () => {}): Route {
  return (_req, res, { n }) => {
    onArrival()
    if (n <= 3) {
      res.writeHead(503).end()
      return
    }
    sse(res)
    res.write('data: back\n\n')
  }
}
