export {
  type Channel,
  type ChannelFilter,
  type ChannelMessage,
  type ChannelOptions,
  type ChannelStats,
  createChannel,
  type GapInfo,
  type SubscribeOptions,
  type Subscription,
  type Target,
} from './channel.js'
export {
  type Admission,
  type CloseOptions,
  type EndpointStats,
  eventStreamHeaders,
  SseEndpoint,
  type SseEndpointOptions,
  type StreamHandler,
} from './endpoint.js'
export { activeHeartbeatTimers } from './heartbeat.js'
export { History, type HistoryEntry, type HistoryOptions, type Lookup } from './history.js'
export type { ServerEvent } from './message.js'
export { type DisconnectCode, SseStream, type SseTransport } from './stream.js'
export {
  type Authorize,
  type Principal,
  Refusal,
  refuse,
  type SseOptions,
  type SseRequest,
} from './types.js'
