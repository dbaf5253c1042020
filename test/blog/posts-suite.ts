// Writing: POST /posts, PATCH /posts/:id, DELETE /posts/:id, POST /posts/:id/comments, with their
// authorization, version checks, round-trip budgets and failures that leave no trace.
import { describe, expect, it } from "vitest"
import { expectError } from "./client.ts"
import type { Blog } from "./fixture.ts"

export function postsSuite(blog: Blog) {
  describe("writing posts", () => {
    it("POST /posts reuses known tags and creates new ones, in one round trip", async () => {
      const { id, username, token } = await blog.member("writer")
      const tag = `known-${Date.now().toString(36)}`
      await blog.post(token, { tags: [tag] })
      const before = await blog.counts()
      const answer = await blog.api.post("/posts", {
        token,
        json: { title: "Edge ORMs", content: "Body", tags: [tag.toUpperCase(), "Fresh-Tag", tag] },
      })
      expect(answer.status).toBe(201)
      expect(answer.roundTrips).toBe(1)
      expect(answer.body).toEqual({
        id: expect.any(Number),
        title: "Edge ORMs",
        content: "Body",
        published: false,
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
        version: 1,
        author: { id, username },
        tags: ["fresh-tag", tag],
        commentCount: 0,
      })
      // One new tag, two links, the post and its audit entry.
      expect(await blog.counts()).toEqual({
        ...before,
        posts: before.posts + 1,
        tags: before.tags + 1,
        postTags: before.postTags + 2,
        auditLogs: before.auditLogs + 1,
      })
    })

    it("takes tags in any script, each with one spelling: trimmed, lower-cased, composed", async () => {
      const { token } = await blog.member("scripts")
      const run = Date.now().toString(36)
      const answer = await blog.api.post("/posts", {
        token,
        json: {
          title: "Tags",
          content: "x",
          published: true,
          // "Café" twice (composed, and "e" with a combining acute), Japanese, upper-case accents.
          tags: [` Café-${run}`, `cafe\u0301-${run}`, `日本語-${run}`, `ÉTÉ-${run}`],
        },
      })
      expect(answer.status).toBe(201)
      expect(answer.body.tags).toEqual([`café-${run}`, `été-${run}`, `日本語-${run}`].sort())
      for (const path of [
        `/tags/${encodeURIComponent(`CAFE\u0301-${run}`)}/posts`,
        `/posts?tag=${encodeURIComponent(`Café-${run}`)}`,
        `/tags/${encodeURIComponent(`日本語-${run}`)}/posts`,
      ]) {
        const page = await blog.api.get(path)
        expect([path, page.status]).toEqual([path, 200])
        expect(page.body.items.map((post: { id: number }) => post.id)).toEqual([answer.body.id])
      }
    })

    it("POST /posts without tags is one round trip", async () => {
      const { token } = await blog.member("plain")
      const answer = await blog.api.post("/posts", { token, json: { title: "Plain", content: "x" } })
      expect(answer.status).toBe(201)
      expect(answer.roundTrips).toBe(1)
    })

    it("stores hostile text exactly: SQL metacharacters, quotes and unicode", async () => {
      const { token } = await blog.member("hostile")
      const title = `Robert'); DROP TABLE posts; -- "% _ \\ 🙂 עברית 中文 \u200b`
      const content = "'; DELETE FROM users WHERE '1'='1\n\t$1 ?1 :name 𝔘𝔫𝔦𝔠𝔬𝔡𝔢"
      const created = await blog.post(token, { title, content, tags: ["sql-x"] })
      const read = await blog.api.get(`/posts/${created.id}`)
      expect([read.body.title, read.body.content]).toEqual([title, content])
      const found = await blog.api.get(`/posts?q=${encodeURIComponent('DROP TABLE posts; -- "%')}`)
      expect(found.body.items.map((p: { id: number }) => p.id)).toEqual([created.id])
    })

    it.each([
      ["a tag with a space", { tags: ["fine-tag", "bad tag"] }],
      ["a tag with SQL", { tags: ["ok-tag", "x'); DROP TABLE tags;--"] }],
      ["an emoji for a tag", { tags: ["ok-tag", "🙂"] }],
      ["an empty tag", { tags: ["ok-tag", ""] }],
      ["eleven tags", { tags: Array.from({ length: 11 }, (_, i) => `t${i}`) }],
      ["a 201-character title", { title: "x".repeat(201) }],
      ["an empty title", { title: "" }],
      ["a NUL in the content", { content: "a\u0000b" }],
    ])(
      "answers 422 for a post with %s, storing nothing (no post, no tag, no audit entry)",
      async (_what, change) => {
        const { token } = await blog.member("rules")
        const answer = await blog.leavesNoTrace(() =>
          blog.api.post("/posts", { token, json: { title: "Fine", content: "c", ...change } }),
        )
        expectError(answer, 422, "validation_error")
      },
    )

    it.each([
      ["an unknown field", { title: "t", content: "c", author: 1 }],
      ["tags that are not a list", { title: "t", content: "c", tags: "a,b" }],
      ["a published flag that is a string", { title: "t", content: "c", published: "yes" }],
      ["no title", { content: "c" }],
    ])("answers 400 for a post with %s, storing nothing", async (_what, json) => {
      const { token } = await blog.member("shape")
      expectError(
        await blog.leavesNoTrace(() => blog.api.post("/posts", { token, json })),
        400,
        "bad_request",
      )
    })

    it("answers 413 for a 1 MB post, storing nothing", async () => {
      const { token } = await blog.member("huge")
      const answer = await blog.leavesNoTrace(() =>
        blog.api.post("/posts", { token, json: { title: "Huge", content: "🙂".repeat(1 << 18) } }),
      )
      expectError(answer, 413, "payload_too_large")
    })

    it("PATCH /posts/:id updates in 1 round trip, bumps version and updatedAt, and audits it", async () => {
      const { token } = await blog.member("editor")
      const post = await blog.post(token, { tags: ["keep-me"] })
      const before = await blog.counts()
      const answer = await blog.api.patch(`/posts/${post.id}`, {
        token,
        json: { title: "Edited", published: false, version: 1 },
      })
      expect(answer.status).toBe(200)
      expect(answer.roundTrips).toBe(1)
      expect(answer.body).toEqual({
        ...post,
        title: "Edited",
        published: false,
        version: 2,
        updatedAt: expect.any(String),
      })
      expect(answer.body.tags).toEqual(["keep-me"])
      expect(Date.parse(answer.body.updatedAt)).toBeGreaterThan(Date.parse(post.updatedAt))
      expect(answer.body.createdAt).toBe(post.createdAt)
      expect(await blog.counts()).toEqual({ ...before, auditLogs: before.auditLogs + 1 })
    })

    it("PATCH /posts/:id replaces tags, reusing known ones and creating new ones", async () => {
      const { token } = await blog.member("retagger")
      const known = `reuse-${Date.now().toString(36)}`
      await blog.post(token, { tags: [known] })
      const post = await blog.post(token, { tags: ["drop-me", "stay"] })
      const before = await blog.counts()
      const answer = await blog.api.patch(`/posts/${post.id}`, {
        token,
        json: { tags: ["stay", known, "brand-new"], version: 1 },
      })
      expect(answer.status).toBe(200)
      expect(answer.body).toMatchObject({ version: 2, tags: ["brand-new", known, "stay"].sort() })
      // The post is not read first: the commit writes it and reads the answer, in one request.
      expect(answer.roundTrips).toBe(1)
      expect(await blog.counts()).toEqual({
        ...before,
        tags: before.tags + 1,
        postTags: before.postTags + 1,
        auditLogs: before.auditLogs + 1,
      })
      const kept = await blog.api.patch(`/posts/${post.id}`, { token, json: { tags: ["stay"], version: 2 } })
      expect(kept.roundTrips).toBe(1)
      expect(kept.body).toMatchObject({ version: 3, tags: ["stay"], commentCount: 0 })
      // No change asked: the post as it is, read in one request, nothing written.
      const same = await blog.leavesNoTrace(() =>
        blog.api.patch(`/posts/${post.id}`, { token, json: { version: 3 } }),
      )
      expect([same.status, same.roundTrips, same.body]).toEqual([200, 1, kept.body])
    })

    it("refuses a stale version with 409 and changes nothing", async () => {
      const { token } = await blog.member("racer")
      const post = await blog.post(token, { tags: ["race"] })
      // Two editors read version 1; the first one wins.
      const first = await blog.api.patch(`/posts/${post.id}`, { token, json: { title: "First", version: 1 } })
      expect(first.status).toBe(200)
      const stale = await blog.leavesNoTrace(() =>
        blog.api.patch(`/posts/${post.id}`, {
          token,
          json: { title: "Second", tags: ["other"], version: 1 },
        }),
      )
      expectError(stale, 409, "conflict")
      expect(stale.body.error.message).toBe(`Post ${post.id} is at version 2, not 1; reload it and retry`)
      // The refused write, then one query to say why.
      expect(stale.roundTrips).toBe(2)
      const read = await blog.api.get(`/posts/${post.id}`)
      expect(read.body).toMatchObject({ title: "First", version: 2, tags: ["race"] })
    })

    it("lets one of two concurrent edits of the same version win; the other gets 409 and writes nothing", async () => {
      const { token } = await blog.member("concurrent")
      const post = await blog.post(token, { tags: ["one"] })
      const before = await blog.counts()
      // However they interleave, the loser fails: at the version check, or at the UPDATE's (StaleDataError).
      const answers = await Promise.all(
        ["Left", "Right"].map((title) =>
          blog.api.patch(`/posts/${post.id}`, {
            token,
            json: { title, tags: [title.toLowerCase()], version: 1 },
          }),
        ),
      )
      expect(answers.map((a) => a.status).sort()).toEqual([200, 409])
      const winner = answers.find((a) => a.status === 200)
      expectError(answers.find((a) => a.status === 409) as (typeof answers)[number], 409, "conflict")
      const read = await blog.api.get(`/posts/${post.id}`)
      expect(read.body).toMatchObject({ title: winner?.body.title, version: 2, tags: winner?.body.tags })
      // One update, one audit entry, one new tag: nothing of the loser's.
      expect(await blog.counts()).toEqual({
        ...before,
        tags: before.tags + 1,
        auditLogs: before.auditLogs + 1,
      })
    })

    it("lets only the author edit or delete a post (403), and hides others' drafts (404)", async () => {
      const author = await blog.member("owner")
      const intruder = await blog.member("intruder")
      const post = await blog.post(author.token)
      const draft = await blog.post(author.token, { published: false })
      const edit = await blog.leavesNoTrace(() =>
        blog.api.patch(`/posts/${post.id}`, {
          token: intruder.token,
          json: { title: "Mine now", version: 1 },
        }),
      )
      expectError(edit, 403, "forbidden")
      expect(edit.roundTrips).toBe(2)
      const removal = await blog.leavesNoTrace(() =>
        blog.api.delete(`/posts/${post.id}`, { token: intruder.token }),
      )
      expectError(removal, 403, "forbidden")
      expect(removal.roundTrips).toBe(2)
      expectError(
        await blog.api.patch(`/posts/${draft.id}`, { token: intruder.token, json: { version: 1 } }),
        404,
        "not_found",
      )
      const draftEdit = await blog.leavesNoTrace(() =>
        blog.api.patch(`/posts/${draft.id}`, { token: intruder.token, json: { title: "x", version: 1 } }),
      )
      expectError(draftEdit, 404, "not_found")
      expectError(
        await blog.leavesNoTrace(() => blog.api.delete(`/posts/${draft.id}`, { token: intruder.token })),
        404,
        "not_found",
      )
      expectError(await blog.api.get(`/posts/${draft.id}`, { token: intruder.token }), 404, "not_found")
      expectError(await blog.api.get(`/posts/${draft.id}`), 404, "not_found")
      expect((await blog.api.get(`/posts/${draft.id}`, { token: author.token })).status).toBe(200)
      expectError(await blog.api.patch(`/posts/${post.id}`, { json: { version: 1 } }), 401, "unauthorized")
    })

    it("PATCH answers 400 without a version or with unknown fields, 404 for a missing post", async () => {
      const { token } = await blog.member("patcher")
      const post = await blog.post(token)
      expectError(
        await blog.api.patch(`/posts/${post.id}`, { token, json: { title: "x" } }),
        400,
        "bad_request",
      )
      expectError(
        await blog.api.patch(`/posts/${post.id}`, { token, json: { version: 1, x: 1 } }),
        400,
        "bad_request",
      )
      expectError(
        await blog.api.patch(`/posts/${post.id}`, { token, json: { version: 1, title: "" } }),
        422,
        "validation_error",
      )
      // A version the column cannot hold is refused by name, with or without a change.
      for (const json of [{ version: 3e9, title: "x" }, { version: 2 ** 53 }]) {
        const tooLarge = await blog.api.patch(`/posts/${post.id}`, { token, json })
        expectError(tooLarge, 422, "validation_error")
        expect(JSON.stringify(tooLarge.body)).toContain("version")
      }
      const badTags = await blog.leavesNoTrace(() =>
        blog.api.patch(`/posts/${post.id}`, { token, json: { version: 1, tags: ["new-one", "no spaces"] } }),
      )
      expectError(badTags, 422, "validation_error")
      expect((await blog.api.get(`/posts/${post.id}`)).body).toMatchObject({ version: 1, tags: [] })
      expectError(
        await blog.api.patch("/posts/2147483647", { token, json: { version: 1 } }),
        404,
        "not_found",
      )
      const missing = await blog.api.patch("/posts/2147483647", { token, json: { title: "t", version: 1 } })
      expectError(missing, 404, "not_found")
      expect(missing.roundTrips).toBe(2)
      expectError(await blog.api.patch("/posts/abc", { token, json: { version: 1 } }), 404, "not_found")
    })

    it("DELETE /posts/:id deletes its comments and tag links too, in 1 round trip", async () => {
      const author = await blog.member("deleter")
      const reader = await blog.member("reader")
      const post = await blog.post(author.token, { tags: ["doomed-a", "doomed-b"] })
      for (const content of ["one", "two"]) {
        expect(
          (await blog.api.post(`/posts/${post.id}/comments`, { token: reader.token, json: { content } }))
            .status,
        ).toBe(201)
      }
      const before = await blog.counts()
      const answer = await blog.api.delete(`/posts/${post.id}`, { token: author.token })
      expect(answer.status).toBe(204)
      expect(answer.body).toBeUndefined()
      expect(answer.roundTrips).toBe(1)
      expect(await blog.counts()).toEqual({
        ...before,
        posts: before.posts - 1,
        comments: before.comments - 2,
        postTags: before.postTags - 2,
        auditLogs: before.auditLogs + 1,
      })
      expectError(await blog.api.get(`/posts/${post.id}`), 404, "not_found")
      const again = await blog.api.delete(`/posts/${post.id}`, { token: author.token })
      expectError(again, 404, "not_found")
      expect(again.roundTrips).toBe(2)
    })

    it("POST /posts/:id/comments comments on published posts only", async () => {
      const author = await blog.member("host")
      const guest = await blog.member("guest")
      const post = await blog.post(author.token)
      const draft = await blog.post(author.token, { published: false })
      const answer = await blog.api.post(`/posts/${post.id}/comments`, {
        token: guest.token,
        json: { content: "Great post!" },
      })
      expect(answer.status).toBe(201)
      expect(answer.body).toEqual({
        id: expect.any(Number),
        content: "Great post!",
        createdAt: expect.any(String),
        author: { id: guest.id, username: guest.username },
      })
      const comment = (body: unknown, token = guest.token, id = post.id) =>
        blog.leavesNoTrace(() => blog.api.post(`/posts/${id}/comments`, { token, json: body }))
      expectError(await comment({ content: "on a draft" }, guest.token, draft.id), 404, "not_found")
      expectError(await comment({ content: "nowhere" }, guest.token, 2147483647), 404, "not_found")
      expectError(await comment({ content: "" }), 422, "validation_error")
      expectError(await comment({ content: "x".repeat(5001) }), 422, "validation_error")
      expectError(await comment({ content: 5 }), 400, "bad_request")
      expectError(await comment({ content: "anon" }, ""), 401, "unauthorized")
    })
  })
}
