import type { ErrorCode } from '@sprinkler/core'
import type { NodeRequest, NodeResponse } from '@sprinkler/server/node'

/** A JSON error body in the shape every Sprinkler package answers with. */
export function sendError(
  res: NodeResponse,
  status: number,
  code: ErrorCode,
  message: string,
): void {
  sendJson(res, status, { error: { code, message } })
}

export function sendJson(res: NodeResponse, status: number, body: unknown): void {
  send(res, status, 'application/json; charset=utf-8', JSON.stringify(body))
}

export function sendHtml(res: NodeResponse, html: string, headers: Record<string, string> = {}) {
  send(res, 200, 'text/html; charset=utf-8', html, headers)
}

export function send(
  res: NodeResponse,
  status: number,
  contentType: string,
  body: string | Uint8Array,
  headers: Record<string, string | string[]> = {},
): void {
  if (res.headersSent) return
  res.writeHead(status, {
    'content-type': contentType,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    ...headers,
  })
  res.end(body)
}

/** Reads a small JSON request body; undefined when it is not JSON or larger than `maxBytes`. */
export async function readJson(req: NodeRequest, maxBytes = 64 * 1024): Promise<unknown> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size > maxBytes) return undefined
    chunks.push(chunk)
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown
  } catch {
    return undefined
  }
}

/** One cookie's value from the request's Cookie header. */
export function readCookie(req: NodeRequest, name: string): string | undefined {
  const header = req.headers.cookie
  if (header === undefined) return undefined
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

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  )
}
