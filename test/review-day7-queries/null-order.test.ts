// Where NULLs sort is each database's (SQLAlchemy passes ORDER BY through): last in ascending order on
// PostgreSQL, first on SQLite. README and Ordering's doc comment say so; nullsFirst()/nullsLast() give
// one order on both, in a select and in a UNION's ORDER BY.
import { describe, expect, it } from "vitest"
import ws from "ws"
import { AsyncSession, column, Integer, insert, model, Registry, select } from "../../src/index.ts"
import { libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"

const registry = new Registry()
class Entry extends model(
  "q7_entries",
  { id: column(Integer, { primaryKey: true }), rank: column(Integer, { nullable: true }) },
  { registry },
) {}

for (const fixture of [neonFixture("http", ws), libsqlHttpFixture()]) {
  describe(`NULLs in ORDER BY on ${fixture.name}`, () => {
    const engine = fixture.engine(`q7-nulls-${fixture.name}-${Date.now().toString(36)}`)
    freshSchema(engine, registry.metadata)
    const ranks = async (statement: Parameters<AsyncSession["scalars"]>[0]) => {
      await using session = new AsyncSession(engine)
      return [...(await session.scalars(statement)).all()]
    }

    it("seeds", async () => {
      await using session = new AsyncSession(engine)
      await session.execute(
        insert(Entry).values([
          { id: 1, rank: 2 },
          { id: 2, rank: null },
          { id: 3, rank: 1 },
        ]),
      )
      await session.commit()
    })

    it("puts NULLs where the database does by default, as documented", async () => {
      const ascending = await ranks(select(Entry.rank).orderBy(Entry.rank))
      const descending = await ranks(select(Entry.rank).orderBy(Entry.rank.desc()))
      if (fixture.dialect === "postgresql") {
        expect(ascending).toEqual([1, 2, null])
        expect(descending).toEqual([null, 2, 1])
      } else {
        expect(ascending).toEqual([null, 1, 2])
        expect(descending).toEqual([2, 1, null])
      }
    })

    it("orders them the same on both with nullsFirst() and nullsLast(), a UNION's too", async () => {
      expect(await ranks(select(Entry.rank).orderBy(Entry.rank.asc().nullsLast()))).toEqual([1, 2, null])
      expect(await ranks(select(Entry.rank).orderBy(Entry.rank.desc().nullsFirst()))).toEqual([null, 2, 1])
      const both = select(Entry.rank)
        .where(Entry.id.le(2))
        .union(select(Entry.rank).where(Entry.id.ge(2)))
        .orderBy(Entry.rank.asc().nullsLast())
      expect(await ranks(both)).toEqual([1, 2, null])
    })
  })
}
