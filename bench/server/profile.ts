/**
 * Summaries of what the Sprinkler server process spends: self and inclusive time per function
 * from a V8 CPU profile, and a per-connection breakdown of the heap from two heap snapshots
 * (before and after opening connections), grouped the way DevTools' "Summary" view groups them.
 */
import { readFileSync } from 'node:fs'

interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  children?: number[]
}

interface CpuProfile {
  nodes: ProfileNode[]
  samples: number[]
  timeDeltas: number[]
  startTime: number
  endTime: number
}

export interface FunctionTime {
  name: string
  selfMs: number
  totalMs: number
}

function shortUrl(url: string): string {
  if (!url) return ''
  const src = url.indexOf('/packages/')
  if (src >= 0) return url.slice(src + 1)
  const nm = url.lastIndexOf('/node_modules/')
  if (nm >= 0) return url.slice(nm + '/node_modules/'.length)
  return url.replace(/^file:\/\/.*\/bench\//, 'bench/')
}

function keyOf(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame
  const where = shortUrl(url)
  return where
    ? `${functionName || '(anonymous)'} ${where}:${lineNumber + 1}`
    : functionName || '(anonymous)'
}

/** Self and inclusive time per function, heaviest self time first; plus the busy time profiled. */
export function summarizeCpuProfile(path: string): { totalMs: number; functions: FunctionTime[] } {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile
  const byId = new Map(profile.nodes.map((node) => [node.id, node]))
  const parent = new Map<number, number>()
  for (const node of profile.nodes)
    for (const child of node.children ?? []) parent.set(child, node.id)
  const selfUs = new Map<number, number>()
  profile.samples.forEach((id, i) => {
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0))
  })
  const self = new Map<string, number>()
  const total = new Map<string, number>()
  for (const [id, us] of selfUs) {
    const node = byId.get(id)
    if (!node) continue
    self.set(keyOf(node), (self.get(keyOf(node)) ?? 0) + us)
    // Inclusive: every distinct function on the stack gets the sample once.
    const seen = new Set<string>()
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const n = byId.get(at)
      if (!n) break
      const key = keyOf(n)
      if (seen.has(key)) continue
      seen.add(key)
      total.set(key, (total.get(key) ?? 0) + us)
    }
  }
  // Not the server's work: the profiler serialising its own profile on stop, and idle time.
  for (const skip of ['dispatch', '(idle)']) {
    total.delete(skip)
    self.delete(skip)
  }
  const functions = [...total.keys()].map((name) => ({
    name,
    selfMs: (self.get(name) ?? 0) / 1000,
    totalMs: (total.get(name) ?? 0) / 1000,
  }))
  functions.sort((a, b) => b.selfMs - a.selfMs)
  const busyMs = functions.reduce((a, f) => a + f.selfMs, 0)
  return { totalMs: busyMs, functions }
}

interface HeapSnapshot {
  snapshot: {
    meta: { node_fields: string[]; node_types: [string[], ...unknown[]] }
    node_count: number
  }
  nodes: number[]
  strings: string[]
}

export type HeapGroups = Map<string, { count: number; bytes: number }>

/** Heap objects grouped by constructor (objects) or kind (strings, closures, arrays, …). */
export function heapGroups(path: string): HeapGroups {
  const snapshot = JSON.parse(readFileSync(path, 'utf8')) as HeapSnapshot
  const fields = snapshot.snapshot.meta.node_fields
  const types = snapshot.snapshot.meta.node_types[0]
  const width = fields.length
  const typeAt = fields.indexOf('type')
  const nameAt = fields.indexOf('name')
  const sizeAt = fields.indexOf('self_size')
  const groups: HeapGroups = new Map()
  const { nodes, strings } = snapshot
  for (let i = 0; i < nodes.length; i += width) {
    const type = types[nodes[i + typeAt] as number] ?? '?'
    const name = strings[nodes[i + nameAt] as number] ?? '?'
    let key: string
    switch (type) {
      case 'object':
        key = name
        break
      case 'native':
        key = `native ${name}`
        break
      case 'closure':
        key = `closure ${name || '(anonymous)'}`
        break
      case 'array':
        key = `(array ${name})`
        break
      case 'hidden':
        key = `(system ${name.replace(/\d+/g, 'N')})`
        break
      case 'string':
      case 'concatenated string':
      case 'sliced string':
        key = '(strings)'
        break
      case 'code':
        key = '(compiled code)'
        break
      default:
        key = `(${type})`
    }
    const group = groups.get(key) ?? { count: 0, bytes: 0 }
    group.count++
    group.bytes += nodes[i + sizeAt] as number
    groups.set(key, group)
  }
  return groups
}

export interface PerConnection {
  name: string
  bytesPerConnection: number
  countPerConnection: number
}

/** What `connections` added to the heap, per connection, largest first. */
export function heapDiff(
  before: HeapGroups,
  after: HeapGroups,
  connections: number,
): PerConnection[] {
  const rows: PerConnection[] = []
  for (const [name, group] of after) {
    const base = before.get(name) ?? { count: 0, bytes: 0 }
    rows.push({
      name,
      bytesPerConnection: (group.bytes - base.bytes) / connections,
      countPerConnection: (group.count - base.count) / connections,
    })
  }
  return rows.sort((a, b) => b.bytesPerConnection - a.bytesPerConnection)
}
