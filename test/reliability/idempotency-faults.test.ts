// Issue 13, item 4, end to end: the blog's POST /posts whose commit is cut (applied, its answer lost)
// or dropped (never applied) answers 503 outcome_unknown, never "retry shortly"; a retry with the
// same Idempotency-Key then answers the post that exists, or creates the one that does not: exactly
// one post either way. Without a key, the same retry duplicates the post, which is why the key exists.
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { func, IntegrityError, select } from "../../src/index.ts"
import { createApp } from "../../worker/app.ts"
import type { Bindings } from "../../worker/env.ts"
import { engineFor } from "../../worker/env.ts"
import { blogErrorAnswer } from "../../worker/http/errors.ts"
import { Post } from "../../worker/models/index.ts"
import { ensureSchema } from "../../worker/schema.ts"
import { blogClient, expectError } from "../blog/client.ts"
import { type FaultRig, startFaultRig } from "./fault-rig.ts"

const AUTH_SECRET = "idempotency-faults-secret"
let rig: FaultRig
beforeAll(async () => {
  rig = await startFaultRig()
})
afterAll(() => rig?.stop())

const TRANSPORTS = ["neon-http", "libsql-http"] as const

function bindings(transport: (typeof TRANSPORTS)[number], scope: string): Bindings {
  return transport === "neon-http"
    ? {
        DATABASE_URL: rig.postgresUrl,
        NEON_FETCH_ENDPOINT: `${rig.neonProxy.url}/s/${scope}/sql`,
        AUTH_SECRET,
      }
    : { DATABASE_URL: `${rig.libsqlProxy.url}/s/${scope}/`, AUTH_SECRET }
}

describe("a lost answer to POST /posts, and its retry", () => {
  for (const transport of TRANSPORTS) {
    it(`${transport}: cut and dropped commits, retried with and without a key`, async () => {
      const scope = `blog-${transport}`
      const env = bindings(transport, scope)
      await ensureSchema(engineFor(env))
      const api = blogClient(createApp(), env)
      const proxy = rig.proxyOf(transport)
      const json = { username: "lost_answers", email: "lost@example.com", password: "password123" }
      expect((await api.post("/users", { json })).status).toBe(201)
      const { token } = (
        await api.post("/auth/token", { json: { username: json.username, password: json.password } })
      ).body as { token: string }
      const postsTitled = async (title: string) =>
        Number(
          await rig
            .inspect(transport)
            .execute(select(func.count()).selectFrom(Post).where(Post.title.eq(title)))
            .then((result) => result.scalar()),
        )
      const create = (title: string, key?: string) =>
        api.post("/posts", {
          token,
          json: { title, content: "x" },
          ...(key ? { headers: { "Idempotency-Key": key } } : {}),
        })

      for (const [fault, applied] of [
        ["cut", 1],
        ["drop", 0],
      ] as const) {
        const title = `${fault} with a key`
        proxy.arm(fault, { scope })
        const lost = await create(title, `key-${fault}`)
        expectError(lost, 503, "outcome_unknown")
        expect(lost.body.error.message).not.toMatch(/retry shortly/i)
        expect(await postsTitled(title)).toBe(applied)
        const retry = await create(title, `key-${fault}`)
        expect(retry.status).toBe(201)
        expect(retry.headers.get("Idempotent-Replayed")).toBe(applied ? "true" : null)
        expect(await postsTitled(title)).toBe(1)
      }

      proxy.arm("cut", { scope })
      expectError(await create("cut without a key"), 503, "outcome_unknown")
      expect((await create("cut without a key")).status).toBe(201)
      expect(await postsTitled("cut without a key")).toBe(2)
      expect(await rig.settled()).toMatchObject({ streams: 0, idleInTransaction: 0, proxyWebSockets: 0 })
    })
  }
})

describe("a key taken whose row cannot be read yet", () => {
  it("is answered 409 'in progress', on either database's report of the constraint", () => {
    const reports = [
      new IntegrityError("duplicate key", {
        kind: "unique",
        constraint: "uq_idempotency_keys_scope_request_key",
      }),
      new IntegrityError("UNIQUE constraint failed", { kind: "unique", columns: ["scope", "request_key"] }),
    ]
    for (const report of reports) {
      const answer = blogErrorAnswer(report)
      expect([answer?.status, answer?.message]).toEqual([409, expect.stringMatching(/in progress/)])
    }
  })
})
