// The root entry is the node one (routes for node:http, Prometheus metrics) plus the fetch
// handler, as before the runtime subpaths existed. Web runtimes import `@sprinkler/hub/web`.
export * from './node/index.js'
export { createHubFetchHandler, type HubFetchOptions } from './web/index.js'
