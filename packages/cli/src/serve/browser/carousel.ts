// The carousel: a `refresh-carousel` signal makes it fetch its slides again.

import type { Slide } from '../shapes.js'
import { byId, connect, pageConfig, post, toast } from './common.js'

const config = pageConfig()
const track = byId('track')
let reloads = 0
let index = 0

async function load(): Promise<void> {
  const response = await fetch('/carousel/slides')
  const { version, slides } = (await response.json()) as { version: number; slides: Slide[] }
  track.replaceChildren(
    ...slides.map((slide) => {
      const element = document.createElement('div')
      element.className = 'slide'
      element.style.background = `linear-gradient(135deg, hsl(${slide.hue} 65% 45%), hsl(${(slide.hue + 40) % 360} 70% 35%))`
      const title = document.createElement('h3')
      title.textContent = slide.title
      const text = document.createElement('p')
      text.textContent = slide.text
      element.append(title, text)
      return element
    }),
  )
  index = 0
  show()
  byId('version').textContent = String(version)
}

function show(): void {
  const width = track.clientWidth
  track.scrollTo({ left: index * width })
}

function step(by: number): void {
  const count = track.childElementCount || 1
  index = (index + by + count) % count
  show()
}

byId('prev').addEventListener('click', () => step(-1))
byId('next').addEventListener('click', () => step(1))
setInterval(() => step(1), 4000)
document.getElementById('new-collection')?.addEventListener('click', () => {
  post('/carousel/refresh', config.csrf).catch((error: Error) => toast(error.message))
})

await load()

connect(config, {
  async 'refresh-carousel'() {
    await load()
    reloads++
    byId('reloads').textContent = String(reloads)
    byId('reloaded-at').textContent = new Date().toLocaleTimeString()
  },
})
