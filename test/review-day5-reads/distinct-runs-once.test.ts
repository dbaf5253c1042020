// A DISTINCT query with loads ran twice: as it is, and again inside the statement of its loads, whose
// levels took their keys from that second run. Whenever the two runs gave different rows, objects of
// the first were given the loads of the second: a user read with selectinload(posts) showed no posts.
// Now a DISTINCT query travels in the statement of its loads (as any query does) and runs once, unless
// it orders by columns it does not select (SQLite allows it; added, they would change what is distinct).
import { describe, expect, it } from "vitest"
import ws from "ws"
import {
  AsyncSession,
  Boolean as BooleanType,
  insert,
  literalColumn,
  ReadSession,
  select,
  selectinload,
} from "../../src/index.ts"
import { libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"
import { r5Models } from "./models.ts"

const { R5Post, R5User, registry } = r5Models("r5r_dis")

for (const fixture of [neonFixture("http", ws), neonFixture("websocket", ws), libsqlHttpFixture()]) {
  describe(`a DISTINCT query with loads on ${fixture.name}`, () => {
    const engine = fixture.engine(`r5r-dis-${fixture.name}-${Date.now().toString(36)}`)
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

    it("seeds", async () => {
      await using session = new AsyncSession(engine)
      await session.execute(insert(R5User).values(users))
      await session.execute(insert(R5Post).values(posts))
      await session.commit()
    })

    /** A session over an engine that records the SQL it sends. */
    function recorded(): { session: ReadSession; sent: string[] } {
      const counted = engine.child()
      const sent: string[] = []
      counted.on("statement", (event) => sent.push(event.sql))
      return { session: new ReadSession(counted), sent }
    }

    it("runs once, in the one statement of its loads, with the same rows and whole collections", async () => {
      const { session, sent } = recorded()
      await using _ = session
      const query = select(R5User).join(R5User.posts).distinct().orderBy(R5User.id).limit(5).offset(2)
      const read = (await session.scalars(query.options(selectinload(R5User.posts)))).all()
      expect(sent).toHaveLength(1)
      expect(read.map((user) => [user.id, user.posts.length])).toEqual([
        [3, 1],
        [4, 2],
        [5, 3],
        [6, 1],
        [7, 2],
      ])
    })

    it("still runs beside its loads when ordered by a column it does not select (SQLite allows it)", async () => {
      if (fixture.dialect !== "sqlite") return // PostgreSQL refuses such a query
      const { session, sent } = recorded()
      await using _ = session
      const query = select(R5User).join(R5User.posts).distinct().orderBy(R5Post.id.desc()).limit(3)
      const read = (await session.scalars(query.options(selectinload(R5User.posts)))).all()
      expect(sent).toHaveLength(2)
      expect(read.map((user) => [user.id, user.posts.length])).toEqual([
        [40, 2],
        [39, 1],
        [38, 3],
      ])
    })

    it("gives each object its own loads when the query's rows differ from run to run", async () => {
      // Each user is in with a chance of one in two, drawn anew by each run of the query.
      const coin = literalColumn(
        fixture.dialect === "postgresql" ? "random() < 0.5" : "random() % 2 = 0",
        BooleanType,
      )
      const { session } = recorded()
      await using _ = session
      const query = select(R5User).join(R5User.posts).where(coin).distinct().orderBy(R5User.id)
      const read = (await session.scalars(query.options(selectinload(R5User.posts)))).all()
      expect(read.length).toBeGreaterThan(0)
      expect(read.map((user) => [user.id, user.posts.length])).toEqual(
        read.map((user) => [user.id, (user.id % 3) + 1]),
      )
    })
  })
}
