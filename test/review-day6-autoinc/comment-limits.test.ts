// GET /posts/:id answers every comment of the post (BLOG_API.md) from one database answer, and Neon
// HTTP and libSQL refuse an answer over 10 MB: about 500 comments of 5,000 emoji made a post's page a
// 500 for good. A post now takes at most 1,000 comments and 500,000 characters of them; the comment
// that would pass either is 409, writing nothing, and a post filled to both limits with the content
// that takes the most room in the answer (control characters and quotes, escaped twice) still answers.
import { describe, expect, it } from "vitest"
import { insert } from "../../src/index.ts"
import { Comment } from "../../worker/models/index.ts"
import { COMMENTS_PER_POST } from "../../worker/routes/comments.ts"
import { expectError } from "../blog/client.ts"
import { useBlog } from "../blog/fixture.ts"
import { blogDatabases } from "../reliability/blog-in-node.ts"

for (const [name, open] of blogDatabases) {
  describe(`comments a post's page can show, on ${name}`, () => {
    const blog = useBlog(open)

    /** Writes comments straight into the database, as many as `contents`, by `userId` on `postId`. */
    async function fill(postId: number, userId: number, contents: readonly string[]): Promise<void> {
      for (let at = 0; at < contents.length; at += 200) {
        const rows = contents.slice(at, at + 200).map((content) => ({ content, postId, userId }))
        await blog.database.inspect.execute(insert(Comment).values(rows))
      }
    }

    it("takes the last comment under both limits, refuses the next (409), and the page still answers", async () => {
      expect(COMMENTS_PER_POST).toEqual({ count: 1000, characters: 500_000 })
      const host = await blog.member("fullhost")
      const guest = await blog.member("fullguest")
      const post = await blog.post(host.token)
      // 899 comments of one character and 100 of 4,991: 499,999 characters in 999 comments.
      const worst = `${'\u0001"'.repeat(2495)}\u0001`
      await fill(post.id, host.id, [...Array(899).fill("\u0001"), ...Array(100).fill(worst)])

      const key = { "Idempotency-Key": `full-${Date.now().toString(36)}` }
      const last = await blog.api.post(`/posts/${post.id}/comments`, {
        token: guest.token,
        json: { content: "\u0001" },
        headers: key,
      })
      expect(last.status).toBe(201)
      // Its retry is answered the comment it made, not refused as one more.
      const retried = await blog.api.post(`/posts/${post.id}/comments`, {
        token: guest.token,
        json: { content: "\u0001" },
        headers: key,
      })
      expect([retried.status, retried.body.id, retried.headers.get("Idempotent-Replayed")]).toEqual([
        201,
        last.body.id,
        "true",
      ])

      const refused = await blog.leavesNoTrace(() =>
        blog.api.post(`/posts/${post.id}/comments`, { token: guest.token, json: { content: "one more" } }),
      )
      expectError(refused, 409, "conflict")
      expect(refused.body.error.message).toBe(
        `Post ${post.id} holds as many comments as its page can show (at most 1000 comments and 500000 characters in all): this one would pass that`,
      )
      // The read of the post counts them: no more round trips or statements than before.
      expect([refused.roundTrips, refused.statements]).toEqual([1, 1])

      const page = await blog.api.get(`/posts/${post.id}`)
      expect(page.status).toBe(200)
      expect(page.body.comments).toHaveLength(1000)
      expect(page.body.comments.at(-1)).toEqual(last.body)
      expect(page.body.comments.filter((c: { content: string }) => c.content === worst)).toHaveLength(100)
    }, 60_000)

    it("counts characters as the databases do: 100 comments of 5,000 emoji fill a post", async () => {
      const host = await blog.member("emojihost")
      const post = await blog.post(host.token)
      const emoji = "😀".repeat(5000)
      await fill(post.id, host.id, Array(99).fill(emoji))
      const hundredth = await blog.api.post(`/posts/${post.id}/comments`, {
        token: host.token,
        json: { content: emoji },
      })
      expect(hundredth.status).toBe(201)
      const refused = await blog.leavesNoTrace(() =>
        blog.api.post(`/posts/${post.id}/comments`, { token: host.token, json: { content: "😀" } }),
      )
      expectError(refused, 409, "conflict")
      const page = await blog.api.get(`/posts/${post.id}`)
      expect([page.status, page.body.comments.length]).toEqual([200, 100])
    }, 60_000)
  })
}
