export { createLogApp, EVENTS_PATH, type LogApp, type LogAppOptions } from './app.js'
export { PasswordGate, type PasswordGateOptions } from './auth.js'
export { formatCursor, parseCursor } from './cursor.js'
export {
  LogFeed,
  type LogFeedOptions,
  type SourceInfo,
  type SourceSink,
  type SourceStatus,
} from './feed.js'
export { cutMarker, LineSplitter } from './line-splitter.js'
export { LineRing, type RingLimits } from './ring.js'
export { type RestartPolicy, type RunCommandOptions, runCommand } from './sources/command.js'
export { type FollowFileOptions, followFile } from './sources/file.js'
export type { Source } from './sources/source.js'
export { readLines } from './sources/stream.js'
