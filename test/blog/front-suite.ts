// The HTML front under /ui (worker/front/) through app.request, on each database: what the pages show,
// their one round trip, their escaping, and the root's choice between JSON and HTML. The same pages are
// checked in a real browser by test/node/front-browser.test.ts.
import { describe, expect, it } from "vitest"
import { createApp } from "../../worker/app.ts"
import { dbCost } from "./client.ts"
import type { Blog } from "./fixture.ts"

export const HOSTILE = `<script>alert("t")</script><img src=x onerror="alert('i')">&amp;`
const ESCAPED =
  "&lt;script&gt;alert(&quot;t&quot;)&lt;/script&gt;&lt;img src=x onerror=&quot;alert(&#39;i&#39;)&quot;&gt;&amp;amp;"

export function frontSuite(blog: Blog) {
  const app = createApp()

  async function page(path: string, accept = "text/html,application/xhtml+xml,*/*;q=0.8") {
    const requestsBefore = await blog.database.requests()
    const response = await app.request(path, { headers: { accept }, redirect: "manual" }, blog.database.env)
    const html = await response.text()
    const cost = dbCost(response.headers)
    expect(cost, `${path} reports its database cost`).toBeDefined()
    // The stand-in saw exactly the requests Server-Timing reports.
    expect((await blog.database.requests()) - requestsBefore).toBe(cost?.roundTrips)
    return { status: response.status, headers: response.headers, html, roundTrips: cost?.roundTrips }
  }

  /** The texts of the elements that `pattern` matches (its first group), in order. */
  const texts = (html: string, pattern: RegExp) => [...html.matchAll(pattern)].map((match) => match[1])

  describe("the HTML front", () => {
    it("puts the app's metrics and the db entry in one Server-Timing header", async () => {
      const list = await page("/ui")
      const names = (list.headers.get("server-timing") ?? "")
        .match(/(?:[^,"]|"[^"]*")+/g)
        ?.map((entry) => entry.trim().split(";")[0])
      expect(names).toEqual(["render", "db", "total"])
      const api = await blog.api.get("/posts")
      expect(api.headers.get("server-timing")).toMatch(
        /^db;desc="1 round trips, \d+ statements";dur=[\d.]+,total;dur=/,
      )
    })

    it("GET / answers API clients with the JSON index and sends browsers to /ui", async () => {
      const api = await blog.api.get("/")
      expect(api.status).toBe(200)
      expect(api.body).toMatchObject({ health: "/health", html: "/ui" })
      expect(api.headers.get("vary")).toBe("Accept")
      const browser = await page("/")
      expect(browser.status).toBe(303)
      expect(browser.headers.get("location")).toBe("/ui")
      expect((await page("/ui/")).headers.get("location")).toMatch(/^http:\/\/[^/]+\/ui$/)
    })

    it("GET /ui lists published posts newest first with author, tags and comment count, paged, in 1 round trip", async () => {
      const author = await blog.member("front")
      const reader = await blog.member("reader")
      const tag = `front-${Date.now().toString(36)}`
      const [oldest, middle, newest] = [
        await blog.post(author.token, { title: "Oldest", tags: [tag] }),
        await blog.post(author.token, { title: "Middle", tags: [tag, "zz-more"] }),
        await blog.post(author.token, { title: "Newest", tags: [tag] }),
      ]
      await blog.post(author.token, { title: "Draft", tags: [tag], published: false })
      for (const content of ["one", "two"]) {
        await blog.api.post(`/posts/${middle.id}/comments`, { token: reader.token, json: { content } })
      }

      const first = await page(`/ui?tag=${tag}&pageSize=2`)
      expect(first.status).toBe(200)
      expect(first.headers.get("content-type")).toMatch(/^text\/html/)
      expect(first.html.startsWith('<!doctype html><html lang="en">')).toBe(true)
      expect(first.roundTrips).toBe(1)
      expect(texts(first.html, /<h2><a href="[^"]+">([^<]*)<\/a><\/h2>/g)).toEqual(["Newest", "Middle"])
      expect(first.html).toContain(`<a href="/ui/posts/${middle.id}">Middle</a>`)
      expect(texts(first.html, /<span class="author">([^<]*)<\/span>/g)).toEqual([
        author.username,
        author.username,
      ])
      expect(texts(first.html, /<span class="comment-count">([^<]*)<\/span>/g)).toEqual([
        "0 comments",
        "2 comments",
      ])
      expect(first.html).toContain(`<a href="/ui?tag=zz-more">zz-more</a>`)
      expect(first.html).toContain("Page 1 of 2 (3 posts)")
      expect(first.html).toContain(`<a rel="next" href="/ui?tag=${tag}&amp;page=2&amp;pageSize=2">`)

      const second = await page(`/ui?tag=${tag}&pageSize=2&page=2`)
      expect(second.roundTrips).toBe(1)
      expect(texts(second.html, /<h2><a href="[^"]+">([^<]*)<\/a><\/h2>/g)).toEqual(["Oldest"])
      expect(second.html).toContain(`<a href="/ui/posts/${oldest.id}">`)
      expect(second.html).toContain(`<a rel="prev" href="/ui?tag=${tag}&amp;pageSize=2">`)
      expect(second.html).not.toContain('rel="next"')
      expect(newest.id).toBeGreaterThan(middle.id)
    })

    it("GET /ui/posts/:id shows the post, its tags and its comments with their authors, in 1 round trip", async () => {
      const author = await blog.member("story")
      const [first, second] = [await blog.member("fan1"), await blog.member("fan2")]
      const post = await blog.post(author.token, {
        title: "A story",
        content: "First paragraph.\n\nSecond paragraph.",
        tags: ["beta", "alpha"],
      })
      for (const [who, content] of [
        [first, "Lovely"],
        [second, "Agreed"],
      ] as const) {
        await blog.api.post(`/posts/${post.id}/comments`, { token: who.token, json: { content } })
      }
      const shown = await page(`/ui/posts/${post.id}`)
      expect(shown.status).toBe(200)
      expect(shown.roundTrips).toBe(1)
      expect(shown.html).toContain("<title>A story · edgealchemy blog</title>")
      expect(shown.html).toContain("<h1>A story</h1>")
      expect(texts(shown.html, /<div class="content">(.*?)<\/div>/g)).toEqual([
        "<p>First paragraph.</p><p>Second paragraph.</p>",
      ])
      expect(texts(shown.html, /<ul class="tags">(.*?)<\/ul>/g)).toEqual([
        '<li><a href="/ui?tag=alpha">alpha</a></li><li><a href="/ui?tag=beta">beta</a></li>',
      ])
      expect(shown.html).toContain("<h2>2 comments</h2>")
      expect(texts(shown.html, /<li class="comment">.*?<span class="author">([^<]*)<\/span>/g)).toEqual([
        first.username,
        second.username,
      ])
      expect(texts(shown.html, /<li class="comment">.*?<\/p><p>([^<]*)<\/p><\/li>/g)).toEqual([
        "Lovely",
        "Agreed",
      ])
    })

    it("answers missing posts, drafts, bad ids and bad pages with HTML error pages", async () => {
      const { token } = await blog.member("hidden")
      const draft = await blog.post(token, { published: false })
      for (const [path, status, roundTrips] of [
        [`/ui/posts/${draft.id}`, 404, 1],
        ["/ui/posts/2147483647", 404, 1],
        ["/ui/posts/abc", 404, 0],
        ["/ui/nothing/here", 404, 0],
        ["/ui?page=0", 400, 0],
      ] as const) {
        const answer = await page(path)
        expect({ path, status: answer.status, roundTrips: answer.roundTrips }).toEqual({
          path,
          status,
          roundTrips,
        })
        expect(answer.headers.get("content-type")).toMatch(/^text\/html/)
        expect(answer.html).toMatch(/<h1>(Not found|Error 400)<\/h1><p class="error">[^<]+<\/p>/)
      }
    })

    it("escapes what users wrote: a hostile title, content, comment and tag filter stay text", async () => {
      const { token } = await blog.member("mallory")
      const post = await blog.post(token, { title: HOSTILE, content: HOSTILE, tags: ["hostile"] })
      await blog.api.post(`/posts/${post.id}/comments`, { token, json: { content: HOSTILE } })
      const shown = await page(`/ui/posts/${post.id}`)
      expect(shown.html).toContain(`<title>${ESCAPED} · edgealchemy blog</title>`)
      expect(shown.html).toContain(`<h1>${ESCAPED}</h1>`)
      expect(shown.html.split(ESCAPED)).toHaveLength(5) // title, h1, content, comment
      const listed = await page("/ui?tag=hostile")
      expect(listed.html).toContain(`>${ESCAPED}</a></h2>`)
      const reflected = await page(`/ui?tag=${encodeURIComponent("<script>alert(1)</script>")}`)
      expect(reflected.html).toContain("<h1>Posts tagged &lt;script&gt;alert(1)&lt;/script&gt;</h1>")
      for (const html of [shown.html, listed.html, reflected.html]) {
        // The one script is the page's own Server-Timing reader; no image, no handler got through.
        expect(html.match(/<script/g)).toHaveLength(1)
        expect(html).not.toMatch(/<img|onerror=["']?alert/)
      }
    })
  })
}
