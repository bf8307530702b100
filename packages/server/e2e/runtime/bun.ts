// The app on Bun: `bun bun.js` prints the ports it got: one server with Bun's defaults, and one
// whose idle limit is as short as Bun allows (1 s, which Bun checks every few seconds).
import { createApp } from './app.js'

declare const Bun: {
  serve(options: {
    hostname: string
    port: number
    idleTimeout?: number
    fetch(request: Request, server: unknown): Promise<Response>
  }): { port: number }
}

const fetch = createApp()
const server = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch })
const shortIdle = Bun.serve({ hostname: '127.0.0.1', port: 0, idleTimeout: 1, fetch })
console.log(`listening on ${server.port}, short idle on ${shortIdle.port}`)
