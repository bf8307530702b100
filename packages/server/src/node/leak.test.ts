import { createServer } from 'node:http'
import { leakSuite } from '../../test/leak.js'
import { createSseHandler } from './index.js'

leakSuite('node:http', 10_000, (options) => {
  const handler = createSseHandler(options)
  return { server: createServer((req, res) => void handler(req, res)), endpoint: handler.endpoint }
})
