import { defineConfig } from 'vitest/config'

// Two cores here: cap workers so servers, browsers and load tests don't starve each other.
export default defineConfig({
  resolve: { conditions: ['sprinkler-source'] },
  ssr: { resolve: { conditions: ['sprinkler-source'] } },
  test: {
    include: [
      'packages/*/src/**/*.test.ts',
      'packages/*/e2e/**/*.test.ts',
      'examples/**/*.test.ts',
      'docs/**/*.test.ts',
      'bench/**/*.test.ts',
    ],
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 30_000,
    restoreMocks: true,
  },
})
