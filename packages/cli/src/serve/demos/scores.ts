import type { Demo, DemoContext } from '../demo.js'
import { randomInt } from '../demo.js'
import type { Match } from '../shapes.js'
import { topics } from '../topics.js'

const FIXTURES: [string, string][] = [
  ['Harbor City', 'Northgate'],
  ['Riverside', 'Old Mill'],
  ['Eastfield', 'Lakeshore'],
]

/** Live scores: a match clock advances every `intervalMs`, goals at random, JSON per update. */
export function scoresDemo(ctx: DemoContext, intervalMs = 1000): Demo {
  const matches: Match[] = FIXTURES.map(([home, away], i) => kickOff(String(i + 1), home, away))
  // Start the matches at different minutes so the board is not in lockstep.
  for (const [i, match] of matches.entries()) match.minute = i * 27
  let turn = 0

  function step(): Match {
    const match = matches[turn++ % matches.length] as Match
    if (match.status === 'full-time') {
      Object.assign(match, kickOff(match.id, match.home, match.away))
      return match
    }
    match.minute = Math.min(90, match.minute + randomInt(1, 4))
    match.last = ''
    if (Math.random() < 0.3) {
      const home = Math.random() < 0.5
      if (home) match.homeScore++
      else match.awayScore++
      match.last = `Goal! ${home ? match.home : match.away} (${match.minute}′)`
    }
    if (match.minute >= 90) {
      match.status = 'full-time'
      match.last = 'Full time'
    }
    return match
  }

  return {
    slug: 'scores',
    title: 'Live scores',
    summary: 'A scoreboard fed JSON updates, one topic per match, one URI-template subscription.',
    topics: () => [topics.scores],
    state: () => matches,
    body: () => `
<p class="lead">Three matches, one topic each (<code>/demo/scores/1</code>…), read with one
subscription to the template <code>${topics.scores}</code>. Each update is the whole match as JSON.</p>
<div id="board" class="board"></div>`,
    start() {
      const timer = setInterval(() => {
        const match = step()
        void ctx.publish({
          topics: [topics.score(match.id)],
          type: 'score',
          data: JSON.stringify(match),
        })
      }, intervalMs)
      return () => clearInterval(timer)
    },
  }
}

function kickOff(id: string, home: string, away: string): Match {
  return { id, home, away, homeScore: 0, awayScore: 0, minute: 0, status: 'live', last: 'Kick-off' }
}
