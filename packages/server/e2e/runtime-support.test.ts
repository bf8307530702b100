// The rules of the runtime helper: a runtime that is missing fails CI loudly, is skipped
// elsewhere, and an installed one runs and reports its version.
import { describe, expect, it } from 'vitest'
import { RUNTIMES, runtimeTestMode, runtimeVersion } from '../../../test-support/runtimes.js'

describe('runtimeTestMode', () => {
  it('runs an installed runtime, with or without CI', () => {
    expect(runtimeTestMode('bun', { CI: 'true' }, () => true)).toEqual({ run: true })
    expect(runtimeTestMode('bun', {}, () => true)).toEqual({ run: true })
  })

  it('fails a missing runtime under CI and skips it elsewhere, saying how to get it', () => {
    const reason = 'deno is not installed (npm ci installs it from the registry)'
    expect(runtimeTestMode('deno', { CI: 'true' }, () => false)).toEqual({
      run: false,
      fail: true,
      reason,
    })
    expect(runtimeTestMode('deno', {}, () => false)).toEqual({ run: false, fail: false, reason })
  })

  it('finds every runtime that npm ci installed and reads its version', () => {
    for (const name of RUNTIMES) {
      if (!runtimeTestMode(name).run) continue
      expect(runtimeVersion(name)).toMatch(new RegExp(`^${name} \\d[\\w.-]*$`))
    }
  })
})
