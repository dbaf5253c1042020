// The blog worker (worker/app.ts) attacked over HTTP as a hostile or careless client would, on both
// databases (day 6 review): retries of Idempotency-Keys whose resource was deleted (SQLite gave a
// deleted row's id to the next insert, until the blog's tables took sqliteAutoincrement), a comment
// racing its post's deletion, the bearer scheme in another case, bodies sent without a JSON
// Content-Type, the login of an inactive account, and an email in decomposed Unicode.
import { afterEach, describe, expect, it, vi } from "vitest"
import { deleteFrom, func, select, update } from "../../src/index.ts"
import { Comment, Post, User } from "../../worker/models/index.ts"
import { expectError } from "../blog/client.ts"
import { useBlog } from "../blog/fixture.ts"
import { blogDatabases } from "../reliability/blog-in-node.ts"

afterEach(() => {
  vi.restoreAllMocks()
})

for (const [name, open] of blogDatabases) {
  describe(`hostile clients of the blog on ${name}`, () => {
    const blog = useBlog(open)
    const key = (what: string) => ({ "Idempotency-Key": `${what}-${Date.now().toString(36)}` })

    it("a post's Idempotency-Key retried after the post was deleted answers 404, never the post that took its id", async () => {
      const author = await blog.member("keyed")
      const other = await blog.member("other")
      const headers = key("post")
      const json = { title: "Keyed", content: "c", published: true }
      const first = await blog.api.post("/posts", { token: author.token, json, headers })
      expect(first.status).toBe(201)
      expect((await blog.api.delete(`/posts/${first.body.id}`, { token: author.token })).status).toBe(204)
      // No database gives this draft the deleted post's id (SQLite did before sqliteAutoincrement).
      const draft = await blog.post(other.token, {
        title: "Someone's draft",
        content: "secret",
        published: false,
      })
      expect(draft.id).not.toBe(first.body.id)
      const retry = await blog.leavesNoTrace(() =>
        blog.api.post("/posts", { token: author.token, json, headers }),
      )
      expectError(retry, 404, "not_found")
      expect(JSON.stringify(retry.body)).not.toContain("secret")
      expect(retry.headers.get("Idempotent-Replayed")).toBeNull()
      expect((await blog.api.get(`/posts/${draft.id}`, { token: other.token })).body.title).toBe(
        "Someone's draft",
      )
    })

    it("a comment's Idempotency-Key retried after the comment went answers 404, never the comment that took its id", async () => {
      const commenter = await blog.member("commenter")
      const host = await blog.member("host")
      const third = await blog.member("third")
      const headers = key("comment")
      const post = await blog.post(host.token)
      const first = await blog.api.post(`/posts/${post.id}/comments`, {
        token: commenter.token,
        json: { content: "Mine" },
        headers,
      })
      expect(first.status).toBe(201)
      // The post goes, its comments with it; the next post and comment do not take their ids.
      expect((await blog.api.delete(`/posts/${post.id}`, { token: host.token })).status).toBe(204)
      const next = await blog.post(host.token)
      const theirs = await blog.api.post(`/posts/${next.id}/comments`, {
        token: third.token,
        json: { content: "Theirs" },
      })
      expect(theirs.status).toBe(201)
      expect([next.id === post.id, theirs.body.id === first.body.id]).toEqual([false, false])
      const retry = await blog.leavesNoTrace(() =>
        blog.api.post(`/posts/${post.id}/comments`, {
          token: commenter.token,
          json: { content: "Mine" },
          headers,
        }),
      )
      expectError(retry, 404, "not_found")
      expect(JSON.stringify(retry.body)).not.toContain("Theirs")
      expect((await blog.api.get(`/posts/${next.id}`)).body.comments).toEqual([theirs.body])
    })

    it("a sign-up's Idempotency-Key retried after its user was deleted answers 404, never the account that took its id", async () => {
      const name = `signup_${Date.now().toString(36)}`
      const json = { username: name, email: `${name}@example.com`, password: "password123" }
      const headers = key("signup")
      const first = await blog.api.post("/users", { json, headers })
      expect(first.status).toBe(201)
      await blog.database.inspect.execute(deleteFrom(User).where(User.id.eq(first.body.id)))
      // This account does not get the deleted user's id (SQLite gave it before sqliteAutoincrement).
      const next = await blog.member("next")
      expect(next.id).not.toBe(first.body.id)
      const retry = await blog.leavesNoTrace(() => blog.api.post("/users", { json, headers }))
      expectError(retry, 404, "not_found")
      expect(JSON.stringify(retry.body)).not.toContain(next.username)
    })

    /** Runs `request` with the post (and the user, if given) deleted just before its commit is sent. */
    async function deletedBeforeCommit<T>(
      postId: number,
      userId: number | undefined,
      request: () => Promise<T>,
    ) {
      const inspect = blog.database.inspect
      const realFetch = globalThis.fetch
      let deleted = false
      vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
        // Neon's driver sends a string body; libSQL's client a Request.
        const sent =
          typeof init?.body === "string"
            ? init.body
            : input instanceof Request
              ? await input.clone().text()
              : ""
        if (!deleted && /INSERT INTO \\?"?comments\b/i.test(sent)) {
          deleted = true
          await inspect.execute(deleteFrom(Post).where(Post.id.eq(postId)))
          if (userId !== undefined) await inspect.execute(deleteFrom(User).where(User.id.eq(userId)))
        }
        return realFetch(input, init)
      })
      try {
        return await request()
      } finally {
        vi.restoreAllMocks()
        expect(deleted).toBe(true)
      }
    }

    /**
     * The post's check, the commit's INSERT, one query. (On SQLite the commit carried a check of the
     * token's user too, while SQLite gave a deleted user's id to the next sign-up.)
     */
    const statementsOfRefusedComment = () => 3

    const commentsOn = async (postId: number) =>
      Number(
        (
          await blog.database.inspect.execute(
            select(func.count()).selectFrom(Comment).where(Comment.postId.eq(postId)),
          )
        ).scalar(),
      )

    it("a comment whose post is deleted between its check and its commit is 404, writing nothing", async () => {
      const host = await blog.member("racehost")
      const guest = await blog.member("raceguest")
      const post = await blog.post(host.token)
      const before = await blog.counts()
      const answer = await deletedBeforeCommit(post.id, undefined, () =>
        blog.api.post(`/posts/${post.id}/comments`, { token: guest.token, json: { content: "Too late" } }),
      )
      expectError(answer, 404, "not_found")
      expect(answer.body.error.message).toBe(`No published post ${post.id}`)
      // The post's check, the refused commit, the query that tells why.
      expect([answer.roundTrips, answer.statements]).toEqual([3, statementsOfRefusedComment()])
      expect(await blog.counts()).toEqual({ ...before, posts: before.posts - 1 })
      expect(await commentsOn(post.id)).toBe(0)
    })

    it("a comment whose post and user are both deleted before its commit is 401 (the token is for nobody), in 3 round trips", async () => {
      const host = await blog.member("bothhost")
      const guest = await blog.member("bothguest")
      const post = await blog.post(host.token)
      const answer = await deletedBeforeCommit(post.id, guest.id, () =>
        blog.api.post(`/posts/${post.id}/comments`, { token: guest.token, json: { content: "Too late" } }),
      )
      expectError(answer, 401, "unauthorized")
      expect(answer.body.error.message).toMatch(/no longer exists/)
      expect([answer.roundTrips, answer.statements]).toEqual([3, statementsOfRefusedComment()])
      expect(await commentsOn(post.id)).toBe(0)
    })

    it("a comment by a deleted user on a post that still exists stays 401", async () => {
      const host = await blog.member("stayhost")
      const gone = await blog.member("gonecommenter")
      const post = await blog.post(host.token)
      await blog.database.inspect.execute(deleteFrom(User).where(User.id.eq(gone.id)))
      // On SQLite, no sign-up after the deletion: its id is not taken again here.
      const answer = await blog.leavesNoTrace(() =>
        blog.api.post(`/posts/${post.id}/comments`, { token: gone.token, json: { content: "boo" } }),
      )
      expectError(answer, 401, "unauthorized")
      // The post's check, the refused commit, one query that tells why.
      expect([answer.roundTrips, answer.statements]).toEqual([3, statementsOfRefusedComment()])
    })

    it("a deleted user's token does not act as the next sign-up (SQLite gave it the id before sqliteAutoincrement)", async () => {
      const gone = await blog.member("ghost")
      await blog.database.inspect.execute(deleteFrom(User).where(User.id.eq(gone.id)))
      const heir = await blog.member("heir")
      // The next sign-up gets a new id, on SQLite as on PostgreSQL.
      expect(heir.id === gone.id).toBe(false)
      const published = await blog.post(heir.token, { title: "Heir's post" })
      const draft = await blog.post(heir.token, {
        title: "Heir's draft",
        content: "secret",
        published: false,
      })
      const ghost = { token: gone.token }

      const created = await blog.leavesNoTrace(() =>
        blog.api.post("/posts", { ...ghost, json: { title: "Ghost", content: "c", tags: ["ghost-tag"] } }),
      )
      expectError(created, 401, "unauthorized")
      const keyed = await blog.leavesNoTrace(() =>
        blog.api.post("/posts", { ...ghost, json: { title: "Ghost", content: "c" }, headers: key("ghost") }),
      )
      expectError(keyed, 401, "unauthorized")
      const commented = await blog.leavesNoTrace(() =>
        blog.api.post(`/posts/${published.id}/comments`, { ...ghost, json: { content: "boo" } }),
      )
      expectError(commented, 401, "unauthorized")
      // The heir's posts are not the ghost's: someone else's (403) or a draft not shown (404).
      const edited = await blog.leavesNoTrace(() =>
        blog.api.patch(`/posts/${published.id}`, {
          ...ghost,
          json: { title: "Mine", tags: ["x"], version: 1 },
        }),
      )
      expectError(edited, 403, "forbidden")
      const peeked = await blog.api.patch(`/posts/${draft.id}`, { ...ghost, json: { version: 1 } })
      expectError(peeked, 404, "not_found")
      expect(JSON.stringify(peeked.body)).not.toContain("secret")
      const removed = await blog.leavesNoTrace(() => blog.api.delete(`/posts/${published.id}`, ghost))
      expectError(removed, 403, "forbidden")
      const read = await blog.api.get(`/posts/${draft.id}`, ghost)
      expectError(read, 404, "not_found")
      expect(JSON.stringify(read.body)).not.toContain("secret")

      // The heir's own token does all of it, each write in one round trip.
      const own = await blog.api.post("/posts", { token: heir.token, json: { title: "Own", content: "c" } })
      expect([own.status, own.roundTrips, own.body.author]).toEqual([
        201,
        1,
        { id: heir.id, username: heir.username },
      ])
      // The post and its audit entry (on SQLite no more a check of the token's user: one statement less).
      expect(own.statements).toBe(2)
      const comment = await blog.api.post(`/posts/${published.id}/comments`, {
        token: heir.token,
        json: { content: "Mine" },
      })
      expect([comment.status, comment.roundTrips]).toEqual([201, 2])
      expect((await blog.api.get(`/posts/${draft.id}`, { token: heir.token })).body.content).toBe("secret")
      const same = await blog.api.patch(`/posts/${draft.id}`, { token: heir.token, json: { version: 1 } })
      expect([same.status, same.roundTrips, same.body.content]).toEqual([200, 1, "secret"])
      const edit = await blog.api.patch(`/posts/${published.id}`, {
        token: heir.token,
        json: { title: "Edited", tags: ["kept"], version: 1 },
      })
      expect([edit.status, edit.roundTrips, edit.body.title, edit.body.tags]).toEqual([
        200,
        1,
        "Edited",
        ["kept"],
      ])
      const deleted = await blog.api.delete(`/posts/${own.body.id}`, { token: heir.token })
      expect([deleted.status, deleted.roundTrips]).toEqual([204, 1])
    })

    it("GET /posts?q matches titles case-insensitively beyond ASCII, on SQLite as on PostgreSQL", async () => {
      const { token } = await blog.member("unicode")
      const stamp = Date.now().toString(36)
      const titles = [`ÉCOLE ${stamp}`, `Straße Ωmega ${stamp}`, `ΟΔΟΣ ${stamp}`, `Привет ${stamp}`]
      const ids = []
      for (const title of titles) ids.push((await blog.post(token, { title })).id)
      const found = async (q: string) =>
        (await blog.api.get(`/posts?q=${encodeURIComponent(q)}`)).body.items.map((p: { id: number }) => p.id)
      expect(await found(`école ${stamp}`)).toEqual([ids[0]])
      expect(await found("ωMEGA")).toEqual([ids[1]])
      expect(await found(`οδοσ ${stamp}`)).toEqual([ids[2]])
      expect(await found(`пРИВЕТ ${stamp}`)).toEqual([ids[3]])
      // An edit folds the new title; the old one no longer matches.
      const edited = await blog.api.patch(`/posts/${ids[0]}`, {
        token,
        json: { title: `ÜBER ${stamp}`, version: 1 },
      })
      expect(edited.status).toBe(200)
      expect(await found(`über ${stamp}`)).toEqual([ids[0]])
      expect(await found(`école ${stamp}`)).toEqual([])
      // ASCII as before, with % and _ as plain characters.
      expect(await found(`école`)).toEqual([])
      expect(await found(`STRASSE`)).toEqual([])
      expect(await found("%")).toEqual([])
    })

    it("a username taken in another case is taken (no 'Alice' beside 'alice')", async () => {
      const stamp = Date.now().toString(36)
      const signup = (username: string, n: number) =>
        blog.api.post("/users", {
          json: { username, email: `case${n}.${stamp}@example.com`, password: "password123" },
        })
      const first = await signup(`Case_${stamp}`, 1)
      expect(first.status).toBe(201)
      for (const [n, twin] of [`case_${stamp}`, `CASE_${stamp.toUpperCase()}`].entries()) {
        const answer = await blog.leavesNoTrace(() => signup(twin, n + 2))
        expectError(answer, 409, "conflict")
        expect(answer.body.error.message).toBe("That username is taken")
      }
      const login = await blog.api.post("/auth/token", {
        json: { username: `Case_${stamp}`, password: "password123" },
      })
      expect(login.status).toBe(200)
    })

    it("an inactive account's login costs the password check any other login costs, and is refused", async () => {
      const inactive = await blog.member("inactive")
      await blog.database.inspect.execute(
        update(User).values({ isActive: false }).where(User.id.eq(inactive.id)),
      )
      const derivations = vi.spyOn(crypto.subtle, "deriveBits")
      const login = (username: string, password: string) =>
        blog.api.post("/auth/token", { json: { username, password } })
      const calls: number[] = []
      for (const [username, password] of [
        [inactive.username, "password123"],
        [inactive.username, "wrong-password"],
        ["nobody_by_that_name", "password123"],
      ] as const) {
        derivations.mockClear()
        expectError(await login(username, password), 401, "unauthorized")
        calls.push(derivations.mock.calls.length)
      }
      // One PBKDF2 derivation each: an inactive account is not told apart by a quicker answer.
      expect(calls).toEqual([1, 1, 1])
    })

    it("an email written with a combining accent is the one written with the composed letter (NFC)", async () => {
      const stamp = Date.now().toString(36)
      const composed = `jos\u00e9.${stamp}@example.com`
      const decomposed = `jose\u0301.${stamp}@example.com`
      const first = await blog.api.post("/users", {
        json: { username: `nfc_a_${stamp}`, email: decomposed, password: "password123" },
      })
      expect(first.status).toBe(201)
      expect(first.body.email).toBe(composed)
      const twin = await blog.leavesNoTrace(() =>
        blog.api.post("/users", {
          json: { username: `nfc_b_${stamp}`, email: composed.toUpperCase(), password: "password123" },
        }),
      )
      expectError(twin, 409, "conflict")
      expect(twin.body.error.message).toBe("That email is already registered")
    })

    it("takes the bearer scheme in any case and after several spaces (RFC 9110, RFC 6750)", async () => {
      const { token } = await blog.member("scheme")
      for (const authorization of [`bearer ${token}`, `BEARER ${token}`, `Bearer   ${token}`]) {
        const created = await blog.api.post("/posts", {
          headers: { authorization },
          json: { title: "Scheme", content: "c" },
        })
        expect(created.status, authorization.slice(0, 10)).toBe(201)
        expect((await blog.api.get("/audit", { headers: { authorization } })).status).toBe(200)
      }
      for (const authorization of [
        `Bearer${token}`,
        `Basic ${token}`,
        `Bearer ${token} x`,
        `Bearer\t${token}`,
      ]) {
        const refused = await blog.leavesNoTrace(() =>
          blog.api.post("/posts", { headers: { authorization }, json: { title: "Scheme", content: "c" } }),
        )
        expectError(refused, 401, "unauthorized")
      }
    })

    it("answers a method a resource does not take with 405 and the methods it takes (Allow)", async () => {
      const { token } = await blog.member("methods")
      const post = await blog.post(token)
      for (const [method, path, allow] of [
        ["PUT", `/posts/${post.id}`, "DELETE, GET, HEAD, PATCH"],
        ["POST", `/posts/${post.id}`, "DELETE, GET, HEAD, PATCH"],
        ["DELETE", "/posts", "GET, HEAD, POST"],
        ["PUT", `/posts/${post.id}/comments`, "POST"],
        ["GET", "/auth/token", "POST"],
        ["POST", "/stats", "GET, HEAD"],
        ["DELETE", `/users/${post.author.id}`, "GET, HEAD"],
        ["PATCH", "/tags/go/posts", "GET, HEAD"],
        ["POST", "/audit", "GET, HEAD"],
      ] as const) {
        const answer = await blog.leavesNoTrace(() =>
          blog.api.call(method, path, { token, ...(method === "GET" ? {} : { json: { version: 1 } }) }),
        )
        expectError(answer, 405, "method_not_allowed")
        expect([method, path, answer.headers.get("allow")]).toEqual([method, path, allow])
      }
      // No route at all stays 404, and so does a path the routes do not take (a trailing slash).
      expectError(await blog.api.call("PUT", "/nowhere"), 404, "not_found")
      expectError(await blog.api.get(`/posts/${post.id}/`), 404, "not_found")
      expectError(await blog.api.get(`/posts/${post.id}/likes`), 404, "not_found")
      expect((await blog.api.get(`/posts/${post.id}`)).status).toBe(200)
    })

    it("refuses a JSON body sent as another media type (or none) by saying so, storing nothing", async () => {
      const { token } = await blog.member("media")
      const post = await blog.post(token)
      const body = JSON.stringify({ title: "Typed", content: "c" })
      for (const type of ["text/plain", "", "application/x-www-form-urlencoded", "multipart/form-data"]) {
        const answers = [
          await blog.api.post("/posts", { token, raw: body, headers: { "content-type": type } }),
          await blog.api.patch(`/posts/${post.id}`, {
            token,
            raw: JSON.stringify({ title: "x", version: 1 }),
            headers: { "content-type": type },
          }),
          await blog.api.post("/users", {
            raw: JSON.stringify({ username: "typed_user", email: "t@example.com", password: "password123" }),
            headers: { "content-type": type },
          }),
        ]
        for (const answer of answers) {
          expectError(answer, 400, "bad_request")
          expect(answer.body.error.message).toContain("Content-Type: application/json")
          expect(answer.roundTrips).toBe(0)
        }
      }
      for (const type of [
        "application/json; charset=utf-8",
        "APPLICATION/JSON",
        "application/merge-patch+json",
      ]) {
        const created = await blog.api.post("/posts", { token, raw: body, headers: { "content-type": type } })
        expect(created.status, type).toBe(201)
      }
      expect((await blog.api.get(`/posts/${post.id}`)).body.version).toBe(1)
    })
  })
}
