// Signing up, tokens and users: POST /users, POST /auth/token, GET /users/:id, GET /users/:id/posts.

import { sign } from "hono/jwt"
import { describe, expect, it } from "vitest"
import { signToken } from "../../worker/auth/token.ts"
import { expectError } from "./client.ts"
import { AUTH_SECRET } from "./databases.ts"
import type { Blog } from "./fixture.ts"

export function usersSuite(blog: Blog) {
  describe("users and tokens", () => {
    it("GET /health runs one query on the configured database", async () => {
      const answer = await blog.api.get("/health")
      expect(answer.status).toBe(200)
      expect(answer.body).toEqual({ ok: true, database: blog.database.dialect })
      expect(answer.roundTrips).toBe(1)
    })

    it("POST /users creates a user in one round trip, lower-cases the email and never shows the hash", async () => {
      const before = await blog.counts()
      const answer = await blog.api.post("/users", {
        json: { username: "Ada_Lovelace", email: "Ada@Example.COM", password: "analytical", bio: "Notes" },
      })
      expect(answer.status).toBe(201)
      expect(answer.roundTrips).toBe(1)
      expect(answer.body).toEqual({
        id: expect.any(Number),
        username: "Ada_Lovelace",
        email: "ada@example.com",
        bio: "Notes",
        createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        isActive: true,
      })
      // The audit entry went in the same transaction.
      expect(await blog.counts()).toEqual({
        ...before,
        users: before.users + 1,
        auditLogs: before.auditLogs + 1,
      })
    })

    it("refuses a duplicate username or email with 409 and leaves no trace", async () => {
      const { username } = await blog.member("dup")
      const sameName = await blog.leavesNoTrace(() =>
        blog.api.post("/users", { json: { username, email: "other@example.com", password: "password123" } }),
      )
      expectError(sameName, 409, "conflict")
      expect(sameName.roundTrips).toBe(1)
      const sameEmail = await blog.leavesNoTrace(() =>
        blog.api.post("/users", {
          json: {
            username: `${username}_2`.slice(0, 50),
            email: `${username}@EXAMPLE.com`,
            password: "password123",
          },
        }),
      )
      expectError(sameEmail, 409, "conflict")
    })

    it.each([
      ["an email without @", { email: "nobody.example.com" }],
      ["a short password", { password: "short" }],
      ["a short username", { username: "ab" }],
      ["SQL in the username", { username: "x'); DROP TABLE users; --" }],
      ["a non-ASCII username", { username: "ñandú_ü" }],
      ["a NUL in the bio", { bio: "a\u0000b" }],
      ["a lone surrogate in the bio", { bio: "\ud800" }],
    ])("answers 422 validation_error for %s, storing nothing", async (_what, change) => {
      const answer = await blog.leavesNoTrace(() =>
        blog.api.post("/users", {
          json: { username: "valid_name", email: "valid@example.com", password: "password123", ...change },
        }),
      )
      expectError(answer, 422, "validation_error")
    })

    it.each([
      ["malformed JSON", { raw: '{"username": "x",' }],
      [
        "an unknown field",
        { json: { username: "u_x1", email: "u@x.io", password: "password123", admin: true } },
      ],
      ["a wrong type", { json: { username: 42, email: "u@x.io", password: "password123" } }],
      ["a missing field", { json: { username: "u_x2", password: "password123" } }],
      ["an array body", { json: [] }],
    ])("answers 400 bad_request for %s, storing nothing", async (_what, options) => {
      const answer = await blog.leavesNoTrace(() => blog.api.post("/users", options))
      expectError(answer, 400, "bad_request")
    })

    it("answers 413 for a 1 MB body, storing nothing", async () => {
      const answer = await blog.leavesNoTrace(() =>
        blog.api.post("/users", {
          json: {
            username: "big_one",
            email: "big@example.com",
            password: "password123",
            bio: "x".repeat(1 << 20),
          },
        }),
      )
      expectError(answer, 413, "payload_too_large")
    })

    it("POST /auth/token signs a token valid 24 hours; wrong passwords and unknown users get 401", async () => {
      const { username } = await blog.member("login")
      const answer = await blog.api.post("/auth/token", { json: { username, password: "password123" } })
      expect(answer.status).toBe(200)
      expect(Object.keys(answer.body).sort()).toEqual(["expiresAt", "token"])
      const lifetime = Date.parse(answer.body.expiresAt) - Date.now()
      expect(lifetime).toBeGreaterThan(24 * 3600_000 - 60_000)
      expect(lifetime).toBeLessThanOrEqual(24 * 3600_000)
      expectError(
        await blog.api.post("/auth/token", { json: { username, password: "wrong-password" } }),
        401,
        "unauthorized",
      )
      expectError(
        await blog.api.post("/auth/token", { json: { username: "nobody_here", password: "password123" } }),
        401,
        "unauthorized",
      )
      expectError(await blog.api.post("/auth/token", { json: { username } }), 400, "bad_request")
    })

    it("POST /auth/token answers a standard HS256 JWT whose sub is the user id and exp the expiry", async () => {
      const { id, username, token } = await blog.member("jwt")
      const [header, payload, signature] = token.split(".") as [string, string, string]
      expect(decodeSegment(header)).toEqual({ alg: "HS256", typ: "JWT" })
      const claims = decodeSegment(payload)
      expect(claims).toEqual({
        sub: String(id),
        name: username,
        iat: expect.any(Number),
        exp: expect.any(Number),
      })
      expect(claims.exp - claims.iat).toBe(24 * 3600)
      // Checked with WebCrypto here, not with the worker's code: any JWT library accepts it.
      const key = await crypto.subtle.importKey(
        "raw",
        new TextEncoder().encode(AUTH_SECRET),
        { name: "HMAC", hash: "SHA-256" },
        false,
        ["verify"],
      )
      const genuine = await crypto.subtle.verify(
        "HMAC",
        key,
        base64UrlBytes(signature),
        new TextEncoder().encode(`${header}.${payload}`),
      )
      expect(genuine).toBe(true)
    })

    it("refuses missing, malformed, forged and expired tokens with 401", async () => {
      const { id, username, token } = await blog.member("tok")
      const post = (options: { token?: string; headers?: Record<string, string> }) =>
        blog.leavesNoTrace(() => blog.api.post("/posts", { ...options, json: { title: "t", content: "c" } }))
      const [header, payload, signature] = token.split(".") as [string, string, string]
      const inOneHour = Math.floor(Date.now() / 1000) + 3600
      const expired = await signToken({ sub: id, name: username, exp: inOneHour - 3601 - 60 }, AUTH_SECRET)
      const otherSecret = await signToken({ sub: id, name: username, exp: inOneHour }, "not-the-secret")
      const forgedPayload = encodeSegment({ ...decodeSegment(payload), sub: String(id + 1) })
      const unsigned = `${encodeSegment({ alg: "none", typ: "JWT" })}.${payload}.`
      for (const options of [
        {},
        { headers: { authorization: token } },
        { headers: { authorization: `Basic ${token}` } },
        { token: "garbage" },
        { token: `${payload}.${signature}` },
        { token: `${header}.${payload}.${signature.slice(0, -2)}xx` },
        { token: `${header}.${forgedPayload}.${signature}` },
        { token: unsigned },
        { token: expired },
        { token: otherSecret },
        // Right secret, but not what the worker issues: another algorithm, no expiry, a sub that is no id.
        { token: await sign({ sub: String(id), name: username, exp: inOneHour }, AUTH_SECRET, "HS512") },
        { token: await sign({ sub: String(id), name: username }, AUTH_SECRET, "HS256") },
        { token: await sign({ sub: "admin", name: username, exp: inOneHour }, AUTH_SECRET, "HS256") },
      ]) {
        expectError(await post(options), 401, "unauthorized")
      }
    })

    it("GET /users/:id shows the user with the count of their published posts", async () => {
      const { id, token } = await blog.member("counted")
      await blog.post(token)
      await blog.post(token)
      await blog.post(token, { published: false })
      const answer = await blog.api.get(`/users/${id}`)
      expect(answer.status).toBe(200)
      expect(answer.roundTrips).toBe(1)
      expect(answer.body).toMatchObject({ id, postCount: 2, isActive: true })
      expect(answer.body).not.toHaveProperty("passwordHash")
    })

    it("GET /users/:id/posts pages that user's published posts, newest first", async () => {
      const { id, token } = await blog.member("pager")
      const titles = []
      for (let i = 0; i < 3; i++) titles.push((await blog.post(token, { title: `Mine ${i}` })).title)
      await blog.post(token, { published: false, title: "Draft" })
      const answer = await blog.api.get(`/users/${id}/posts?page=1&pageSize=2`)
      expect(answer.status).toBe(200)
      expect(answer.roundTrips).toBe(1)
      expect({ ...answer.body, items: answer.body.items.map((p: { title: string }) => p.title) }).toEqual({
        items: [titles[2], titles[1]],
        page: 1,
        pageSize: 2,
        total: 3,
      })
    })

    it.each(["0", "-1", "abc", "1.5", "1e3", "99999999999999999999", "2147483648"])(
      "answers 404 not_found for the user id %s",
      async (id) => {
        expectError(await blog.api.get(`/users/${id}`), 404, "not_found")
        expectError(await blog.api.get(`/users/${id}/posts`), 404, "not_found")
      },
    )

    it("answers 404 for a user that does not exist", async () => {
      expectError(await blog.api.get("/users/2147483647"), 404, "not_found")
      expectError(await blog.api.get("/users/2147483647/posts"), 404, "not_found")
    })
  })
}

// biome-ignore lint/suspicious/noExplicitAny: a decoded JWT segment, asserted field by field.
function decodeSegment(segment: string): any {
  return JSON.parse(new TextDecoder().decode(base64UrlBytes(segment)))
}

function encodeSegment(value: unknown): string {
  return btoa(JSON.stringify(value)).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_")
}

function base64UrlBytes(text: string): Uint8Array<ArrayBuffer> {
  return Uint8Array.from(atob(text.replace(/-/g, "+").replace(/_/g, "/")), (char) => char.charCodeAt(0))
}
