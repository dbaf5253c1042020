// Idempotent creates (issue 13, item 4): an `Idempotency-Key` on POST /users, POST /posts and
// POST /posts/:id/comments is stored with the write, in the same round trip; a retry with the same
// key answers the first result again (same id, `Idempotent-Replayed: true`) and writes nothing, even
// when the copies race.
import { describe, expect, it } from "vitest"
import { expectError } from "./client.ts"
import type { Blog } from "./fixture.ts"

let keys = 0
const freshKey = () => `key-${Date.now().toString(36)}-${++keys}`

export function idempotencySuite(blog: Blog) {
  describe("Idempotency-Key", () => {
    it("POST /posts: the key costs no round trip; a retry answers the same post and writes nothing", async () => {
      const { id: authorId, token } = await blog.member("idem")
      const key = freshKey()
      const json = { title: "Once", content: "Only once", published: true, tags: ["idem-a", "idem-b"] }
      const before = await blog.counts()
      const first = await blog.api.post("/posts", { token, json, headers: { "Idempotency-Key": key } })
      expect([first.status, first.roundTrips]).toEqual([201, 1])
      expect(first.headers.get("Idempotent-Replayed")).toBeNull()
      const afterFirst = await blog.counts()
      expect(afterFirst).toEqual({
        ...before,
        posts: before.posts + 1,
        tags: before.tags + 2,
        postTags: before.postTags + 2,
        auditLogs: before.auditLogs + 1,
        idempotencyKeys: before.idempotencyKeys + 1,
      })
      const retry = await blog.api.post("/posts", { token, json, headers: { "Idempotency-Key": key } })
      expect(retry.status).toBe(201)
      expect(retry.headers.get("Idempotent-Replayed")).toBe("true")
      expect(retry.body).toEqual(first.body)
      expect(retry.body.author.id).toBe(authorId)
      expect(await blog.counts()).toEqual(afterFirst)
    })

    it("POST /users: a retry of a sign-up answers the same user instead of 'username taken'", async () => {
      const key = freshKey()
      const username = `idem_user_${keys}_${Date.now().toString(36)}`.slice(0, 50)
      const json = { username, email: `${username}@example.com`, password: "password123" }
      const first = await blog.api.post("/users", { json, headers: { "Idempotency-Key": key } })
      expect([first.status, first.roundTrips]).toEqual([201, 1])
      const before = await blog.counts()
      const retry = await blog.api.post("/users", { json, headers: { "Idempotency-Key": key } })
      expect([retry.status, retry.body]).toEqual([201, first.body])
      expect(await blog.counts()).toEqual(before)
      // Without the key, the same sign-up is a conflict, as before.
      expectError(await blog.api.post("/users", { json }), 409, "conflict")
      // With another password it is another request: its account is not the one created.
      const otherPassword = await blog.api.post("/users", {
        json: { ...json, password: "another-password" },
        headers: { "Idempotency-Key": key },
      })
      expectError(otherPassword, 422, "validation_error")
      expect(await blog.counts()).toEqual(before)
    })

    it("POST /posts/:id/comments: a retry answers the same comment", async () => {
      const { token } = await blog.member("idemc")
      const post = await blog.post(token)
      const key = freshKey()
      const send = () =>
        blog.api.post(`/posts/${post.id}/comments`, {
          token,
          json: { content: "Said once" },
          headers: { "Idempotency-Key": key },
        })
      const first = await send()
      expect(first.status).toBe(201)
      const before = await blog.counts()
      const retry = await send()
      expect([retry.status, retry.body]).toEqual([201, first.body])
      expect(await blog.counts()).toEqual(before)
    })

    it("copies racing with one key create one post; every copy answers it", async () => {
      const { token } = await blog.member("race")
      const key = freshKey()
      const before = await blog.counts()
      const answers = await Promise.all(
        Array.from({ length: 8 }, () =>
          blog.api.post("/posts", {
            token,
            json: { title: "Raced", content: "x", tags: ["race"] },
            headers: { "Idempotency-Key": key },
          }),
        ),
      )
      expect(answers.map((answer) => answer.status)).toEqual(Array(8).fill(201))
      expect(new Set(answers.map((answer) => answer.body.id)).size).toBe(1)
      const after = await blog.counts()
      expect([after.posts, after.idempotencyKeys]).toEqual([before.posts + 1, before.idempotencyKeys + 1])
    })

    it("a key is its user's: another user's request with it creates its own post", async () => {
      const key = freshKey()
      const [a, b] = [await blog.member("ka"), await blog.member("kb")]
      const json = { title: "Mine", content: "x" }
      const first = await blog.api.post("/posts", {
        token: a.token,
        json,
        headers: { "Idempotency-Key": key },
      })
      const second = await blog.api.post("/posts", {
        token: b.token,
        json,
        headers: { "Idempotency-Key": key },
      })
      expect([first.status, second.status]).toEqual([201, 201])
      expect(second.body.id).not.toBe(first.body.id)
      expect(second.headers.get("Idempotent-Replayed")).toBeNull()
    })

    it("reusing a key for a different request is 422 and writes nothing; a malformed key is 400", async () => {
      const { token } = await blog.member("reuse")
      const key = freshKey()
      const first = await blog.api.post("/posts", {
        token,
        json: { title: "One", content: "x" },
        headers: { "Idempotency-Key": key },
      })
      expect(first.status).toBe(201)
      const other = await blog.leavesNoTrace(() =>
        blog.api.post("/posts", {
          token,
          json: { title: "Two", content: "x" },
          headers: { "Idempotency-Key": key },
        }),
      )
      expectError(other, 422, "validation_error")
      for (const bad of ["", "has space", "x".repeat(256), "tab\tinside"]) {
        const answer = await blog.leavesNoTrace(() =>
          blog.api.post("/posts", {
            token,
            json: { title: "T", content: "x" },
            headers: { "Idempotency-Key": bad },
          }),
        )
        expectError(answer, 400, "bad_request")
      }
    })
  })
}
