/** Something that can be kept alive by a comment line when it has been idle. */
export interface Heartbeating {
  heartbeat(): void
}

// One timer per interval for all streams, not one per stream: 10,000 streams cost one timer.
const groups = new Map<
  number,
  { members: Set<Heartbeating>; timer: ReturnType<typeof setInterval> }
>()

/**
 * Beats `member` every `intervalMs` until the returned function is called. The shared timer
 * exists only while it has members, so an idle server holds no timers.
 */
export function joinHeartbeat(intervalMs: number, member: Heartbeating): () => void {
  let group = groups.get(intervalMs)
  if (!group) {
    const members = new Set<Heartbeating>()
    const timer = setInterval(() => {
      for (const m of members) m.heartbeat()
    }, intervalMs)
    group = { members, timer }
    groups.set(intervalMs, group)
  }
  const { members } = group
  members.add(member)
  return () => {
    members.delete(member)
    const current = groups.get(intervalMs)
    if (current && current.members.size === 0) {
      clearInterval(current.timer)
      groups.delete(intervalMs)
    }
  }
}

/** How many heartbeat timers are running (for leak tests and diagnostics). */
export function activeHeartbeatTimers(): number {
  return groups.size
}
