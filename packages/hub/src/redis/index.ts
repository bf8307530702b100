export { createRedisTransport, RedisTransport, type RedisTransportOptions } from './transport.js'
