import { generateKeyPairSync } from 'node:crypto'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createVerifier } from '@sprinkler/hub'
import { describe, expect, it } from 'vitest'
import { runSprinkler } from '../../test/sprinkler.js'

const SECRET = 'token-test-secret-long-enough-for-hs256!'

describe('sprinkler token', () => {
  it('mints a JWT the hub accepts, with the selectors, subject, payload and lifetime asked for', async () => {
    const { code, stdout } = await runSprinkler([
      'token',
      '--jwt-key',
      SECRET,
      '--publish',
      '/demo/{+any}',
      '--subscribe',
      '/users/alice/notifications',
      '--subscribe',
      '/users/alice/inbox',
      '--subject',
      'alice',
      '--payload',
      '{"name":"Alice"}',
      '--lifetime',
      '30m',
    ])
    expect(code).toBe(0)
    const verified = await (await createVerifier({ key: SECRET }))(stdout.trim())
    expect(verified.mercure).toEqual({
      publish: ['/demo/{+any}'],
      subscribe: ['/users/alice/notifications', '/users/alice/inbox'],
      payload: { name: 'Alice' },
    })
    expect(verified.payload.sub).toBe('alice')
    const lifetime = (verified.exp as number) - (verified.payload.iat as number)
    expect(lifetime).toBe(1800)
  })

  it('reads its flags from SPRINKLER_* variables; --lifetime 0 means no exp', async () => {
    const { code, stdout } = await runSprinkler(['token', '--lifetime', '0'], {
      env: { SPRINKLER_JWT_KEY: SECRET, SPRINKLER_TOKEN_PUBLISH: 'a,b' },
    })
    expect(code).toBe(0)
    const verified = await (await createVerifier({ key: SECRET }))(stdout.trim())
    expect(verified.mercure.publish).toEqual(['a', 'b'])
    expect(verified.exp).toBeUndefined()
  })

  it('signs with an RS256 private key from a PEM file', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
    const dir = mkdtempSync(join(tmpdir(), 'sprinkler-token-'))
    const keyFile = join(dir, 'private.pem')
    writeFileSync(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }))
    const { code, stdout } = await runSprinkler([
      'token',
      '--jwt-key',
      keyFile,
      '--jwt-algorithm',
      'RS256',
      '--subscribe',
      '*',
    ])
    expect(code).toBe(0)
    const pem = publicKey.export({ type: 'spki', format: 'pem' }) as string
    const verified = await (await createVerifier({ key: pem, algorithm: 'RS256' }))(stdout.trim())
    expect(verified.mercure.subscribe).toEqual(['*'])
  })

  it('bad flags: a clear message and exit code 2 (bad usage)', async () => {
    const cases: [string[], string][] = [
      [['token', '--publish', '*'], 'give the signing key with --jwt-key'],
      [['token', '--jwt-key', SECRET], 'give at least one --publish or --subscribe'],
      [
        ['token', '--jwt-key', SECRET, '--publish', '*', '--lifetime', 'soon'],
        'expected a duration',
      ],
      [['token', '--jwt-key', SECRET, '--publish', '*', '--payload', '{'], 'expected JSON'],
      [
        ['token', '--jwt-key', 'not a pem', '--jwt-algorithm', 'ES256', '--publish', '*'],
        'cannot sign',
      ],
    ]
    for (const [args, message] of cases) {
      const { code, stderr } = await runSprinkler(args, { env: { SPRINKLER_JWT_KEY: '' } })
      expect(code, args.join(' ')).toBe(2)
      expect(stderr, args.join(' ')).toContain(message)
    }
  })
})
