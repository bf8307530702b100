import { EventSource } from '@sprinkler/client'

interface SourceInfo {
  id: string
  name: string
  stream?: string
}

const view = document.getElementById('lines') as HTMLElement
const connection = document.getElementById('connection') as HTMLElement
const names = new Map<string, string>()

/** Appends one row whose content is text, never markup. */
function row(className: string, label: string, text: string): void {
  const div = document.createElement('div')
  div.className = className
  const span = document.createElement('span')
  span.className = 'label'
  span.textContent = label
  div.append(span, document.createTextNode(text))
  view.append(div)
}

const source = new EventSource('/events')
source.onopen = () => {
  connection.textContent = 'live'
}
source.onerror = () => {
  connection.textContent = 'reconnecting…'
}
source.addEventListener('sources', (event) => {
  for (const info of JSON.parse((event as MessageEvent).data) as SourceInfo[]) {
    names.set(info.id, info.stream ? `${info.name} (${info.stream})` : info.name)
  }
})
source.addEventListener('lines', (event) => {
  const { source: id, lines } = JSON.parse((event as MessageEvent).data) as {
    source: string
    lines: string[]
  }
  for (const line of lines) row('line', names.get(id) ?? id, line)
})
source.addEventListener('gap', (event) => {
  const { source: id, from, to } = JSON.parse((event as MessageEvent).data)
  row('gap', names.get(id) ?? id, `${to - from + 1} lines not received (${from}–${to})`)
})
source.addEventListener('status', (event) => {
  const { source: id, ...status } = JSON.parse((event as MessageEvent).data)
  row('status', names.get(id) ?? id, JSON.stringify(status))
})
