// The rule of the shared browser helper: a missing Chromium fails CI loudly, skips elsewhere.
import { describe, expect, it } from 'vitest'
import { browserTestMode } from '../../../test-support/browser.js'

describe('browserTestMode', () => {
  it('runs when Chromium is installed', () => {
    expect(browserTestMode(true, { CI: 'true' })).toEqual({ run: true })
    expect(browserTestMode(true, {})).toEqual({ run: true })
  })

  it('fails under CI when Chromium is missing, and says why', () => {
    expect(browserTestMode(false, { CI: 'true' })).toMatchObject({
      run: false,
      fail: true,
      reason: expect.stringContaining('/usr/bin/chromium'),
    })
  })

  it('skips outside CI when Chromium is missing, and says why', () => {
    expect(browserTestMode(false, {})).toMatchObject({
      run: false,
      fail: false,
      reason: expect.stringContaining('apt-get install chromium'),
    })
  })
})
