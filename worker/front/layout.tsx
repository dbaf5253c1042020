// The frame of every page of the HTML front: head, site header, and a footer where the inline script
// shows the page's database round trips from Server-Timing.

import { raw } from "hono/html"
import type { Child } from "hono/jsx"
import { SERVER_TIMING_SCRIPT } from "./server-timing-script.ts"

const STYLE = `
body { font: 16px/1.5 system-ui, sans-serif; max-width: 44rem; margin: 0 auto; padding: 0 1rem; color: #222 }
header, footer { border-bottom: 1px solid #ddd; padding: .75rem 0 } footer { border: 0; border-top: 1px solid #ddd; color: #666 }
a { color: #0b57d0 } h1 { margin: 1.5rem 0 .5rem } h2 { margin: 0; font-size: 1.2rem }
ol.posts, ol.comments { list-style: none; padding: 0 } ol.posts > li, ol.comments > li { margin: 1rem 0 }
.meta { color: #666; font-size: .9rem; margin: .2rem 0 }
ul.tags { list-style: none; padding: 0; margin: .3rem 0; display: flex; gap: .4rem; flex-wrap: wrap }
ul.tags a { background: #eef3fd; border-radius: .3rem; padding: 0 .4rem; text-decoration: none; font-size: .85rem }
nav.pager { display: flex; gap: 1rem; align-items: center }
.content p { white-space: pre-wrap }
`

export function Layout(props: { title: string; children: Child }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${props.title} · edgealchemy blog`}</title>
        <style>{raw(STYLE)}</style>
      </head>
      <body>
        <header>
          <a href="/ui">edgealchemy blog</a>
        </header>
        <main>{props.children}</main>
        <footer>
          <p id="server-timing">This page's database cost shows here (it needs JavaScript).</p>
        </footer>
        <script>{raw(SERVER_TIMING_SCRIPT)}</script>
      </body>
    </html>
  )
}
