// An object a savepoint's rollback made transient again (its row went with the savepoint) is free to
// be added to another session. The first session's transaction still listed it as one of its inserts,
// and its rollback made it "new again" wherever it was: detached from the other session (it read
// 'transient' while pending there, and once that session inserted it, 'detached', not held by it), or,
// once committed there, stripped of the key its row has. SQLAlchemy's nested rollback drops the
// savepoint's inserts from the enclosing transaction, which never touches them again. Now a rollback
// leaves the inserted objects another session holds to it.
import { describe, expect, it } from "vitest"
import ws from "ws"
import { AsyncSession, inspect, select, text } from "../../src/index.ts"
import { libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"
import { transactionModels } from "./models.ts"

const { registry, Item } = transactionModels("r9tx_elsewhere")

for (const fixture of [neonFixture("http", ws), neonFixture("websocket", ws), libsqlHttpFixture()]) {
  describe(`an object a savepoint undid, then added to another session, on ${fixture.name}`, () => {
    const engine = fixture.engine(`r9tx-elsewhere-${fixture.name}-${Date.now().toString(36)}`)
    freshSchema(engine, registry.metadata)
    const names = async () => (await engine.execute(select(Item.c.name).orderBy(Item.c.name))).scalars().all()

    it("stays pending there through the first session's rollback, and is held there once inserted", async () => {
      await engine.execute(text("DELETE FROM r9tx_elsewhere_items"))
      await using first = new AsyncSession(engine)
      await using second = new AsyncSession(engine)
      const savepoint = await first.beginNested()
      const item = new Item({ name: "moved", qty: 1 })
      first.add(item)
      await first.flush()
      await savepoint.rollback()
      expect(inspect(item).state).toBe("transient")
      second.add(item)
      await first.rollback()
      // Was: 'transient', let go of by the second session.
      expect(inspect(item).state).toBe("pending")
      await second.commit()
      expect(inspect(item).state).toBe("persistent")
      expect(await second.get(Item, item.id)).toBe(item)
      expect(await names()).toEqual(["moved"])
    })

    if (fixture.dialect === "postgresql") {
      it("committed there, keeps its key and its place through the first session's rollback", async () => {
        await engine.execute(text("DELETE FROM r9tx_elsewhere_items"))
        await using first = new AsyncSession(engine)
        await using second = new AsyncSession(engine)
        const savepoint = await first.beginNested()
        const item = new Item({ name: "kept", qty: 1 })
        first.add(item)
        await first.flush()
        await savepoint.rollback()
        second.add(item)
        await second.commit()
        const id = item.id
        await first.rollback()
        // Was: transient, its id deleted, though its row is committed.
        expect([inspect(item).state, item.id]).toEqual(["persistent", id])
        item.qty = 2
        await second.commit()
        const stored = (await engine.execute(select(Item.c.id, Item.c.qty))).all().map((row) => [...row])
        expect(stored).toEqual([[id, 2]])
      })
    }
  })
}
