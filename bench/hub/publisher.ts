/**
 * The hub benchmark's publisher: its own process, so the hub's CPU counts only what the hub
 * does. `publisher.ts <port> <token>`; each IPC message is a payload, POSTed to the hub as a
 * Mercure update on the topic `bench` (form-encoded, Bearer JWT), over keep-alive sockets.
 */
import { Agent, request } from 'node:http'

const [port, token] = process.argv.slice(2) as [string, string]
const agent = new Agent({ keepAlive: true, maxSockets: 4 })
let failures = 0

process.on('message', (payload: string) => {
  const body = `topic=bench&data=${encodeURIComponent(payload)}`
  const req = request(
    {
      host: '127.0.0.1',
      port: Number(port),
      path: '/.well-known/mercure',
      method: 'POST',
      agent,
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/x-www-form-urlencoded',
        'content-length': Buffer.byteLength(body),
      },
    },
    (res) => {
      if (res.statusCode !== 200) failures++
      res.resume()
    },
  )
  req.on('error', () => failures++)
  req.end(body)
})
process.on('disconnect', () => {
  agent.destroy()
  process.exit(failures > 0 ? 1 : 0)
})
