import { describe, expect, it } from 'vitest'
// @ts-expect-error: a plain .mjs script, typed here by use
import { measure } from '../scripts/size.mjs'

describe('bundle size', () => {
  it('the main entry (EventSource + @sprinkler/core, no shared-tabs module) is ≤ 4.6 KB min+gzip (option checks included)', async () => {
    const [main, shared] = (await measure()) as { name: string; gzipBytes: number }[]
    expect(main?.gzipBytes).toBeLessThanOrEqual(4710)
    // The shared-tabs module is a chunk of its own, loaded only with `shared: true`.
    expect(shared?.gzipBytes).toBeGreaterThan(0)
  })
})
