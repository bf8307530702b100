// The rules of the shared browser helper: which engines run, and a missing one fails CI loudly
// but is skipped elsewhere.
import { describe, expect, it } from 'vitest'
import { browserTestMode, selectEngines } from '../../../test-support/browser.js'

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

describe('selectEngines (BROWSERS)', () => {
  const all = () => true
  const only =
    (...names: string[]) =>
    (name: string) =>
      names.includes(name)

  it('runs all three engines by default', () => {
    expect(selectEngines({}, all)).toEqual({ run: ['chromium', 'firefox', 'webkit'], skipped: [] })
    expect(selectEngines({ CI: 'true' }, all).run).toEqual(['chromium', 'firefox', 'webkit'])
  })

  it('runs the engines BROWSERS names, comma- or space-separated', () => {
    expect(selectEngines({ BROWSERS: 'webkit, chromium' }, all).run).toEqual(['webkit', 'chromium'])
    expect(selectEngines({ BROWSERS: 'firefox webkit' }, all).run).toEqual(['firefox', 'webkit'])
  })

  it('outside CI skips an engine that is not installed, saying what to install', () => {
    expect(selectEngines({}, only('chromium'))).toEqual({
      run: ['chromium'],
      skipped: [
        { name: 'firefox', reason: expect.stringContaining('apt-get install firefox-esr') },
        {
          name: 'webkit',
          reason: expect.stringContaining('apt-get install webkit2gtk-driver xvfb'),
        },
      ],
    })
  })

  it('under CI fails when an engine is not installed, instead of skipping it', () => {
    expect(selectEngines({ CI: 'true' }, only('chromium', 'firefox'))).toMatchObject({
      run: [],
      fail: expect.stringContaining('webkit is not installed'),
    })
    expect(
      selectEngines({ CI: 'true', BROWSERS: 'chromium' }, only('chromium')).fail,
    ).toBeUndefined()
  })

  it('fails on an engine name it does not know, even outside CI', () => {
    expect(selectEngines({ BROWSERS: 'chromium,safari' }, all).fail).toBe(
      'BROWSERS names unknown engines: safari',
    )
  })
})
