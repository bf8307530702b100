/**
 * The hub's suites run against every transport: in memory, and on the shared Redis (each hub
 * under a key prefix of its own; a file's prefixes share a root deleted after its suite).
 * Without Redis the Redis variant fails under CI and is skipped with the reason elsewhere
 * (see `describeRedis`).
 */
import type { HistoryOptions } from '@sprinkler/server'
import { afterAll, describe } from 'vitest'
import type { HubOptions } from '../src/options.js'
import { createRedisTransport } from '../src/redis/index.js'
import type { HubTransport } from '../src/transport.js'
import { deleteKeys, describeRedis, SHARED_REDIS_URL, uniquePrefix } from './redis.js'

export interface TransportUnderTest {
  readonly name: 'memory' | 'redis'
  /** `sprinkler hub` flags choosing it (on Redis: a new key prefix each call). */
  flags(): string[]
  /** `options` with the transport set, `options.history` its bounds (default 1 000 updates). */
  hubOptions(options: HubOptions): Promise<HubOptions>
}

const memory: TransportUnderTest = {
  name: 'memory',
  flags: () => [],
  hubOptions: async (options) => options,
}

/** Only inside a describe block: its teardown deletes every key it handed out. */
function redis(): TransportUnderTest {
  const root = uniquePrefix()
  let hubs = 0
  const prefix = () => `${root}${++hubs}:`
  // Registered before the suite's own hooks, so it runs after them (hooks unwind as a stack):
  // its hubs have stopped writing.
  afterAll(() => deleteKeys(root))
  const create = (history: HistoryOptions): Promise<HubTransport> =>
    createRedisTransport({ url: SHARED_REDIS_URL, prefix: prefix(), history })
  return {
    name: 'redis',
    flags: () => ['--transport', SHARED_REDIS_URL, '--redis-prefix', prefix()],
    hubOptions: async (options) => ({
      ...options,
      transport: await create(options.history ?? { maxEvents: 1000 }),
    }),
  }
}

/** `describe(name, body)` once per transport: `name (memory)`, `name (Redis)`. */
export function describeTransports(
  name: string,
  body: (transport: TransportUnderTest) => void,
): void {
  describe(`${name} (memory)`, () => body(memory))
  describeRedis(`${name} (Redis)`, () => body(redis()))
}
