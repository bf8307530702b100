import { encodeEventBytes } from '@sprinkler/core'
import type { SseStream } from '@sprinkler/server'
import { formatCursor, parseCursor } from './cursor.js'
import { LineRing } from './ring.js'

/**
 * One thing being followed: a file, one output of a command, stdin, or lines an application
 * writes itself (`app`: `sprinkler serve`'s request log).
 */
export interface SourceInfo {
  /** Short id used in events and cursors (the source's index, base 36). */
  id: string
  /** What the command line named: a path, a command, `-` (or the app's name for its lines). */
  name: string
  kind: 'file' | 'command' | 'stdin' | 'app'
  /** For commands: which output this source carries (a command has one source for each). */
  stream?: 'stdout' | 'stderr'
}

/** What happened to a source, as sent in `status` events and in the `sources` list. */
export interface SourceStatus {
  state:
    | 'waiting' // a file that does not exist (yet)
    | 'following' // a file being read
    | 'rotated' // a file replaced by a new one at its path (rename, delete and recreate)
    | 'truncated' // a file that got shorter (copytruncate, `> file`)
    | 'missing' // a followed file left its path
    | 'started' // a command's process started
    | 'exited' // a command's process ended
    | 'restarting' // a command will be started again after `delayMs`
    | 'ended' // stdin (or another stream) closed
  pid?: number
  code?: number | null
  signal?: string | null
  delayMs?: number
  /** Why a file cannot be read (an error code such as `ENOENT`, `EACCES`). */
  reason?: string
}

/** Where a source puts what it reads. */
export interface SourceSink {
  readonly info: SourceInfo
  /** Longest line kept whole; sources cut longer ones (see `LineSplitter`). */
  readonly maxLineBytes: number
  line(text: string, bytes: number): void
  status(status: SourceStatus): void
}

export interface LogFeedOptions {
  /** Lines kept per source for clients that connect or resume. Default 10 000. */
  lines?: number
  /** Bytes kept per source (UTF-8 text). Default 16 MiB. */
  ringBytes?: number
  /** Longest line kept whole (longer lines are cut with a marker). Default 1 MiB. */
  maxLineBytes?: number
  /** Lines are sent at most every `batchMs` (a quiet source's next line leaves at once). Default 50. */
  batchMs?: number
  /** A `lines` event holds at most this many bytes of lines (and at least one line). Default 64 KiB. */
  maxEventBytes?: number
  /**
   * A client being caught up whose socket takes no byte for this long is disconnected (it
   * resumes from its cursor when it reads again). Default 30 000 ms.
   */
  stallTimeoutMs?: number
}

interface Source {
  sink: SourceSink
  ring: LineRing
  /** Last sequence written to live clients. */
  published: number
  /** Bytes pushed since the last flush. */
  pendingBytes: number
  status: SourceStatus | undefined
}

/** A client: catching up from its cursor (`seqs`), or live (`seqs` undefined). */
interface Follower {
  stream: SseStream
  seqs: number[] | undefined
  /** Next source to replay from, so catching up takes turns between sources. */
  turn: number
  timer: NodeJS.Timeout | undefined
  /** While its socket is full: the wait before the next look, and since when nothing left. */
  waitMs: number
  stalledSince: number
  stalledBytes: number
}

/** Catching-up clients are written to until this many bytes wait for their socket. */
const CATCH_UP_HIGH_WATER = 256 * 1024
/**
 * How long a catching-up client whose socket is full waits before the next look: 10 ms at
 * first, doubling while the socket takes nothing, up to 1 s (a client that stopped reading
 * costs a look a second, not a hundred).
 */
const CATCH_UP_RETRY_MS = 10
const CATCH_UP_RETRY_MAX_MS = 1000

/**
 * Numbers the lines of every source, keeps the last of them in a ring per source, and streams
 * them to clients as Server-Sent Events:
 *
 * - `sources`: JSON list of {@link SourceInfo} (plus each one's last `status`), first;
 * - `lines`: JSON `{ source, from, time, lines }`, the lines numbered `from`, `from + 1`, …,
 *   read by the server in the second of `time` (ms since the epoch);
 * - `gap`: JSON `{ source, from, to }`, lines that left the ring before this client got them;
 * - `status`: JSON `{ source, …SourceStatus }`.
 *
 * Each `lines` and `gap` event's id is a cursor over every source (see `formatCursor`), so a
 * client that reconnects with Last-Event-ID resumes every source exactly where it was. Live
 * events are encoded once and the same bytes written to every client that is caught up; a
 * client behind (new, resuming, or slow to read) is fed from the rings at the pace its socket
 * takes, then joins the live ones.
 */
export class LogFeed {
  /** Names this process's numbering: cursors from another run are not resumed. */
  readonly epoch = Date.now().toString(36) + Math.random().toString(36).slice(2, 6)
  readonly #options: Required<LogFeedOptions>
  readonly #sources: Source[] = []
  readonly #live = new Set<Follower>()
  readonly #followers = new Set<Follower>()
  #flushTimer: NodeJS.Timeout | undefined
  #flushImmediate: NodeJS.Immediate | undefined
  #lastFlush = 0
  #closed = false

  constructor(options: LogFeedOptions = {}) {
    this.#options = {
      lines: options.lines ?? 10_000,
      ringBytes: options.ringBytes ?? 16 * 1024 * 1024,
      maxLineBytes: options.maxLineBytes ?? 1024 * 1024,
      batchMs: options.batchMs ?? 50,
      maxEventBytes: options.maxEventBytes ?? 64 * 1024,
      stallTimeoutMs: options.stallTimeoutMs ?? 30_000,
    }
  }

  get sources(): SourceInfo[] {
    return this.#sources.map((s) => s.sink.info)
  }

  /** Clients connected (catching up or live). */
  get followers(): number {
    return this.#followers.size
  }

  /** Longest Last-Event-ID a client of this feed can legitimately send back. */
  get maxCursorLength(): number {
    return this.epoch.length + 1 + this.#sources.length * 21
  }

  /** Registers a source; what it reads goes to the returned sink. */
  addSource(info: Omit<SourceInfo, 'id'>): SourceSink {
    const source: Source = {
      sink: {
        info: { id: this.#sources.length.toString(36), ...info },
        maxLineBytes: this.#options.maxLineBytes,
        line: (text, bytes) => this.#line(source, text, bytes),
        status: (status) => this.#status(source, status),
      },
      ring: new LineRing({ maxLines: this.#options.lines, maxBytes: this.#options.ringBytes }),
      published: 0,
      pendingBytes: 0,
      status: undefined,
    }
    this.#sources.push(source)
    return source.sink
  }

  /**
   * Serves one client (an endpoint's `onStream`): the source list, then everything after its
   * Last-Event-ID (or every retained line, for a new client), then live lines.
   */
  serve(stream: SseStream): void {
    if (this.#closed) return void stream.close()
    const resumed =
      stream.lastEventId === undefined
        ? undefined
        : parseCursor(stream.lastEventId, this.epoch, this.#sources.length)
    const follower: Follower = {
      stream,
      // A new client starts at the oldest retained line, without a gap for older ones.
      seqs: resumed ?? this.#sources.map((s) => s.ring.firstSeq - 1),
      turn: 0,
      timer: undefined,
      waitMs: 0,
      stalledSince: 0,
      stalledBytes: 0,
    }
    this.#followers.add(follower)
    stream.onClose(() => {
      this.#followers.delete(follower)
      this.#live.delete(follower)
      clearTimeout(follower.timer)
    })
    const list = this.#sources.map((s) => ({ ...s.sink.info, status: s.status }))
    stream.write(encodeEventBytes({ event: 'sources', data: JSON.stringify(list) }))
    this.#catchUp(follower)
  }

  /** Stops timers and ends every client's stream. */
  close(): void {
    this.#closed = true
    clearTimeout(this.#flushTimer)
    if (this.#flushImmediate) clearImmediate(this.#flushImmediate)
    for (const follower of [...this.#followers]) follower.stream.close()
  }

  #line(source: Source, text: string, bytes: number): void {
    if (this.#closed) return
    source.ring.push(text, bytes)
    source.pendingBytes += bytes
    if (source.pendingBytes >= this.#options.maxEventBytes) this.#flushSoon()
    else this.#scheduleFlush()
  }

  #status(source: Source, status: SourceStatus): void {
    if (this.#closed) return
    source.status = status
    // Lines read before the change go first, so a client sees them in the order they happened.
    this.#flush()
    const bytes = encodeEventBytes({
      event: 'status',
      data: JSON.stringify({ source: source.sink.info.id, ...status }),
    })
    // No id: a status changes no cursor. Catching-up clients get it too.
    for (const follower of this.#followers) follower.stream.write(bytes)
  }

  #scheduleFlush(): void {
    if (this.#flushTimer || this.#flushImmediate) return
    const wait = this.#options.batchMs - (performance.now() - this.#lastFlush)
    if (wait <= 0) this.#flushSoon()
    else this.#flushTimer = setTimeout(() => this.#flush(), wait)
  }

  /** Flushes once this turn's reads are in (a full event's worth is waiting, or after a quiet spell). */
  #flushSoon(): void {
    if (this.#flushImmediate) return
    clearTimeout(this.#flushTimer)
    this.#flushTimer = undefined
    this.#flushImmediate = setImmediate(() => this.#flush())
  }

  /** Encodes every source's new lines once and writes the same bytes to every live client. */
  #flush(): void {
    clearTimeout(this.#flushTimer)
    if (this.#flushImmediate) clearImmediate(this.#flushImmediate)
    this.#flushTimer = undefined
    this.#flushImmediate = undefined
    this.#lastFlush = performance.now()
    const frames: Uint8Array[] = []
    let total = 0
    const seqs = this.#sources.map((s) => s.published)
    for (const [index, source] of this.#sources.entries()) {
      source.pendingBytes = 0
      while (source.published < source.ring.lastSeq) {
        const frame = this.#next(source, source.published, source.ring.lastSeq, (seq) => {
          source.published = seq
          seqs[index] = seq
          return formatCursor(this.epoch, seqs)
        })
        frames.push(frame)
        total += frame.byteLength
      }
    }
    if (total === 0) return
    const bytes = Buffer.concat(frames, total)
    for (const follower of this.#live) follower.stream.write(bytes)
  }

  /**
   * The event that follows sequence `after` of `source`, up to `until`: a `gap` if the next
   * lines left the ring, else a `lines` event of at most `maxEventBytes`. `advance` records
   * the new position and returns the cursor that becomes the event's id.
   */
  #next(
    source: Source,
    after: number,
    until: number,
    advance: (seq: number) => string,
  ): Uint8Array {
    const { ring, sink } = source
    const from = after + 1
    if (from < ring.firstSeq) {
      const to = ring.firstSeq - 1
      const id = advance(to)
      return encodeEventBytes({
        event: 'gap',
        id,
        data: JSON.stringify({ source: sink.info.id, from, to }),
      })
    }
    const lines = ring.read(from, until, this.#options.maxEventBytes)
    const time = ring.timeOf(from)
    const id = advance(after + lines.length)
    return encodeEventBytes({
      event: 'lines',
      id,
      data: JSON.stringify({ source: sink.info.id, from, time, lines }),
    })
  }

  /**
   * Feeds a client from the rings, a turn per source, while its socket keeps up; once it
   * has everything published it joins the live clients (in the same turn: no flush between).
   */
  #catchUp(follower: Follower): void {
    follower.timer = undefined
    const { stream } = follower
    const seqs = follower.seqs as number[]
    const count = this.#sources.length
    while (!stream.closed) {
      if (stream.bufferedBytes > CATCH_UP_HIGH_WATER) {
        // Let the socket take what was written, then go on.
        this.#waitForSocket(follower)
        return
      }
      follower.waitMs = 0
      let index = -1
      for (let k = 0; k < count; k++) {
        const candidate = (follower.turn + k) % count
        if ((seqs[candidate] as number) < (this.#sources[candidate] as Source).published) {
          index = candidate
          break
        }
      }
      if (index === -1) {
        follower.seqs = undefined
        this.#live.add(follower)
        return
      }
      follower.turn = index + 1
      const source = this.#sources[index] as Source
      // Up to what live clients have: the next flush carries the rest to everyone at once.
      stream.write(
        this.#next(source, seqs[index] as number, source.published, (seq) => {
          seqs[index] = seq
          return formatCursor(this.epoch, seqs)
        }),
      )
    }
  }

  /**
   * Looks again later at a catching-up client whose socket is full, less often while it takes
   * nothing; one that took nothing for `stallTimeoutMs` is dropped (its cursor resumes it).
   */
  #waitForSocket(follower: Follower): void {
    const { stream } = follower
    const now = performance.now()
    const buffered = stream.bufferedBytes
    if (follower.waitMs === 0 || buffered < follower.stalledBytes) {
      follower.waitMs = CATCH_UP_RETRY_MS
      follower.stalledSince = now
    } else if (now - follower.stalledSince >= this.#options.stallTimeoutMs) {
      stream.destroy()
      return
    } else follower.waitMs = Math.min(follower.waitMs * 2, CATCH_UP_RETRY_MAX_MS)
    follower.stalledBytes = buffered
    follower.timer = setTimeout(() => this.#catchUp(follower), follower.waitMs)
  }
}
