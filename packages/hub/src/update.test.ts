import { describe, expect, it } from 'vitest'
import { discoveryLink } from './discovery.js'
import { frameOf, parsePublishForm } from './update.js'

const limits = { maxTopics: 5, maxIdLength: 16 }
const form = (fields: [string, string][]) => new URLSearchParams(fields).toString()

describe('publish form (spec: Publication)', () => {
  it('takes the first topic as canonical and keeps the alternates in order', () => {
    const update = parsePublishForm(
      form([
        ['topic', 'a'],
        ['topic', 'b'],
        ['data', 'x'],
      ]),
      limits,
    )
    expect(update.topics).toEqual(['a', 'b'])
  })

  it('treats any `private` value, even empty, as private', () => {
    expect(
      parsePublishForm(
        form([
          ['topic', 'a'],
          ['private', ''],
        ]),
        limits,
      ).private,
    ).toBe(true)
    expect(
      parsePublishForm(
        form([
          ['topic', 'a'],
          ['private', 'on'],
        ]),
        limits,
      ).private,
    ).toBe(true)
    expect(parsePublishForm(form([['topic', 'a']]), limits).private).toBe(false)
  })

  it('generates a urn:uuid id when none is given and keeps a given one', () => {
    expect(parsePublishForm(form([['topic', 'a']]), limits).id).toMatch(/^urn:uuid:[0-9a-f-]{36}$/)
    expect(
      parsePublishForm(
        form([
          ['topic', 'a'],
          ['id', 'urn:x:1'],
        ]),
        limits,
      ).id,
    ).toBe('urn:x:1')
  })

  it.each([
    [[['data', 'x']], 'ERR_HUB_MISSING_TOPIC'],
    [
      [
        ['topic', 'a'],
        ['id', '#1'],
      ],
      'ERR_HUB_INVALID_UPDATE',
    ],
    [
      [
        ['topic', 'a'],
        ['id', 'a\nb'],
      ],
      'ERR_HUB_INVALID_UPDATE',
    ],
    [
      [
        ['topic', 'a'],
        ['type', 'x\ry'],
      ],
      'ERR_HUB_INVALID_UPDATE',
    ],
    [
      [
        ['topic', 'a'],
        ['retry', '-1'],
      ],
      'ERR_HUB_INVALID_UPDATE',
    ],
    [
      [
        ['topic', 'a'],
        ['retry', '1.5'],
      ],
      'ERR_HUB_INVALID_UPDATE',
    ],
    [
      [
        ['topic', 'a'],
        ['id', 'a\0b'],
      ],
      'ERR_HUB_INVALID_UPDATE',
    ],
    [
      [
        ['topic', 'a'],
        ['id', 'earliest'],
      ],
      'ERR_HUB_INVALID_UPDATE',
    ],
    [
      [
        ['topic', 'a'],
        ['id', 'x'.repeat(17)],
      ],
      'ERR_HUB_INVALID_UPDATE',
    ],
    [Array.from({ length: 6 }, (_, i) => ['topic', `t${i}`]), 'ERR_HUB_TOO_MANY_TOPICS'],
  ] as [string, string][][][])('refuses %j with %s (400)', (fields, code) => {
    expect(() => parsePublishForm(form(fields as unknown as [string, string][]), limits)).toThrow(
      expect.objectContaining({ status: 400, code }),
    )
  })

  it('encodes an update once, with multi-line data split into data lines', () => {
    const update = parsePublishForm(
      form([
        ['topic', 'a'],
        ['data', 'l1\nl2'],
        ['id', 'i'],
        ['type', 't'],
        ['retry', '5'],
      ]),
      limits,
    )
    const frame = frameOf(update)
    expect(new TextDecoder().decode(frame)).toBe(
      'event: t\nid: i\nretry: 5\ndata: l1\ndata: l2\n\n',
    )
    expect(frameOf(update)).toBe(frame)
  })
})

describe('discovery (spec: Discovery)', () => {
  it('builds the Link header an app adds to its resources', () => {
    expect(discoveryLink('https://hub.example')).toBe(
      '<https://hub.example/.well-known/mercure>; rel="mercure"',
    )
    expect(
      discoveryLink('https://hub.example', { lastEventId: 'urn:uuid:1', self: '/books/1' }),
    ).toBe(
      '<https://hub.example/.well-known/mercure>; rel="mercure"; last-event-id="urn:uuid:1", </books/1>; rel="self"',
    )
  })
})
