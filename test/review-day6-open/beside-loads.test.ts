// A query whose rows cannot travel as JSON (a column of no known type, such as literalColumn("...")
// without a type; an unnamed one; on SQLite a DISTINCT ordered by a column it does not select) runs
// beside the statement of its loads, which runs it again for the keys of its levels. Whenever the two
// runs gave different rows (a volatile WHERE, a LIMIT without a unique ORDER BY), objects of the first
// were given the loads of the second: a user that the second run left out got an empty collection,
// loaded, though it has posts (and deleting it through the session would cascade to none of them).
// Now the statement of the loads also answers the keys its levels were read for, and an object the
// second run did not see is left unloaded: reading the relationship raises NotLoadedError, as for any
// relationship nothing loaded, rather than answer a wrong collection. Objects both runs saw get their
// own loads, and a query whose runs agree loads everything, as before.
import { describe, expect, it } from "vitest"
import ws from "ws"
import {
  AsyncSession,
  Boolean as BooleanType,
  insert,
  literalColumn,
  NotLoadedError,
  ReadSession,
  select,
  selectinload,
} from "../../src/index.ts"
import { libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"
import { r5Models } from "../review-day5-reads/models.ts"

const { R5Post, R5User, registry } = r5Models("r6o_bes")

for (const fixture of [neonFixture("http", ws), neonFixture("websocket", ws), libsqlHttpFixture()]) {
  describe(`a query run beside its loads on ${fixture.name}`, () => {
    const engine = fixture.engine(`r6o-bes-${fixture.name}-${Date.now().toString(36)}`)
    freshSchema(engine, registry.metadata)
    // 40 users, user i with i % 3 + 1 posts.
    const users = Array.from({ length: 40 }, (_, i) => ({ id: i + 1, name: `u${i + 1}`, managerId: null }))
    const posts = users.flatMap((user) =>
      Array.from({ length: (user.id % 3) + 1 }, (_, j) => ({
        id: user.id * 10 + j,
        title: "t",
        userId: user.id,
      })),
    )
    // Each user is in with a chance of one in two, drawn anew by each run of the query.
    const coin = () =>
      literalColumn(fixture.dialect === "postgresql" ? "random() < 0.5" : "random() % 2 = 0", BooleanType)

    it("seeds", async () => {
      await using session = new AsyncSession(engine)
      await session.execute(insert(R5User).values(users))
      await session.execute(insert(R5Post).values(posts))
      await session.commit()
    })

    /** What each user read holds: its number of posts, or "unloaded". */
    const loads = (read: readonly InstanceType<typeof R5User>[]) =>
      read.map((user) => {
        try {
          return [user.id, user.posts.length]
        } catch (error) {
          if (!(error instanceof NotLoadedError)) throw error
          return [user.id, "unloaded"]
        }
      })
    const own = (read: readonly InstanceType<typeof R5User>[]) =>
      loads(read).map(([id, count]) => [id, count === "unloaded" ? count : (Number(id) % 3) + 1])

    it.each([
      ["an untyped column", () => select(R5User, literalColumn("'x'")).where(coin()).orderBy(R5User.id)],
      ["an untyped column and a LIMIT", () => select(R5User, literalColumn("1")).where(coin()).limit(5)],
    ] as const)("gives no object another run's loads (%s)", async (_, query) => {
      // Each of 8 reads is two draws of 40 coins: the runs differ all but surely.
      let loaded = 0
      for (let i = 0; i < 8; i++) {
        await using session = new ReadSession(engine)
        const read = (await session.execute(query().options(selectinload(R5User.posts))))
          .all()
          .map(([u]) => u)
        expect(loads(read)).toEqual(own(read))
        loaded += loads(read).filter(([, count]) => count !== "unloaded").length
      }
      // Users both runs saw are loaded.
      expect(loaded).toBeGreaterThan(0)
    })

    it("gives no object another run's loads (a DISTINCT ordered by a column it does not select)", async () => {
      if (fixture.dialect !== "sqlite") return // PostgreSQL refuses such a query
      for (let i = 0; i < 8; i++) {
        await using session = new ReadSession(engine)
        const query = select(R5User).join(R5User.posts).where(coin()).distinct().orderBy(R5Post.id.desc())
        const read = (await session.scalars(query.limit(6).options(selectinload(R5User.posts)))).all()
        expect(loads(read)).toEqual(own(read))
      }
    })

    it("loads every object when the runs agree", async () => {
      await using session = new ReadSession(engine)
      const query = select(R5User, literalColumn("'x'")).where(R5User.id.le(6)).orderBy(R5User.id)
      const rows = (await session.execute(query.options(selectinload(R5User.posts)))).all()
      expect(rows.map(([user, x]) => [user.id, user.posts.length, x])).toEqual(
        [1, 2, 3, 4, 5, 6].map((id) => [id, (id % 3) + 1, "x"]),
      )
    })
  })
}
