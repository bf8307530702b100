import { readBody, send } from '@sprinkler/logs/internal'
import type { NodeRequest, NodeResponse } from '@sprinkler/server/node'

export function sendJson(res: NodeResponse, status: number, body: unknown): void {
  send(res, status, 'application/json; charset=utf-8', JSON.stringify(body))
}

export function sendHtml(res: NodeResponse, html: string, headers: Record<string, string> = {}) {
  send(res, 200, 'text/html; charset=utf-8', html, headers)
}

/** Reads a small JSON request body; undefined when it is not JSON or larger than `maxBytes`. */
export async function readJson(req: NodeRequest, maxBytes = 64 * 1024): Promise<unknown> {
  const body = await readBody(req, maxBytes)
  if (body === undefined) return undefined
  try {
    return JSON.parse(body.toString('utf8')) as unknown
  } catch {
    return undefined
  }
}
