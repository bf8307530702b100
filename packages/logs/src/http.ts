// HTTP helpers shared by the log terminal and `sprinkler serve` (through the package's
// `./internal` subpath, which is not public API).
import type { ErrorCode } from '@sprinkler/core'
import type { NodeRequest, NodeResponse } from '@sprinkler/server/node'

/** Headers on every answer: no caching, no sniffing, no framing. */
const BASE_HEADERS = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
}

/**
 * What pages may load: only this server's own scripts, styles and stream, no inline script,
 * no plugins, no framing. Even if log text ever reached the DOM as markup, it could not run.
 */
export const CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; worker-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

export function send(
  res: NodeResponse,
  status: number,
  contentType: string,
  body: string | Uint8Array,
  headers: Record<string, string | string[]> = {},
): void {
  if (res.headersSent) return
  res.writeHead(status, { 'content-type': contentType, ...BASE_HEADERS, ...headers })
  res.end(body)
}

export function sendHtml(
  res: NodeResponse,
  status: number,
  html: string,
  headers: Record<string, string | string[]> = {},
): void {
  send(res, status, 'text/html; charset=utf-8', html, {
    'content-security-policy': CONTENT_SECURITY_POLICY,
    'referrer-policy': 'no-referrer',
    ...headers,
  })
}

/** A JSON error body in the shape every Sprinkler package answers with. */
export function sendError(
  res: NodeResponse,
  status: number,
  code: ErrorCode,
  message: string,
  headers: Record<string, string> = {},
): void {
  const body = JSON.stringify({ error: { code, message } })
  send(res, status, 'application/json; charset=utf-8', body, headers)
}

/** Reads an `application/x-www-form-urlencoded` body of at most `maxBytes`; undefined otherwise. */
export async function readForm(
  req: NodeRequest,
  maxBytes: number,
): Promise<URLSearchParams | undefined> {
  const type = req.headers['content-type']?.split(';')[0]?.trim().toLowerCase()
  if (type !== 'application/x-www-form-urlencoded') return undefined
  const body = await readBody(req, maxBytes)
  return body && new URLSearchParams(body.toString('utf8'))
}

/** A request body of at most `maxBytes`; undefined (and the rest left unread) past that. */
export async function readBody(req: NodeRequest, maxBytes: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size > maxBytes) return undefined
    chunks.push(chunk)
  }
  return Buffer.concat(chunks)
}

/** The start of an HTML page, up to its `<title>` (escaped) and the tags that follow it. */
export function htmlStart(title: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>`
}

/** One cookie's value from a Cookie header. */
export function cookieValue(header: string | null | undefined, name: string): string | undefined {
  if (!header) return undefined
  for (const part of header.split(';')) {
    const eq = part.indexOf('=')
    if (eq !== -1 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim()
  }
  return undefined
}

/** `Host` as sent: `:authority` on HTTP/2, the Host header on HTTP/1.1. */
export function hostOf(req: NodeRequest): string | undefined {
  return (req.headers[':authority'] as string | undefined) ?? req.headers.host
}

/** The name part of a Host value (`[::1]:3000` → `::1`, `example.com:80` → `example.com`). */
export function hostName(host: string): string {
  if (host.startsWith('[')) return host.slice(1, host.indexOf(']'))
  const colon = host.lastIndexOf(':')
  return colon === -1 ? host : host.slice(0, colon)
}

/** Host names only this machine can reach. */
export function isLoopbackName(name: string): boolean {
  return name === 'localhost' || name === '::1' || /^127\.\d+\.\d+\.\d+$/.test(name)
}

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  )
}
