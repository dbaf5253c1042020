// An object marked for deletion (delete(), not flushed) that leaves its session (close(), which every
// `await using` scope ends with, expunge(), expungeAll()) kept the mark: added to another session it
// read 'deleted' there, where nothing was to delete it, and a change made on it was not written, the
// commit succeeding. SQLAlchemy's expunge leaves it persistent without the pending deletion. Now the
// mark goes with the session: the object is detached, then persistent where it is added, and its
// changes are written.
import { describe, expect, it } from "vitest"
import ws from "ws"
import { AsyncSession, inspect, select, text } from "../../src/index.ts"
import { libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"
import { transactionModels } from "./models.ts"

const { registry, Item } = transactionModels("r9tx_unmark")

const leave = {
  "close()": (session: AsyncSession) => session.close(),
  "expunge()": (session: AsyncSession, object: object) => session.expunge(object),
  "expungeAll()": (session: AsyncSession) => session.expungeAll(),
}

for (const fixture of [neonFixture("http", ws), libsqlHttpFixture()]) {
  describe(`an object marked for deletion that leaves its session, on ${fixture.name}`, () => {
    const engine = fixture.engine(`r9tx-unmark-${fixture.name}-${Date.now().toString(36)}`)
    freshSchema(engine, registry.metadata)

    for (const [how, away] of Object.entries(leave)) {
      it(`by ${how}: persistent where it is added next, its change written`, async () => {
        await engine.execute(text("DELETE FROM r9tx_unmark_items"))
        await using first = new AsyncSession(engine)
        const item = new Item({ name: "item", qty: 1 })
        first.add(item)
        await first.commit()
        first.delete(item)
        await away(first, item)
        expect(inspect(item).state).toBe("detached")
        await using second = new AsyncSession(engine)
        second.add(item)
        // Was: 'deleted', and the commit wrote nothing.
        expect(inspect(item).state).toBe("persistent")
        item.qty = 2
        await second.commit()
        const stored = (await second.execute(select(Item.c.name, Item.c.qty))).all().map((row) => [...row])
        expect(stored).toEqual([["item", 2]])
        second.delete(item)
        await second.commit()
        expect(inspect(item).state).toBe("detached")
        expect((await second.execute(select(Item.c.id))).all()).toEqual([])
      })
    }
  })
}
