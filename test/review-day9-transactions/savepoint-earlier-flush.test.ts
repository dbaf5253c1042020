// A flush that fails inside a savepoint rolls the savepoint back, and with it what the savepoint's
// earlier flushes wrote. The failed flush put its own objects back (pending, and work refused until
// the savepoint is rolled back, or they are given up: test/review-day7-session2/failed-savepoint-flush),
// but the objects of those earlier flushes stayed persistent under the keys of rows that were gone. An
// application that gave the failed object up (expunge) and committed, or whose mapper listener (beforeInsert)
// failed while the flush was planned (which refuses nothing), had commit() report them saved. Now they go back with the savepoint
// (the inserted one transient again, a change undone); what the failed flush was writing stays pending.
import { describe, expect, it } from "vitest"
import ws from "ws"
import { AsyncSession, IntegrityError, inspect, listen } from "../../src/index.ts"
import { libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"
import { keepOneItem, storedItems, transactionModels } from "./models.ts"

const { registry, Item } = transactionModels("r9tx_spearly")

for (const fixture of [neonFixture("http", ws), libsqlHttpFixture()]) {
  describe(`a flush failing inside a savepoint after an earlier flush there, on ${fixture.name}`, () => {
    const engine = fixture.engine(`r9tx-spearly-${fixture.name}-${Date.now().toString(36)}`)
    freshSchema(engine, registry.metadata)
    const stored = () => storedItems(engine, Item)
    const reset = () => keepOneItem(engine, Item)

    it("refused by the database, its object given up: the earlier flush's objects are back, the commit keeps the rest", async () => {
      const keptId = await reset()
      await using session = new AsyncSession(engine)
      await session.begin()
      const kept = (await session.get(Item, keptId)) as InstanceType<typeof Item>
      await session.beginNested()
      const early = new Item({ name: "early", qty: 0 })
      session.add(early)
      kept.qty = 2
      await session.flush()
      const clash = new Item({ name: "kept", qty: 0 })
      session.add(clash)
      await expect(session.flush()).rejects.toThrow(IntegrityError)
      // Was: persistent with the key of the row the savepoint took back, and qty 2 read as committed.
      expect([inspect(early).state, early.id]).toEqual(["transient", undefined])
      expect([kept.qty, inspect(kept).modified]).toEqual([1, []])
      expect(inspect(clash).state).toBe("pending")
      session.expunge(clash)
      await session.commit()
      expect(await stored()).toEqual([["kept", 1]])
      kept.qty = 2
      await session.commit()
      expect(await stored()).toEqual([["kept", 2]])
    })

    it("a mapper listener's failure: the earlier flush's object is transient, the new one written", async () => {
      await reset()
      await using session = new AsyncSession(engine)
      await session.begin()
      await session.beginNested()
      const early = new Item({ name: "early", qty: 0 })
      session.add(early)
      await session.flush()
      const stop = listen(Item, "beforeInsert", () => {
        throw new Error("audit sink down")
      })
      const late = new Item({ name: "late", qty: 0 })
      session.add(late)
      await expect(session.flush()).rejects.toThrow("audit sink down").finally(stop)
      expect([inspect(early).state, early.id]).toEqual(["transient", undefined])
      expect(inspect(late).state).toBe("pending")
      await session.commit()
      expect([inspect(early).state, inspect(late).state]).toEqual(["transient", "persistent"])
      expect(await stored()).toEqual([
        ["kept", 1],
        ["late", 0],
      ])
    })
  })
}
