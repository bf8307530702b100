// Live scores: one JSON update per change of a match.

import type { Match } from '../shapes.js'
import { byId, connect, pageConfig } from './common.js'

const config = pageConfig<Match[]>()
const board = byId('board')
const matches = new Map<string, Match>(config.state.map((m) => [m.id, m]))
let updates = 0

function card(match: Match): HTMLElement {
  let element = document.getElementById(`match-${match.id}`)
  if (!element) {
    element = document.createElement('div')
    element.id = `match-${match.id}`
    element.className = 'match'
    element.innerHTML =
      '<span class="team home"></span><span class="score"></span><span class="team away"></span><span class="meta"></span>'
    board.append(element)
  }
  return element
}

function render(match: Match, flash: boolean): void {
  const element = card(match)
  const [home, score, away, meta] = element.children as unknown as HTMLElement[]
  if (!home || !score || !away || !meta) return
  home.textContent = match.home
  away.textContent = match.away
  score.textContent = `${match.homeScore} – ${match.awayScore}`
  meta.textContent = `${match.status === 'full-time' ? 'FT' : `${match.minute}′`}${match.last ? ` · ${match.last}` : ''}`
  element.dataset.updates = String(updates)
  if (flash) {
    element.classList.add('flash')
    setTimeout(() => element.classList.remove('flash'), 600)
  }
}

for (const match of matches.values()) render(match, false)

connect(config, {
  score(data) {
    const match = JSON.parse(data) as Match
    matches.set(match.id, match)
    updates++
    board.dataset.updates = String(updates)
    render(match, true)
  },
})
