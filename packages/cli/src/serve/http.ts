import { send } from '@sprinkler/logs/internal'
import type { NodeRequest, NodeResponse } from '@sprinkler/server/node'

export {
  cookieValue,
  escapeHtml,
  hostName,
  hostOf,
  send,
  sendError,
} from '@sprinkler/logs/internal'

export function sendJson(res: NodeResponse, status: number, body: unknown): void {
  send(res, status, 'application/json; charset=utf-8', JSON.stringify(body))
}

export function sendHtml(res: NodeResponse, html: string, headers: Record<string, string> = {}) {
  send(res, 200, 'text/html; charset=utf-8', html, headers)
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
