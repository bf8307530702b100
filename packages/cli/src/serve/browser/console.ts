// The publish console: publishes through this server and shows who received each update.

import type { Recipient } from '../shapes.js'
import { byId, connect, pageConfig, post, toast } from './common.js'

const config = pageConfig()
const form = document.getElementById('publish') as HTMLFormElement | null
const field = (name: string) => form?.elements.namedItem(name) as HTMLInputElement

const PRESETS: Record<string, { topic: string; type: string; data: string; private: boolean }> = {
  broadcast: { topic: '/demo/broadcast', type: '', data: 'Hello from the console', private: false },
  'notify-alice': {
    topic: '/users/alice/notifications',
    type: 'notification',
    data: '{"text":"A message from the console"}',
    private: true,
  },
  refresh: { topic: '/demo/carousel', type: 'refresh-carousel', data: '{}', private: false },
  score: {
    topic: '/demo/scores/1',
    type: 'score',
    data: '{"id":"1","home":"Harbor City","away":"Northgate","homeScore":9,"awayScore":0,"minute":45,"status":"live","last":"Set from the console"}',
    private: false,
  },
}

document.getElementById('preset')?.addEventListener('change', (event) => {
  const preset = PRESETS[(event.target as HTMLSelectElement).value]
  if (!preset) return
  field('topic').value = preset.topic
  field('type').value = preset.type
  field('data').value = preset.data
  field('private').checked = preset.private
})

form?.addEventListener('submit', async (event) => {
  event.preventDefault()
  try {
    const result = await post<{ id: string; delivered: number; recipients: Recipient[] }>(
      '/console/publish',
      config.csrf,
      {
        topic: field('topic').value,
        data: field('data').value,
        type: field('type').value,
        id: field('id').value,
        private: field('private').checked,
      },
    )
    const n = result.recipients.length
    byId('result').textContent =
      `Published ${result.id}: delivered to ${n} connection${n === 1 ? '' : 's'}.`
    byId('result').dataset.delivered = String(n)
    const rows = result.recipients.map((r) => {
      const tr = document.createElement('tr')
      for (const text of [r.connection, r.user ?? 'anonymous', r.page ?? '?', r.topics.join(' ')]) {
        const td = document.createElement('td')
        td.textContent = text
        tr.append(td)
      }
      return tr
    })
    byId('recipients')
      .querySelector('tbody')
      ?.replaceChildren(...rows)
  } catch (error) {
    toast((error as Error).message)
  }
})

const log = document.getElementById('received')
connect(config, {
  message(data) {
    const item = document.createElement('li')
    item.textContent = data
    log?.prepend(item)
  },
})
