// The notification badge: private `notification` updates for the signed-in user.

import type { Notification } from '../shapes.js'
import { byId, connect, pageConfig, post, toast, wireSession } from './common.js'

const config = pageConfig<{ unread: number }>()
wireSession(config.csrf)

const badge = document.getElementById('badge')
const last = document.getElementById('last')
let unread = config.state.unread

function render(): void {
  if (!badge) return
  badge.textContent = String(unread)
  badge.toggleAttribute('data-zero', unread === 0)
}

if (config.user) {
  render()
  connect(config, {
    notification(data) {
      // Our own publishers send { unread, text }; anything else published to the topic counts one.
      let note: Notification = {}
      try {
        note = JSON.parse(data) as Notification
      } catch {
        note = { text: data }
      }
      unread = typeof note.unread === 'number' ? note.unread : unread + 1
      if (last) last.textContent = note.text ?? data
      render()
    },
  })
  const form = byId<HTMLFormElement>('notify')
  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    const fields = new FormData(form)
    try {
      await post('/badge/notify', config.csrf, {
        user: fields.get('user'),
        text: fields.get('text'),
      })
    } catch (error) {
      toast((error as Error).message)
    }
  })
  byId('read').addEventListener('click', () => {
    post('/badge/read', config.csrf).catch((error: Error) => toast(error.message))
  })
} else {
  // Signed out: the page still holds its one connection, to the broadcast topic.
  connect(config, {})
}
