// GET /audit is for signed-in users (BLOG_API.md: 401 for a token that is not valid). Tokens are checked
// without a query, so a token outlives its user: writes naming the user fail its foreign key and are
// answered 401, but GET /audit names no user, and a deleted user's token read the whole trail (200).
// Now the trail's query carries the check (one request, as before), and an empty answer asks whether
// the token's user is still there.
import { describe, expect, it } from "vitest"
import { deleteFrom } from "../../src/index.ts"
import { User } from "../../worker/models/index.ts"
import { expectError } from "../blog/client.ts"
import { useBlog } from "../blog/fixture.ts"
import { blogDatabases } from "../reliability/blog-in-node.ts"

for (const [name, open] of blogDatabases) {
  describe(`GET /audit with the token of a deleted user, on ${name}`, () => {
    const blog = useBlog(open)

    it("is refused 401, and a living user's reads stay one request", async () => {
      const living = await blog.member("auditor")
      const gone = await blog.member("goneauditor")
      await blog.database.inspect.execute(deleteFrom(User).where(User.id.eq(gone.id)))
      for (const path of ["/audit", `/audit?entityType=User&entityId=${gone.id}`, "/audit?entityType=Post"]) {
        const refused = await blog.api.get(path, { token: gone.token })
        expectError(refused, 401, "unauthorized")
        expect(refused.body.error.message).toMatch(/no longer exists/)
      }
      const trail = await blog.api.get(`/audit?entityType=User&entityId=${living.id}`, {
        token: living.token,
      })
      expect(trail.status).toBe(200)
      expect(trail.body.map((e: { action: string }) => e.action)).toEqual(["create"])
      expect([trail.roundTrips, trail.statements]).toEqual([1, 1])
      // Nothing matches: still 200 [] for a user who exists (asked in a second request).
      const none = await blog.api.get("/audit?entityType=Post&entityId=999999", { token: living.token })
      expect([none.status, none.body, none.roundTrips]).toEqual([200, [], 2])
    })
  })
}
