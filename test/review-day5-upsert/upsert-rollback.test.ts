// An object the session first holds through an INSERT ... ON CONFLICT DO UPDATE ... RETURNING (or an
// UPDATE ... RETURNING) inside a transaction or savepoint that rolls back cannot say what its row is
// now: the row may have been there before (the rollback gave it back its old values, which the session
// never saw) or not (the rollback removed it), and nothing portable tells which. Before the fix it
// stayed persistent with the rolled-back values recorded as committed: get() answered with qty 9 where
// the database has 1 (or with a row that is gone), and setting qty back to 9 wrote nothing. Now such an
// object is let go (detached) by the rollback, and the next get() reads the database; objects held
// before the statement go back to what they were.
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
  update,
} from "../../src/index.ts"
import { libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"

const registry = new Registry()
class Box extends model(
  "r5u_up_boxes",
  {
    id: column(Integer, { primaryKey: true }),
    label: column(String(20)),
    qty: column(Integer),
  },
  { registry },
) {}
registry.registerModels(Box)

type Undo = "savepoint" | "transaction"

for (const fixture of [neonFixture("http", ws), neonFixture("websocket", ws), libsqlHttpFixture()]) {
  describe(`objects of an upsert's RETURNING rows when the work rolls back, on ${fixture.name}`, () => {
    const engine = fixture.engine(`r5u-up-${fixture.name}-${Date.now().toString(36)}`)
    freshSchema(engine, registry.metadata)

    /** Box 1 (qty 1) stored; no other. */
    async function seed(): Promise<void> {
      await using session = new AsyncSession(engine)
      await session.execute(deleteFrom(Box), { synchronizeSession: false })
      session.add(new Box({ id: 1, label: "a", qty: 1 }))
      await session.commit()
    }

    async function stored(): Promise<unknown[][]> {
      await using reading = new AsyncSession(engine)
      const rows = await reading.execute(select(Box.id, Box.qty).orderBy(Box.id))
      return rows.all().map((row) => [...row])
    }

    function upsert(session: AsyncSession, id: number): Promise<Box> {
      return session
        .scalars(
          insert(Box)
            .values([{ id, label: "u", qty: 9 }])
            .onConflictDoUpdate({ target: ["id"], set: { qty: 9 } })
            .returning(Box),
        )
        .then((result) => result.one() as Box)
    }

    /** Opens the work `undo` rolls back: a transaction, or a savepoint inside one. */
    async function open(session: AsyncSession, undo: Undo): Promise<() => Promise<void>> {
      await session.begin()
      if (undo === "transaction") return () => session.rollback()
      const savepoint = await session.beginNested()
      return () => savepoint.rollback()
    }

    for (const undo of ["savepoint", "transaction"] as Undo[]) {
      it(`the row was there, not held: the ${undo}'s rollback lets the object go; get() reads qty 1`, async () => {
        await seed()
        await using session = new AsyncSession(engine)
        const rollback = await open(session, undo)
        const box = await upsert(session, 1)
        expect([inspect(box).state, box.qty]).toEqual(["persistent", 9])
        await rollback()
        expect(inspect(box).state).toBe("detached")
        const again = (await session.get(Box, 1)) as Box
        expect(again).not.toBe(box)
        expect(again.qty).toBe(1)
        // What the application now sets is written: the session knows the database has 1.
        again.qty = 9
        await session.commit()
        expect(await stored()).toEqual([[1, 9]])
      })

      it(`the row was not there: the ${undo}'s rollback lets the object go; get() finds nothing`, async () => {
        await seed()
        await using session = new AsyncSession(engine)
        const rollback = await open(session, undo)
        const box = await upsert(session, 2)
        await rollback()
        expect(inspect(box).state).toBe("detached")
        expect(await session.get(Box, 2)).toBeNull()
        await session.commit()
        expect(await stored()).toEqual([[1, 1]])
      })

      it(`an object held before the upsert goes back to what it was at the ${undo}'s rollback`, async () => {
        await seed()
        await using session = new AsyncSession(engine)
        const rollback = await open(session, undo)
        // Loaded inside the work that rolls back, before the upsert: its row stays, as it was.
        const box = (await session.get(Box, 1)) as Box
        expect(await upsert(session, 1)).toBe(box)
        expect(box.qty).toBe(9)
        await rollback()
        expect([inspect(box).state, box.qty, session.isModified(box)]).toEqual(["persistent", 1, false])
        expect(await session.get(Box, 1)).toBe(box)
        box.qty = 9
        await session.commit()
        expect(await stored()).toEqual([[1, 9]])
      })

      it(`an upserted object changed and flushed before the ${undo}'s rollback is let go too`, async () => {
        await seed()
        await using session = new AsyncSession(engine)
        const rollback = await open(session, undo)
        const box = await upsert(session, 1)
        box.qty = 5
        await session.flush()
        await rollback()
        expect(inspect(box).state).toBe("detached")
        expect(((await session.get(Box, 1)) as Box).qty).toBe(1)
        await session.commit()
        expect(await stored()).toEqual([[1, 1]])
      })

      it(`an upserted object deleted by a flush before the ${undo}'s rollback is let go, not brought back`, async () => {
        await seed()
        await using session = new AsyncSession(engine)
        const rollback = await open(session, undo)
        const box = await upsert(session, 2)
        await session.delete(box)
        await session.flush()
        await rollback()
        expect(inspect(box).state).toBe("detached")
        expect(await session.get(Box, 2)).toBeNull()
        await session.commit()
        expect(await stored()).toEqual([[1, 1]])
      })

      for (const mode of ["auto", "fetch", false] as ("auto" | "fetch" | false)[]) {
        it(`an UPDATE ... RETURNING's object not held before is let go at the ${undo}'s rollback (synchronizeSession ${mode})`, async () => {
          await seed()
          await using session = new AsyncSession(engine)
          const rollback = await open(session, undo)
          const box = (
            await session.scalars(update(Box).where(Box.id.eq(1)).values({ qty: 9 }).returning(Box), {
              synchronizeSession: mode,
            })
          ).one() as Box
          expect(box.qty).toBe(9)
          await rollback()
          expect(inspect(box).state).toBe("detached")
          const again = (await session.get(Box, 1)) as Box
          expect(again.qty).toBe(1)
          again.qty = 9
          await session.commit()
          expect(await stored()).toEqual([[1, 9]])
        })
      }
    }

    it("a savepoint released, then the transaction rolled back: the upserted object is let go", async () => {
      await seed()
      await using session = new AsyncSession(engine)
      await session.begin()
      const savepoint = await session.beginNested()
      const box = await upsert(session, 1)
      await savepoint.commit()
      await session.rollback()
      expect(inspect(box).state).toBe("detached")
      expect(((await session.get(Box, 1)) as Box).qty).toBe(1)
    })

    it("upserted before a savepoint that rolls back: the object stays, and the commit keeps it", async () => {
      await seed()
      await using session = new AsyncSession(engine)
      await session.begin()
      const box = await upsert(session, 1)
      const savepoint = await session.beginNested()
      box.qty = 4
      await session.flush()
      await savepoint.rollback()
      expect([inspect(box).state, box.qty, session.isModified(box)]).toEqual(["persistent", 9, false])
      await session.commit()
      expect(inspect(box).state).toBe("persistent")
      expect(await session.get(Box, 1)).toBe(box)
      expect(await stored()).toEqual([[1, 9]])
    })

    it("committed, the upsert's objects stay persistent", async () => {
      await seed()
      await using session = new AsyncSession(engine)
      await session.begin()
      const [one, two] = [await upsert(session, 1), await upsert(session, 2)]
      await session.commit()
      expect([inspect(one).state, inspect(two).state]).toEqual(["persistent", "persistent"])
      expect(await session.get(Box, 2)).toBe(two)
      expect(await stored()).toEqual([
        [1, 9],
        [2, 9],
      ])
    })
  })
}
