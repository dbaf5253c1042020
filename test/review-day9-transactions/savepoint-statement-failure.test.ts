// A statement that fails inside a savepoint rolls the savepoint back at once (the enclosing transaction
// goes on), and with it what flushes inside it wrote. The objects stayed as those flushes left them: a
// new one persistent under the key of a row that was gone, a changed one reading as committed with a
// value the database no longer had. An application that caught the error and went on (a savepoint's
// point) committed, and commit() reported them saved: the new row was never there, the change lost,
// and the next change back to the old value wrote nothing. Now the objects go back to the savepoint
// as soon as the failure's rollback to it is done, as its rollback() puts them (and as an afterFlush
// listener's failure already put them: test/review-day4/savepoint-after-flush.test.ts).
import { describe, expect, it } from "vitest"
import ws from "ws"
import { AsyncSession, IntegrityError, insert, inspect, ProgrammingError, text } from "../../src/index.ts"
import { libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"
import { keepOneItem, storedItems, transactionModels } from "./models.ts"

const { registry, Item } = transactionModels("r9tx_spfail")

for (const fixture of [neonFixture("http", ws), neonFixture("websocket", ws), libsqlHttpFixture()]) {
  describe(`a statement failing inside a savepoint after its flushes, on ${fixture.name}`, () => {
    const engine = fixture.engine(`r9tx-spfail-${fixture.name}-${Date.now().toString(36)}`)
    freshSchema(engine, registry.metadata)
    const stored = () => storedItems(engine, Item)
    const reset = () => keepOneItem(engine, Item)

    it("a failed write: the savepoint's new object is transient again, its change undone, and the commit keeps the rest", async () => {
      const keptId = await reset()
      await using session = new AsyncSession(engine)
      await session.begin()
      const kept = (await session.get(Item, keptId)) as InstanceType<typeof Item>
      const before = new Item({ name: "before", qty: 0 })
      session.add(before)
      await session.flush()
      await session.beginNested()
      const inside = new Item({ name: "inside", qty: 0 })
      session.add(inside)
      kept.qty = 5
      await session.flush()
      await expect(session.execute(insert(Item).values({ name: "kept" }))).rejects.toThrow(IntegrityError)
      // Was: persistent with the key of the rolled-back row; qty 5 read as committed.
      expect([inspect(inside).state, inside.id]).toEqual(["transient", undefined])
      expect([kept.qty, inspect(kept).modified]).toEqual([1, []])
      expect(inspect(before).state).toBe("persistent")
      await session.commit()
      expect(await stored()).toEqual([
        ["before", 0],
        ["kept", 1],
      ])
      // The object the application holds says what the database has: a change is written.
      kept.qty = 5
      await session.commit()
      expect(await stored()).toEqual([
        ["before", 0],
        ["kept", 5],
      ])
    })

    it("what was never sent (autoflush off) stays pending, and the commit writes it", async () => {
      const keptId = await reset()
      await using session = new AsyncSession(engine)
      await session.begin()
      const kept = (await session.get(Item, keptId)) as InstanceType<typeof Item>
      const doomed = new Item({ name: "doomed", qty: 0 })
      session.add(doomed)
      await session.flush()
      await session.beginNested()
      const inside = new Item({ name: "inside", qty: 0 })
      session.add(inside)
      await session.flush()
      const unsent = new Item({ name: "unsent", qty: 3 })
      await session.noAutoflush(async () => {
        kept.qty = 7
        session.add(unsent)
        session.delete(doomed)
        await expect(session.execute(insert(Item).values({ name: "kept" }))).rejects.toThrow(IntegrityError)
      })
      expect(inspect(inside).state).toBe("transient")
      // Marked for deletion, not sent: persistent (SQLAlchemy's), and still in session.deleted.
      expect([inspect(unsent).state, inspect(doomed).state, kept.qty]).toEqual(["pending", "persistent", 7])
      expect(session.deleted).toEqual([doomed])
      await session.commit()
      expect(await stored()).toEqual([
        ["kept", 7],
        ["unsent", 3],
      ])
    })

    it("a failed read: only the innermost savepoint's objects go back", async () => {
      await reset()
      await using session = new AsyncSession(engine)
      await session.beginNested()
      const outer = new Item({ name: "outer", qty: 0 })
      session.add(outer)
      await session.flush()
      await session.beginNested()
      const inner = new Item({ name: "inner", qty: 0 })
      session.add(inner)
      outer.qty = 2
      await session.flush()
      await expect(session.scalars(text("SELECT missing FROM r9tx_spfail_nowhere"))).rejects.toThrow(
        ProgrammingError,
      )
      expect([inspect(inner).state, inner.id]).toEqual(["transient", undefined])
      expect([inspect(outer).state, outer.qty]).toEqual(["persistent", 0])
      await session.commit()
      expect(await stored()).toEqual([
        ["kept", 1],
        ["outer", 0],
      ])
    })
  })
}
