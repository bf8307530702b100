// #region docs
import type { ServerResponse } from 'node:http'
import { SignJWT } from 'jose'

/**
 * After your own login: give the browser a subscriber JWT in the cookie the hub reads. The
 * browser sends it by itself with every subscription (EventSource or fetch), JavaScript cannot
 * read it (HttpOnly), other sites cannot make the browser send it (SameSite=Strict), and it
 * never appears in a URL.
 */
export async function setHubCookie(res: ServerResponse, user: string, jwtKey: string) {
  const token = await new SignJWT({
    mercure: { subscribe: [`/users/${user}/{+rest}`], payload: { user } },
  })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(user)
    .setExpirationTime('8h')
    .sign(new TextEncoder().encode(jwtKey))
  res.setHeader(
    'Set-Cookie',
    `mercureAuthorization=${token}; Path=/.well-known/mercure; HttpOnly; Secure; SameSite=Strict; Max-Age=28800`,
  )
}
// #endregion docs
