// The app on workerd, the Cloudflare Workers runtime (config: workerd.capnp). It runs inside one
// Durable Object: a plain Worker's requests cannot share streams, channels or timers (workerd
// refuses I/O across request contexts), while a Durable Object's requests share its context.
import { createApp } from './app.js'

interface Env {
  HUB: {
    idFromName(name: string): unknown
    get(id: unknown): { fetch(request: Request): Promise<Response> }
  }
}

/** The Durable Object every request is forwarded to. */
export class Hub {
  readonly fetch = createApp()
}

export default {
  fetch: (request: Request, env: Env) => env.HUB.get(env.HUB.idFromName('hub')).fetch(request),
}
