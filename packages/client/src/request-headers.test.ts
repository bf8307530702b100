import { describe, expect, it } from 'vitest'
import { isEventStream, lastEventIdValue, requestHeaders } from './request-headers.js'

describe('requestHeaders', () => {
  it('always sends Accept: text/event-stream, even over a caller’s Accept', () => {
    expect(requestHeaders(undefined, '')).toEqual({ Accept: 'text/event-stream' })
    expect(requestHeaders({ ACCEPT: 'text/html', 'X-A': '1' }, '')).toEqual({
      Accept: 'text/event-stream',
      'x-a': '1',
    })
  })

  it('takes headers as an object, a Headers or a list of pairs', () => {
    const expected = { authorization: 'Bearer t', Accept: 'text/event-stream' }
    expect(requestHeaders({ Authorization: 'Bearer t' }, '')).toEqual(expected)
    expect(requestHeaders(new Headers({ Authorization: 'Bearer t' }), '')).toEqual(expected)
    expect(requestHeaders([['Authorization', 'Bearer t']], '')).toEqual(expected)
  })

  it('sends the source’s Last-Event-ID over a caller’s, and the caller’s while it has none', () => {
    expect(requestHeaders({ 'last-event-id': '3' }, '')).toMatchObject({ 'last-event-id': '3' })
    expect(requestHeaders({ 'Last-Event-ID': '3' }, '9')).toEqual({
      Accept: 'text/event-stream',
      'Last-Event-ID': '9',
    })
  })

  it('spec: sends the last event ID encoded as UTF-8, one byte per character', () => {
    expect(requestHeaders(undefined, 'é')['Last-Event-ID']).toBe('\xC3\xA9')
    expect(requestHeaders(undefined, 'plain-42')['Last-Event-ID']).toBe('plain-42')
  })
})

describe('lastEventIdValue', () => {
  const webkitGtk =
    'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/60.5 Safari/605.1.15'
  const wpe =
    'Mozilla/5.0 (Linux; aarch64) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.0 Safari/605.1.15 WPE'
  const chromium =
    'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36'
  const android =
    'Mozilla/5.0 (Linux; Android 14; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/156.0.0.0 Mobile Safari/537.36'
  const firefox = 'Mozilla/5.0 (X11; Linux x86_64; rv:153.0) Gecko/20100101 Firefox/153.0'
  const safari =
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Safari/605.1.15'

  it('packs the UTF-8 bytes one per character where fetch sends byte strings as bytes', () => {
    for (const agent of [chromium, android, firefox, safari, 'Node.js/22', undefined]) {
      expect(lastEventIdValue('ünï-é', agent)).toBe('\xC3\xBCn\xC3\xAF-\xC3\xA9')
      expect(lastEventIdValue('ü-✓', agent)).toBe('\xC3\xBC-\xE2\x9C\x93')
    }
  })

  it('leaves Latin-1 text as it is where fetch UTF-8 encodes header strings (WebKitGTK, WPE)', () => {
    for (const agent of [webkitGtk, wpe]) {
      expect(lastEventIdValue('ünï-é', agent)).toBe('ünï-é')
      // Beyond U+00FF their fetch would throw: packed, it goes (and arrives encoded twice).
      expect(lastEventIdValue('ü-✓', agent)).toBe('\xC3\xBC-\xE2\x9C\x93')
    }
  })
})

describe('isEventStream', () => {
  it.each([
    ['text/event-stream', true],
    ['text/event-stream; charset=utf-8', true],
    ['TEXT/Event-Stream ;charset=UTF-8', true],
    [' text/event-stream ', true],
    ['text/event-streams', false],
    ['text/plain', false],
    ['', false],
    [null, false],
  ])('%j → %s', (type, expected) => {
    expect(isEventStream(type)).toBe(expected)
  })
})
