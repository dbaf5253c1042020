// Reading: GET /posts (pages, filters), GET /posts/:id, GET /tags/:name/posts, GET /stats, GET /audit,
// and what every answer shares (JSON errors, Server-Timing that tells the truth).
import { describe, expect, it } from "vitest"
import { expectError } from "./client.ts"
import type { Blog } from "./fixture.ts"

export function readsSuite(blog: Blog) {
  describe("reading", () => {
    it("GET /posts/:id returns post, author, tags and comments with their authors in 1 round trip", async () => {
      const author = await blog.member("poster")
      const [first, second] = [await blog.member("c1"), await blog.member("c2")]
      const post = await blog.post(author.token, { tags: ["zeta", "alpha"] })
      for (const [who, content] of [
        [first, "First!"],
        [second, "Second"],
        [first, "Third"],
      ] as const) {
        await blog.api.post(`/posts/${post.id}/comments`, { token: who.token, json: { content } })
      }
      const requestsBefore = await blog.database.requests()
      const answer = await blog.api.get(`/posts/${post.id}`)
      // The stand-in saw exactly the requests Server-Timing reports.
      expect((await blog.database.requests()) - requestsBefore).toBe(answer.roundTrips)
      expect(answer.roundTrips).toBe(1)
      expect(answer.body).toMatchObject({
        id: post.id,
        author: { id: author.id, username: author.username },
        tags: ["alpha", "zeta"],
        commentCount: 3,
      })
      expect(
        answer.body.comments.map((c: { content: string; author: { username: string } }) => [
          c.content,
          c.author.username,
        ]),
      ).toEqual([
        ["First!", first.username],
        ["Second", second.username],
        ["Third", first.username],
      ])
    })

    it.each(["0", "-3", "abc", "1.0", "0x10", "99999999999999999999", "%27%20OR%201=1"])(
      "answers 404 not_found for the post id %s",
      async (id) => {
        expectError(await blog.api.get(`/posts/${id}`), 404, "not_found")
      },
    )

    it("GET /posts pages published posts newest first with the total, in 1 round trip", async () => {
      const { token } = await blog.member("lister")
      const tag = `page-${Date.now().toString(36)}`
      const made = []
      for (let i = 0; i < 5; i++) made.push(await blog.post(token, { title: `Paged ${i}`, tags: [tag] }))
      await blog.post(token, { published: false, tags: [tag] })
      const page = await blog.api.get(`/posts?tag=${tag}&page=2&pageSize=2`)
      expect(page.status).toBe(200)
      expect(page.roundTrips).toBe(1)
      expect({ ...page.body, items: page.body.items.map((p: { id: number }) => p.id) }).toEqual({
        items: [made[2].id, made[1].id],
        page: 2,
        pageSize: 2,
        total: 5,
      })
      expect(page.body.items).toHaveLength(2)
      const defaults = await blog.api.get("/posts")
      expect(defaults.body).toMatchObject({ page: 1, pageSize: 10 })
      expect(defaults.roundTrips).toBe(1)
      const past = await blog.api.get(`/posts?tag=${tag}&page=9&pageSize=2`)
      expect(past.status).toBe(200)
      expect(past.body).toEqual({ items: [], page: 9, pageSize: 2, total: 5 })
      const largest = await blog.api.get(`/posts?tag=${tag}&pageSize=100`)
      expect(largest.body.items).toHaveLength(5)
    })

    it.each([
      "page=0",
      "page=-1",
      "page=abc",
      "page=1.5",
      "pageSize=0",
      "pageSize=101",
      "pageSize=1000000000",
      "pageSize=99999999999999999999",
    ])("answers 400 bad_request for ?%s", async (query) => {
      expectError(await blog.api.get(`/posts?${query}`), 400, "bad_request")
      expectError(await blog.api.get(`/tags/any/posts?${query}`), 400, "bad_request")
    })

    it("GET /posts?q matches titles case-insensitively, % and _ as plain characters", async () => {
      const { token } = await blog.member("searcher")
      const marker = Date.now().toString(36)
      const hit = await blog.post(token, { title: `Edge 100%_${marker} ORM` })
      await blog.post(token, { title: `Edge 100x${marker} ORM` })
      const answer = await blog.api.get(`/posts?q=${encodeURIComponent(`100%_${marker.toUpperCase()}`)}`)
      expect(answer.body.items.map((p: { id: number }) => p.id)).toEqual([hit.id])
      expect(answer.body.total).toBe(1)
    })

    it("GET /tags/:name/posts pages the published posts of a tag; an unknown tag is 404", async () => {
      const { token } = await blog.member("tagger")
      const tag = `only-${Date.now().toString(36)}`
      const post = await blog.post(token, { tags: [tag, "other"] })
      await blog.post(token, { tags: ["other"] })
      const answer = await blog.api.get(`/tags/${tag.toUpperCase()}/posts`)
      expect(answer.status).toBe(200)
      expect(answer.roundTrips).toBe(1)
      expect(answer.body).toMatchObject({ total: 1, page: 1, pageSize: 10 })
      expect(answer.body.items[0]).toMatchObject({ id: post.id, tags: ["other", tag].sort() })
      expectError(await blog.api.get("/tags/no-such-tag-here/posts"), 404, "not_found")
      expectError(await blog.api.get(`/tags/${encodeURIComponent("x' OR '1'='1")}/posts`), 404, "not_found")
    })

    it("GET /stats counts in SQL, in one round trip", async () => {
      const answer = await blog.api.get("/stats")
      expect(answer.status).toBe(200)
      expect(answer.roundTrips).toBe(1)
      const counts = await blog.counts()
      expect(answer.body).toEqual({
        users: counts.users,
        posts: counts.posts,
        publishedPosts: expect.any(Number),
        comments: counts.comments,
        tags: counts.tags,
      })
      expect(answer.body.publishedPosts).toBeLessThanOrEqual(counts.posts)
    })

    it("GET /audit lists the trail newest first, filtered, for signed-in users only", async () => {
      const { id, token } = await blog.member("audited")
      const post = await blog.post(token)
      await blog.api.patch(`/posts/${post.id}`, { token, json: { title: "Changed", version: 1 } })
      await blog.api.delete(`/posts/${post.id}`, { token })
      const trail = await blog.api.get(`/audit?entityType=Post&entityId=${post.id}`, { token })
      expect(trail.status).toBe(200)
      expect(trail.body.map((e: { action: string }) => e.action)).toEqual(["delete", "update", "create"])
      expect(trail.body[0]).toEqual({
        id: expect.any(Number),
        entityType: "Post",
        entityId: post.id,
        action: "delete",
        timestamp: expect.any(String),
      })
      const user = await blog.api.get(`/audit?entityType=User&entityId=${id}`, { token })
      expect(user.body.map((e: { action: string }) => e.action)).toEqual(["create"])
      expectError(await blog.api.get("/audit"), 401, "unauthorized")
      expectError(await blog.api.get("/audit?entityType=Comment", { token }), 400, "bad_request")
      expectError(await blog.api.get("/audit?entityId=abc", { token }), 400, "bad_request")
    })

    it("answers unknown routes with a JSON 404 and still reports Server-Timing", async () => {
      const answer = await blog.api.get("/nope")
      expectError(answer, 404, "not_found")
      expect(answer.roundTrips).toBe(0)
    })
  })
}
