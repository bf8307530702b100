/**
 * What the logs suite runs inside the pages, as script text (tsx keeps function names with
 * helpers the browser lacks, so no function is serialised). Every line the writer makes
 * carries `STAMP SEQ ` (13-digit ms, 9-digit sequence); a probe records, per line seen, its lag
 * (now − stamp, in a 1-ms histogram) and the highest sequence seen, on `self.__bench`. Nothing
 * here is part of the pages: the suite adds it through the DevTools protocol.
 */

/** The recorder, in any global scope (page or worker). */
const RECORDER = `
if (!self.__bench) {
  const BUCKETS = 120001
  const hist = new Uint32Array(BUCKETS)
  const state = { count: 0, skipped: 0, lastSeq: 0, lastSeqAt: 0, lastAt: 0, maxTask: 0, over200: 0, longTasks: 0 }
  const pattern = /(\\d{13}) (\\d{9}) /
  self.__bench = {
    state,
    record(text, now, onlyNewer) {
      let stamp, seq
      if (text.charCodeAt(13) === 32) {
        // A line as written (the worker's case): no regular expression, to stay cheap.
        stamp = Number(text.slice(0, 13))
        seq = Number(text.slice(14, 23))
      } else {
        const m = pattern.exec(text)
        if (!m) return
        stamp = Number(m[1])
        seq = Number(m[2])
      }
      if (!(seq > 0) || (onlyNewer && seq <= state.lastSeq)) return
      hist[Math.min(BUCKETS - 1, Math.max(0, now - stamp))]++
      state.count++
      state.lastAt = now
      if (seq > state.lastSeq) { state.lastSeq = seq; state.lastSeqAt = now }
    },
    reset() {
      hist.fill(0)
      for (const key of Object.keys(state)) state[key] = 0
    },
    /** Lag percentiles over \`total\` lines written (a line never seen counts as slower than all), or over those seen. */
    report(total = state.count) {
      const at = (p) => {
        const rank = Math.ceil(p * total)
        if (rank > state.count) return null
        let seen = 0
        for (let ms = 0; ms < BUCKETS; ms++) { seen += hist[ms]; if (seen >= rank) return ms }
        return null
      }
      let max = 0
      for (let ms = BUCKETS - 1; ms >= 0; ms--) if (hist[ms]) { max = ms; break }
      return { ...state, p50: at(0.5), p99: at(0.99), max }
    },
  }
}
`

/** Page: the recorder plus every main-thread task over 50 ms (the Long Tasks API). */
export const PAGE_PROBE = `${RECORDER}
new PerformanceObserver((list) => {
  const state = self.__bench.state
  for (const entry of list.getEntries()) {
    state.longTasks++
    state.maxTask = Math.max(state.maxTask, entry.duration)
    if (entry.duration > 200) state.over200++
  }
}).observe({ type: 'longtask', buffered: true })
`

/**
 * Page: records what reaches the DOM under \`selector\`. \`everyNode\`: each added child is a line
 * (a page that appends lines); otherwise only the newest child is read, once per change (a
 * virtualised view renders the lines on screen, not every line).
 */
export const observeDom = (selector: string, everyNode: boolean) => `
(() => {
  const box = document.querySelector(${JSON.stringify(selector)})
  if (!box) throw new Error('no ' + ${JSON.stringify(selector)})
  const bench = self.__bench
  new MutationObserver((records) => {
    const now = Date.now()
    if (${everyNode}) {
      for (const record of records) for (const node of record.addedNodes) bench.record(node.textContent || '', now)
    } else {
      const last = box.lastElementChild
      if (last) bench.record(last.textContent || '', now, true)
    }
  }).observe(box, { childList: true })
})()
`

/**
 * Worker: the recorder, and a wrapper around \`JSON.parse\` that records every line of each
 * \`lines\` event as the worker decodes it (and counts the lines \`gap\` events say were skipped).
 */
export const WORKER_PROBE = `${RECORDER}
(() => {
  const parse = JSON.parse
  const bench = self.__bench
  JSON.parse = function (text, reviver) {
    const value = parse(text, reviver)
    if (value && Array.isArray(value.lines)) {
      const now = Date.now()
      for (const line of value.lines) bench.record(line, now)
    } else if (value && typeof value.to === 'number' && typeof value.from === 'number') {
      bench.state.skipped += value.to - value.from + 1
    }
    return value
  }
})()
`
