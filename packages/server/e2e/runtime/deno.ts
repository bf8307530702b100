// The app on Deno: `deno run --allow-net=127.0.0.1 deno.js` prints the port it got.
import { createApp } from './app.js'

declare const Deno: {
  serve(
    options: { hostname: string; port: number; onListen(address: { port: number }): void },
    handler: (request: Request) => Promise<Response>,
  ): unknown
}

Deno.serve(
  { hostname: '127.0.0.1', port: 0, onListen: ({ port }) => console.log(`listening on ${port}`) },
  createApp(),
)
