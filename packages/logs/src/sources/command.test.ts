import { readFileSync } from 'node:fs'
import { PassThrough } from 'node:stream'
import { afterEach, describe, expect, it } from 'vitest'
import { CollectingSink } from '../test-sink.js'
import { runCommand } from './command.js'
import type { Source } from './source.js'
import { readLines } from './stream.js'

const sources: Source[] = []

/** `gone`, or the state letter in /proc (R, S, Z, …). */
function processState(pid: number): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3)
  } catch {
    return 'gone'
  }
}
afterEach(async () => {
  await Promise.all(sources.splice(0).map((s) => s.close()))
})

function run(command: string, options = {}) {
  const out = new CollectingSink('out')
  const err = new CollectingSink('err')
  sources.push(runCommand(out, err, command, options))
  return { out, err }
}

const exited = (n: number) => (sink: CollectingSink) =>
  sink.statuses.filter((s) => s.state === 'exited').length >= n

describe('runCommand', () => {
  it('streams stdout and stderr, each line once and in order, then the exit status', async () => {
    const { out, err } = run(
      'for i in 1 2 3; do echo "out $i"; echo "err $i" >&2; done; printf "last"; exit 3',
    )
    await out.until(exited(1))
    expect(out.lines).toEqual(['out 1', 'out 2', 'out 3', 'last'])
    expect(err.lines).toEqual(['err 1', 'err 2', 'err 3'])
    expect(out.statuses[0]).toMatchObject({ state: 'started', pid: expect.any(Number) })
    expect(out.statuses.at(-1)).toEqual({ state: 'exited', code: 3, signal: null })
  })

  it('restart on-failure starts a failing command again with doubling delays', async () => {
    const { out } = run('echo run; exit 1', {
      restart: 'on-failure',
      initialDelayMs: 5,
      maxDelayMs: 20,
    })
    await out.until(exited(4))
    const delays = out.statuses.filter((s) => s.state === 'restarting').map((s) => s.delayMs)
    expect(delays.slice(0, 3)).toEqual([5, 10, 20])
    expect(out.lines.slice(0, 4)).toEqual(['run', 'run', 'run', 'run'])
  })

  it('restart on-failure leaves a command that succeeded alone; always restarts it', async () => {
    const once = run('echo done', { restart: 'on-failure', initialDelayMs: 1 })
    const again = run('echo done', { restart: 'always', initialDelayMs: 1 })
    await again.out.until(exited(3))
    await once.out.until(exited(1))
    expect(once.out.states()).toEqual(['started', 'exited'])
  })

  it('close() ends the command and the processes it started (its process group)', async () => {
    const { out } = run('sleep 300 & echo $!; wait')
    await out.until((s) => s.lines.length === 1)
    const grandchild = Number(out.lines[0])
    await sources.pop()?.close()
    expect(out.statuses.at(-1)).toMatchObject({ state: 'exited', signal: 'SIGTERM' })
    // Killed: gone, or a zombie until whoever adopted it reaps it (the signal may take a moment).
    for (let i = 0; i < 100 && !/^(gone|Z)$/.test(processState(grandchild)); i++) {
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    expect(processState(grandchild)).toMatch(/^(gone|Z)$/)
  })
})

describe('readLines', () => {
  it('streams the lines of a byte stream (stdin) and says when it ends', async () => {
    const sink = new CollectingSink('-')
    const input = new PassThrough()
    sources.push(readLines(sink, input))
    input.write('a\nb')
    input.end('\nc')
    await sink.until((s) => s.states().includes('ended'))
    expect(sink.lines).toEqual(['a', 'b', 'c'])
    expect(sink.states()).toEqual(['following', 'ended'])
  })
})
