import { createHash } from 'node:crypto'

/** A Lua script run with EVALSHA (its body is sent once per connection, on NOSCRIPT). */
export interface Script {
  readonly source: string
  readonly sha: string
}

function script(source: string): Script {
  return { source, sha: createHash('sha1').update(source).digest('hex') }
}

// Stream entry ids are `ms-seq`; Lua compares them as two numbers (ms < 2^53, exact in a double).
const COMPARE_IDS = `
local function parse(id)
  local dash = string.find(id, '-', 1, true)
  return tonumber(string.sub(id, 1, dash - 1)), tonumber(string.sub(id, dash + 1))
end
local function before(a, b)
  local am, as = parse(a)
  local bm, bs = parse(b)
  return am < bm or (am == bm and as < bs)
end
local function nowMs()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
`

/**
 * Appends an update and trims history, atomically.
 * KEYS: stream, index (hash update id → entry id), order (list of "entry update-id", oldest first).
 * ARGV: update id, update JSON, count bound, max age in ms (0: none).
 * Returns the new entry's id.
 *
 * `MAXLEN ~` and `MINID ~` trim whole stream nodes (cheap), so the stream may keep a few more
 * entries than the bounds; `HISTORY` applies the bounds exactly.
 */
export const PUBLISH = script(`${COMPARE_IDS}
local entry = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[3], '*', 'u', ARGV[2])
local maxAge = tonumber(ARGV[4])
if maxAge > 0 then
  redis.call('XTRIM', KEYS[1], 'MINID', '~', string.format('%.0f', nowMs() - maxAge))
end
redis.call('HSET', KEYS[2], ARGV[1], entry)
redis.call('RPUSH', KEYS[3], entry .. ' ' .. ARGV[1])
local first = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', 1)[1][1]
-- Forget the ids of trimmed entries; amortized one per publish.
while true do
  local head = redis.call('LINDEX', KEYS[3], 0)
  local space = string.find(head, ' ', 1, true)
  local id = string.sub(head, 1, space - 1)
  if not before(id, first) then break end
  redis.call('LPOP', KEYS[3])
  local updateId = string.sub(head, space + 1)
  -- A reused update id points at its newest entry; only forget it with that entry.
  if redis.call('HGET', KEYS[2], updateId) == id then redis.call('HDEL', KEYS[2], updateId) end
end
return entry
`)

/**
 * What history holds after a Last-Event-ID, with the count and age bounds applied exactly.
 * KEYS: stream, index. ARGV: last event id ('' for earliest), count bound, max age in ms (0: none).
 * Returns {found (0/1), newest entry id ('' when empty), update JSON…} oldest first: the updates
 * after the id when found, all retained ones when not.
 */
export const HISTORY = script(`${COMPARE_IDS}
local maxEvents = tonumber(ARGV[2])
local newest = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', maxEvents)
local ageFloor = nil
local maxAge = tonumber(ARGV[3])
if maxAge > 0 then ageFloor = string.format('%.0f', nowMs() - maxAge) .. '-0' end
-- Newest first, the entries inside the age bound too.
local kept = {}
for i = 1, #newest do
  if ageFloor ~= nil and before(newest[i][1], ageFloor) then break end
  kept[i] = newest[i]
end
local found = 0
local stop = #kept
if ARGV[1] == '' then
  found = 1
else
  local entry = redis.call('HGET', KEYS[2], ARGV[1])
  if entry then
    for i = 1, #kept do
      if kept[i][1] == entry then
        found = 1
        stop = i - 1
        break
      end
    end
  end
end
local out = {found, ''}
if #newest > 0 then out[2] = newest[1][1] end
for i = stop, 1, -1 do out[#out + 1] = kept[i][2][2] end
return out
`)
