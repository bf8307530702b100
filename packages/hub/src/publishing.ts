import type { SseRequest } from '@sprinkler/server'
import { findToken, type Verify } from './auth.js'
import { compileClaim } from './claims.js'
import type { Cors } from './cors.js'
import { HubError } from './errors.js'
import type { TokenOptions } from './options.js'
import { matchesAny } from './topics.js'
import { parsePublishForm, type Update, type UpdateLimits } from './update.js'

export interface PublishContext {
  verify: Verify | undefined
  tokens: TokenOptions
  cors: Cors
  maxBodyBytes: number
  updateLimits: UpdateLimits
}

/**
 * Checks a publish request (`POST /.well-known/mercure`) and reads its update: the token, the
 * origin of a cookie, the content type, the form, then the `mercure.publish` claim. Every
 * refusal is a thrown `HubError`. `readBody` throws a 413 `HubError` past `maxBytes`.
 */
export async function readPublish(
  request: SseRequest,
  readBody: (maxBytes: number) => Promise<string>,
  context: PublishContext,
): Promise<Update> {
  const found = findToken(request, context.tokens)
  if (!found) throw new HubError(401, 'ERR_HUB_UNAUTHORIZED', 'Publishing needs a JWT.')
  // A cookie rides along with cross-site requests: only trusted origins may use it.
  const origin = request.header('origin')
  if (found.source === 'cookie' && origin !== null && !context.cors.trustsCredentials(origin)) {
    throw new HubError(
      403,
      'ERR_HUB_FORBIDDEN_ORIGIN',
      'This origin may not publish with a cookie.',
    )
  }
  if (!context.verify) {
    throw new HubError(401, 'ERR_HUB_UNAUTHORIZED', 'This hub has no publisher key.')
  }
  const token = await context.verify(found.token)
  const contentType = request.header('content-type') ?? ''
  if (!contentType.toLowerCase().startsWith('application/x-www-form-urlencoded')) {
    throw new HubError(
      415,
      'ERR_HUB_UNSUPPORTED_MEDIA_TYPE',
      'Publish with Content-Type: application/x-www-form-urlencoded.',
    )
  }
  const update = parsePublishForm(await readBody(context.maxBodyBytes), context.updateLimits)
  // spec (Mercure, Publishers): "the hub MUST check that every topic of the update to
  // dispatch matches at least one of the topic selectors contained in mercure.publish".
  const allowed = compileClaim(token.mercure.publish)
  if (allowed.length === 0 || !update.topics.every((t) => matchesAny(allowed, [t]))) {
    throw new HubError(
      403,
      'ERR_HUB_FORBIDDEN_TOPIC',
      'The JWT’s mercure.publish claim does not cover every topic of this update.',
    )
  }
  return update
}
