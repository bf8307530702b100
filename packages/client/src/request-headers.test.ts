import { describe, expect, it } from 'vitest'
import { isEventStream, requestHeaders } from './request-headers.js'

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
