export { redactUrl } from './connection.js'
export { createRedisTransport, RedisTransport, type RedisTransportOptions } from './transport.js'
