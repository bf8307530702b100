// #region docs
import { createSecureServer } from 'node:http2'
import { createChannel } from '@sprinkler/server'
import { createSseHandler } from '@sprinkler/server/node'

export const news = createChannel()
const events = createSseHandler({ onStream: (stream) => void news.subscribe(stream) })

/**
 * HTTP/2 over TLS: every stream of a page shares ONE connection, so the browser's limit of six
 * HTTP/1.1 connections per origin no longer applies. allowHTTP1 keeps older clients working.
 */
export function start(tls: { key: Buffer; cert: Buffer }, port = 3443) {
  const server = createSecureServer({ ...tls, allowHTTP1: true }, (req, res) => {
    if (req.url.startsWith('/events')) void events(req, res)
    else res.writeHead(404).end()
  })
  return server.listen(port, '127.0.0.1')
}
// #endregion docs

export const close = () => events.close()
