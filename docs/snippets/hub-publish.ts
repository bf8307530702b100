// #region docs
import { SignJWT } from 'jose'

/** Any backend publishes to a Mercure hub with one POST and a JWT allowed to publish. */
export async function publish(
  hubUrl: string,
  jwtKey: string,
  update: { topic: string; data: string; private?: boolean; type?: string },
): Promise<string> {
  const token = await new SignJWT({ mercure: { publish: [update.topic] } })
    .setProtectedHeader({ alg: 'HS256' })
    .setExpirationTime('1m')
    .sign(new TextEncoder().encode(jwtKey))
  const body = new URLSearchParams({ topic: update.topic, data: update.data })
  if (update.private) body.set('private', 'on')
  if (update.type) body.set('type', update.type)
  const response = await fetch(hubUrl, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}` },
    body,
  })
  if (!response.ok) throw new Error(`hub refused: ${response.status} ${await response.text()}`)
  return response.text() // the update's id
}
// #endregion docs
