// The app on Bun: `bun bun.js` prints the port it got.
import { createApp } from './app.js'

declare const Bun: {
  serve(options: { hostname: string; port: number; fetch(request: Request): Promise<Response> }): {
    port: number
  }
}

const server = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: createApp() })
console.log(`listening on ${server.port}`)
