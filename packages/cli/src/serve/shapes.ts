/**
 * The JSON the demos publish and serve, shared by the server side and the page scripts (no
 * imports: the browser scripts use it too).
 */

/** One match, as each update on `/demo/scores/{match}` carries it. */
export interface Match {
  id: string
  home: string
  away: string
  homeScore: number
  awayScore: number
  minute: number
  status: 'live' | 'full-time'
  /** What just happened, for the line under the score. */
  last: string
}

/** One tick on `/demo/ticker`: every symbol's price at server time `t` (ms). */
export interface Tick {
  seq: number
  t: number
  quotes: Record<string, number>
}

/** A slide of `GET /carousel/slides`. */
export interface Slide {
  title: string
  text: string
  hue: number
}

/** What a notification update carries (anything else published to the topic counts one). */
export interface Notification {
  unread?: number
  text?: string
}

/** A connection that received an update (the console's answer). */
export interface Recipient {
  /** The stream id, shortened. */
  connection: string
  /** The JWT's `sub`, or null for an anonymous subscriber. */
  user: string | null
  /** The path of the page that opened the connection (its Referer), if known. */
  page: string | null
  /** The connection's topic selectors. */
  topics: string[]
}
