import { SignJWT } from 'jose'
import { describe, expect, it, vi } from 'vitest'
import { createVerifier, findToken } from './auth.js'

const lookup = (headers: Record<string, string>, query = '') => ({
  header: (name: string) => headers[name] ?? null,
  url: new URL(`http://hub/.well-known/mercure${query}`),
})
const options = { allowQueryToken: true, cookieName: 'mercureAuthorization' }

describe('token sources (spec: Authorization)', () => {
  it('prefers the Authorization header, then the query parameter, then the cookie', () => {
    const all = lookup(
      { authorization: 'Bearer h', cookie: 'mercureAuthorization=c' },
      '?authorization=q',
    )
    expect(findToken(all, options)).toEqual({ token: 'h', source: 'header' })
    const noHeader = lookup({ cookie: 'a=b; mercureAuthorization=c' }, '?authorization=q')
    expect(findToken(noHeader, options)).toEqual({ token: 'q', source: 'query' })
    expect(findToken(lookup({ cookie: 'a=b; mercureAuthorization=c' }), options)).toEqual({
      token: 'c',
      source: 'cookie',
    })
    expect(findToken(lookup({}), options)).toBeUndefined()
  })

  it('refuses a malformed Authorization header and, when disabled, a query token', () => {
    expect(() => findToken(lookup({ authorization: 'Basic abc' }), options)).toThrow(
      expect.objectContaining({ status: 401, code: 'ERR_HUB_INVALID_TOKEN' }),
    )
    expect(() =>
      findToken(lookup({}, '?authorization=q'), { ...options, allowQueryToken: false }),
    ).toThrow(expect.objectContaining({ status: 401, code: 'ERR_HUB_QUERY_TOKEN_DISABLED' }))
  })
})

describe('verification', () => {
  const secret = 'a-secret-long-enough-for-hs256-signatures!'
  const sign = (claims: Record<string, unknown>, alg = 'HS256', key = secret) =>
    new SignJWT(claims).setProtectedHeader({ alg }).sign(new TextEncoder().encode(key))

  it('returns the mercure claim and exp', async () => {
    const verify = await createVerifier({ key: secret })
    const token = await new SignJWT({ mercure: { publish: ['*'] } })
      .setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode(secret))
    const verified = await verify(token)
    expect(verified.mercure).toEqual({ publish: ['*'] })
    expect(verified.exp).toBeGreaterThan(Date.now() / 1000)
  })

  it('refuses another HMAC algorithm than the configured one, expired tokens and a wrong key', async () => {
    const verify = await createVerifier({ key: secret, algorithm: 'HS256' })
    await expect(verify(await sign({ mercure: {} }, 'HS512'))).rejects.toMatchObject({
      code: 'ERR_HUB_INVALID_TOKEN',
    })
    await expect(verify(await sign({ mercure: {}, exp: 1 }))).rejects.toThrow('expired')
    await expect(verify(await sign({ mercure: {} }, 'HS256', `${secret}x`))).rejects.toMatchObject({
      status: 401,
    })
  })

  it('reuses a verified token until its exp, then refuses it', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    try {
      const verify = await createVerifier({ key: secret })
      const token = await new SignJWT({ mercure: { publish: ['*'] } })
        .setProtectedHeader({ alg: 'HS256' })
        .setExpirationTime('1m')
        .sign(new TextEncoder().encode(secret))
      const first = await verify(token)
      expect(await verify(token)).toBe(first) // cached
      vi.setSystemTime(Date.now() + 2 * 60_000)
      await expect(verify(token)).rejects.toThrow('expired')
    } finally {
      vi.useRealTimers()
    }
  })
})
