import { readFileSync } from 'node:fs'
import { Agent, fetch as undiciFetch } from 'undici'

/** A self-signed certificate for localhost / 127.0.0.1, for HTTP/2 tests only. */
export const tlsFixture = {
  cert: readFileSync(new URL('./fixtures/localhost-cert.pem', import.meta.url)),
  key: readFileSync(new URL('./fixtures/localhost-key.pem', import.meta.url)),
}

/** A fetch that negotiates HTTP/2 (ALPN) and trusts the test certificate. */
export function http2Fetch(): { fetch: typeof fetch; close(): Promise<void> } {
  const agent = new Agent({ allowH2: true, connect: { ca: tlsFixture.cert } })
  return {
    fetch: ((input: string, init?: RequestInit) =>
      undiciFetch(input, { ...(init as object), dispatcher: agent })) as unknown as typeof fetch,
    close: () => agent.close(),
  }
}
