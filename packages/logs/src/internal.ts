// What `sprinkler serve` shares with the log terminal. Not public API: the `./internal`
// subpath may change in any release.
export { type Asset, bundleScripts, sendAsset, textAsset } from './assets.js'
export {
  cookieValue,
  escapeHtml,
  hostName,
  hostOf,
  htmlStart,
  isLoopbackName,
  readBody,
  send,
  sendError,
} from './http.js'
