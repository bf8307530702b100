/** Something that can be kept alive by a comment line when it has been idle. */
export interface Heartbeating {
  heartbeat(): void
}

// One timer per interval for all streams, not one per stream: 10,000 streams cost one timer.
const groups = new Map<
  number,
  { members: Set<Heartbeating>; timer: ReturnType<typeof setInterval> }
>()

/** Beats `member` every `intervalMs` until {@link leaveHeartbeat}. */
export function joinHeartbeat(intervalMs: number, member: Heartbeating): void {
  const group = groups.get(intervalMs)
  if (group) {
    group.members.add(member)
    return
  }
  const members = new Set<Heartbeating>([member])
  const timer = setInterval(() => {
    for (const m of members) m.heartbeat()
  }, intervalMs)
  groups.set(intervalMs, { members, timer })
}

/** Stops beating `member`. The shared timer exists only while it has members. */
export function leaveHeartbeat(intervalMs: number, member: Heartbeating): void {
  const group = groups.get(intervalMs)
  if (!group?.members.delete(member) || group.members.size > 0) return
  clearInterval(group.timer)
  groups.delete(intervalMs)
}

/** How many heartbeat timers are running (for leak tests and diagnostics). */
export function activeHeartbeatTimers(): number {
  return groups.size
}
