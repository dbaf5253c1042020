// Shared state across sessions, engines and dialects: caches, reused statements, concurrency.
import { describe, expect, it } from "vitest"
import ws from "ws"
import {
  AsyncSession,
  inspect,
  joinedload,
  listen,
  ReadSession,
  select,
  selectinload,
} from "../../src/index.ts"
import { libsqlHttpFixture, neonFixture, type TransportFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"
import { makeModels } from "./models.ts"

const { AsPost, AsUser, registry, seedObjects } = makeModels("as1")

const fixtures: TransportFixture[] = [neonFixture("http", ws), libsqlHttpFixture()]
const stamp = Date.now().toString(36)
const engines = fixtures.map((f) => f.engine(`as-state-${f.name}-${stamp}`))

// A statement built once at module scope, as an app would.
const shared = select(AsPost)
  .where(AsPost.score.isNotNull())
  .orderBy(AsPost.id)
  .options(selectinload(AsPost.tags))

for (const [n, fixture] of fixtures.entries()) {
  const engine = engines[n]!
  describe(`shared state on ${fixture.name}`, () => {
    freshSchema(engine, registry.metadata)
    it("seeds", async () => {
      await using s = new AsyncSession(engine)
      const { users, tags, posts } = seedObjects()
      s.addAll([...users, ...tags, ...posts])
      await s.commit()
    })

    it("identity maps never share objects across concurrent sessions", async () => {
      // ReadSessions: changes stay in memory (an AsyncSession would autoflush and lock the row).
      const sessions = Array.from({ length: 30 }, () => new ReadSession(engine))
      try {
        const results = await Promise.all(
          sessions.map(async (s, i) => {
            const user = (await s.get(AsUser, 1))!
            user.name = `changed-by-${i}`
            const posts = (await s.scalars(shared.options(joinedload(AsPost.author)))).all()
            return { user, posts }
          }),
        )
        const seen = new Set<object>()
        for (const [i, { user, posts }] of results.entries()) {
          expect(seen.has(user)).toBe(false)
          seen.add(user)
          expect(user.name).toBe(`changed-by-${i}`)
          for (const p of posts) {
            expect(seen.has(p)).toBe(false)
            seen.add(p)
            // the author of user 1's posts is the session's own (autoflushed) object
            if (p.userId === 1) expect(p.author).toBe(user)
            expect(inspect(p).state).toBe("persistent")
          }
        }
      } finally {
        for (const s of sessions) await s.rollback()
        await Promise.all(sessions.map((s) => s.close()))
      }
    })

    it("a mapper listener that throws in one session's flush leaves the next session working", async () => {
      const stop = listen(AsUser, "beforeInsert", (user) => {
        if (user.name === "boom") throw new Error("listener refused")
      })
      try {
        await using a = new AsyncSession(engine)
        a.add(new AsUser({ id: 900, name: "boom" }))
        await expect(a.commit()).rejects.toThrow("listener refused")
        await using b = new AsyncSession(engine)
        b.add(new AsUser({ id: 901, name: "fine" }))
        await b.commit()
        await using r = new ReadSession(engine)
        expect(await r.get(AsUser, 900)).toBe(null)
        expect((await r.get(AsUser, 901))?.name).toBe("fine")
      } finally {
        stop()
      }
    })
  })
}
