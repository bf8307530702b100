import type { Stats } from 'node:fs'
import { type FSWatcher, watch } from 'node:fs'
import { type FileHandle, open, stat } from 'node:fs/promises'
import { basename, dirname } from 'node:path'
import type { SourceSink } from '../feed.js'
import { LineSplitter } from '../line-splitter.js'
import type { Source } from './source.js'

export interface FollowFileOptions {
  /** A file that exists at start is read from this many bytes before its end (whole lines only). Default 1 MiB. */
  tailBytes?: number
  /** Safety-net check interval, for changes the file-system watcher missed. Default 500 ms. */
  pollMs?: number
  /**
   * How long a file that left the path (rotated, deleted) is still read: its writer keeps
   * appending to it until it reopens the path. Its unfinished last line ends then. Default 5 000 ms.
   */
  rotationGraceMs?: number
}

/** Bytes read per read call. */
const CHUNK_BYTES = 256 * 1024
/** Bytes before the read offset compared on every check to see a file truncated and regrown. */
const SIGNATURE_BYTES = 64

/**
 * Follows the file at `path` like `tail -F`: reads what is appended, holds a partial last
 * line until it ends, and keeps following the path when the file is replaced (rename,
 * delete and recreate: a new inode), cut short (copytruncate, `> file`: a smaller size, or
 * the bytes just before the read offset changed), or not there yet.
 *
 * Changes are noticed through `fs.watch` on the file's directory (inotify on Linux: a write,
 * a rename or a new file at the path wakes it at once), plus a slow `stat` poll as a safety
 * net for file systems where watching says nothing (NFS, some containers). A library such as
 * chokidar would give the same events, but the work that matters (inode and size checks, read
 * offsets) would still be ours; two node calls do it with no dependency.
 */
export function followFile(
  sink: SourceSink,
  path: string,
  options: FollowFileOptions = {},
): Source {
  const follower = new FileFollower(sink, path, options)
  follower.start()
  return follower
}

/** One open file being read: where, and what was read last. */
class OpenFile {
  readonly handle: FileHandle
  readonly ino: number
  readonly dev: number
  readonly lines: LineSplitter
  offset: number
  /** The last bytes before `offset`, as read. */
  signature = Buffer.alloc(0)

  constructor(handle: FileHandle, stats: Stats, offset: number, lines: LineSplitter) {
    this.handle = handle
    this.ino = stats.ino
    this.dev = stats.dev
    this.offset = offset
    this.lines = lines
  }

  isAt(stats: Stats): boolean {
    return stats.ino === this.ino && stats.dev === this.dev
  }

  /**
   * Reads from the offset to the end of the file into its lines. Every read starts at the
   * last bytes already read and checks they are unchanged, in the same call: a file cut
   * short and regrown, even while a read was in flight, is never read from the middle.
   * Returns false when they changed (the file was truncated): nothing was taken from it then.
   */
  async read(buffer: Buffer, stop: () => boolean): Promise<boolean> {
    for (;;) {
      const overlap = this.signature.length
      const { bytesRead } = await this.handle.read(buffer, 0, buffer.length, this.offset - overlap)
      if (bytesRead < overlap || !buffer.subarray(0, overlap).equals(this.signature)) return false
      if (bytesRead === overlap || stop()) return true
      const chunk = buffer.subarray(overlap, bytesRead)
      this.offset += chunk.length
      this.#remember(chunk)
      this.lines.push(chunk)
    }
  }

  restart(): void {
    this.lines.end()
    this.offset = 0
    this.signature = Buffer.alloc(0)
  }

  async close(): Promise<void> {
    this.lines.end()
    await this.handle.close()
  }

  #remember(chunk: Buffer): void {
    if (chunk.length >= SIGNATURE_BYTES) {
      this.signature = Buffer.from(chunk.subarray(chunk.length - SIGNATURE_BYTES))
    } else {
      const joined = Buffer.concat([this.signature, chunk])
      this.signature = joined.subarray(Math.max(0, joined.length - SIGNATURE_BYTES))
    }
  }
}

class FileFollower implements Source {
  readonly #sink: SourceSink
  readonly #path: string
  readonly #tailBytes: number
  readonly #pollMs: number
  readonly #graceMs: number
  readonly #buffer = Buffer.allocUnsafe(CHUNK_BYTES)
  #current: OpenFile | undefined
  /** The file that left the path, still read for a while: writers hold it until they reopen. */
  #previous: { file: OpenFile; until: number } | undefined
  #watcher: FSWatcher | undefined
  #poll: NodeJS.Timeout | undefined
  #running: Promise<void> | undefined
  #again = false
  #closed = false
  /** The first check reads an existing file from near its end; later ones from its start. */
  #first = true
  #waiting = false

  constructor(sink: SourceSink, path: string, options: FollowFileOptions) {
    this.#sink = sink
    this.#path = path
    this.#tailBytes = options.tailBytes ?? 1024 * 1024
    this.#pollMs = options.pollMs ?? 500
    this.#graceMs = options.rotationGraceMs ?? 5000
  }

  start(): void {
    this.#watch()
    this.#poll = setInterval(() => {
      if (!this.#watcher) this.#watch()
      this.#wake()
    }, this.#pollMs)
    this.#wake()
  }

  async close(): Promise<void> {
    this.#closed = true
    clearInterval(this.#poll)
    this.#watcher?.close()
    await this.#running
    await this.#current?.close()
    await this.#previous?.file.close()
    this.#current = undefined
    this.#previous = undefined
  }

  #watch(): void {
    const name = basename(this.#path)
    try {
      this.#watcher = watch(dirname(this.#path), { persistent: false }, (_event, changed) => {
        if (changed === null || changed === name) this.#wake()
      })
      this.#watcher.on('error', () => {
        // The directory went away: the poll tries again.
        this.#watcher?.close()
        this.#watcher = undefined
      })
    } catch {
      this.#watcher = undefined
    }
  }

  /** Checks the file now, or right after the check in progress (never two at once). */
  #wake(): void {
    if (this.#closed) return
    if (this.#running) {
      this.#again = true
      return
    }
    this.#running = this.#checkUntilQuiet().finally(() => {
      this.#running = undefined
    })
  }

  async #checkUntilQuiet(): Promise<void> {
    do {
      this.#again = false
      try {
        await this.#readPrevious()
        await this.#check()
      } catch (error) {
        // Unreadable (permissions, a directory, an I/O error): say so and keep trying.
        const current = this.#current
        this.#current = undefined
        await current?.close()
        this.#waitingFor((error as NodeJS.ErrnoException).code)
      }
    } while (this.#again && !this.#closed)
  }

  async #check(): Promise<void> {
    const now = await stat(this.#path).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return undefined
      throw error
    })
    if (this.#closed) return
    const current = this.#current
    if (current) {
      if (!now || !current.isAt(now)) {
        // Replaced or gone: what was written to the old file so far still counts, and so
        // does what its writer adds before it reopens the path.
        if (!(await current.read(this.#buffer, () => this.#closed))) current.restart()
        await this.#retire(current)
        this.#current = undefined
        this.#sink.status({ state: now ? 'rotated' : 'missing' })
        if (!now) {
          this.#waiting = true
          return
        }
      } else if (now.size < current.offset) {
        this.#truncated(current)
      }
    }
    if (!this.#current) {
      if (!now) return this.#waitingFor('ENOENT')
      await this.#attach(this.#first ? now.size : 0)
    }
    this.#first = false
    const reading = this.#current as OpenFile
    if (!(await reading.read(this.#buffer, () => this.#closed))) {
      this.#truncated(reading)
      await reading.read(this.#buffer, () => this.#closed)
    }
  }

  #truncated(file: OpenFile): void {
    file.restart()
    this.#sink.status({ state: 'truncated' })
  }

  async #retire(file: OpenFile): Promise<void> {
    await this.#previous?.file.close()
    this.#previous = { file, until: performance.now() + this.#graceMs }
  }

  async #readPrevious(): Promise<void> {
    const previous = this.#previous
    if (!previous) return
    const unchanged = await previous.file.read(this.#buffer, () => this.#closed)
    if (unchanged && performance.now() < previous.until) return
    this.#previous = undefined
    await previous.file.close()
  }

  #waitingFor(reason: string | undefined): void {
    this.#first = false
    if (this.#waiting) return
    this.#waiting = true
    this.#sink.status({ state: 'waiting', ...(reason && { reason }) })
  }

  /** Opens the file at the path, to be read from `size − tailBytes` on a line start. */
  async #attach(size: number): Promise<void> {
    const handle = await open(this.#path, 'r')
    try {
      const stats = await handle.stat()
      const offset = await lineStartAfter(handle, Math.max(0, size - this.#tailBytes))
      const lines = new LineSplitter(this.#sink.maxLineBytes, this.#sink.line)
      this.#current = new OpenFile(handle, stats, offset, lines)
    } catch (error) {
      await handle.close()
      throw error
    }
    this.#waiting = false
    this.#sink.status({ state: 'following' })
  }
}

/** The first offset ≥ `at` that starts a line (`at` itself when the byte before it is a newline). */
async function lineStartAfter(file: FileHandle, at: number): Promise<number> {
  if (at === 0) return 0
  const buffer = Buffer.alloc(CHUNK_BYTES)
  let offset = at - 1
  for (;;) {
    const { bytesRead } = await file.read(buffer, 0, CHUNK_BYTES, offset)
    if (bytesRead === 0) return offset
    const newline = buffer.subarray(0, bytesRead).indexOf(0x0a)
    if (newline !== -1) return offset + newline + 1
    offset += bytesRead
  }
}
