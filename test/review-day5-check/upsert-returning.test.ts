// An INSERT ... ON CONFLICT DO NOTHING RETURNING returns the rows it inserted, and only those (a
// conflicting row is skipped, not returned): inside a transaction its objects are inserts, which a
// rollback of the savepoint or transaction takes back, as 37eafac does for a plain INSERT's. They
// stayed persistent over rows the rollback removed: get() answered with them, and a change to one
// was an UPDATE of no row at the commit (StaleDataError) where add() should insert it.
import { describe, expect, it } from "vitest"
import ws from "ws"
import {
  AsyncSession,
  column,
  deleteFrom,
  Integer,
  insert,
  inspect,
  model,
  Registry,
  String,
  select,
} from "../../src/index.ts"
import { libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"

const registry = new Registry()
class Box extends model(
  "r5c_up_boxes",
  {
    id: column(Integer, { primaryKey: true }),
    label: column(String(20), { unique: true }),
    qty: column(Integer),
  },
  { registry },
) {}
registry.registerModels(Box)

for (const fixture of [neonFixture("http", ws), neonFixture("websocket", ws), libsqlHttpFixture()]) {
  describe(`ON CONFLICT DO NOTHING RETURNING inside a rolled-back transaction, on ${fixture.name}`, () => {
    const engine = fixture.engine(`r5c-up-${fixture.name}-${Date.now().toString(36)}`)
    freshSchema(engine, registry.metadata)

    async function seed(): Promise<void> {
      await using session = new AsyncSession(engine)
      await session.execute(deleteFrom(Box), { synchronizeSession: false })
      session.add(new Box({ label: "a", qty: 1 }))
      await session.commit()
    }

    async function stored(): Promise<unknown[][]> {
      await using reading = new AsyncSession(engine)
      const rows = await reading.execute(select(Box.label, Box.qty).orderBy(Box.label))
      return rows.all().map((row) => [...row])
    }

    /** Inserts c and, refused by the unique label, a: only c comes back. */
    async function upsert(session: AsyncSession): Promise<Box> {
      const statement = insert(Box)
        .values([
          { label: "a", qty: 5 },
          { label: "c", qty: 3 },
        ])
        .onConflictDoNothing({ target: ["label"] })
        .returning(Box)
      const returned = (await session.scalars(statement)).all()
      expect(returned.map((box) => box.label)).toEqual(["c"])
      return returned[0] as Box
    }

    it("a savepoint's rollback makes its objects transient; added again, they are inserted", async () => {
      await seed()
      await using session = new AsyncSession(engine)
      const savepoint = await session.beginNested()
      const c = await upsert(session)
      const id = c.id
      expect(inspect(c).state).toBe("persistent")
      await savepoint.rollback()
      expect(inspect(c).state).toBe("transient")
      expect(await session.get(Box, id)).toBeNull()
      c.qty = 4
      session.add(c)
      await session.commit()
      expect(await stored()).toEqual([
        ["a", 1],
        ["c", 4],
      ])
    })

    it("the transaction's rollback does too", async () => {
      await seed()
      await using session = new AsyncSession(engine)
      await session.begin()
      const c = await upsert(session)
      await session.rollback()
      expect(inspect(c).state).toBe("transient")
      session.add(c)
      await session.commit()
      expect(await stored()).toEqual([
        ["a", 1],
        ["c", 3],
      ])
    })
  })
}
