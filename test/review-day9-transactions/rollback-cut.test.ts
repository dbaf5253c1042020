// A rollback() whose ROLLBACK never gets its answer (the connection lost: the transaction is gone with
// it) threw before it dropped the changes the application was rolling back: a new object stayed
// pending, a changed one kept its change, and the session's next commit() wrote them, on Neon
// WebSocket and libSQL HTTP. SQLAlchemy restores its snapshot whatever the database answers. Now the
// changes are dropped either way, and the error still reaches the caller.
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { AsyncSession, ConnectionError, createAll, inspect, select } from "../../src/index.ts"
import { type FaultRig, startFaultRig } from "../reliability/fault-rig.ts"
import { transactionModels } from "./models.ts"

const { registry, Item } = transactionModels("r9tx_rbcut")

let rig: FaultRig
beforeAll(async () => {
  rig = await startFaultRig({ streamExpiryMs: 60_000 })
})
afterAll(() => rig?.stop())

for (const transport of ["neon-websocket", "libsql-http"] as const) {
  describe(`a rollback() whose ROLLBACK is cut, on ${transport}`, () => {
    it("drops the changes it was rolling back all the same: the next commit writes none of them", async () => {
      const scope = `r9tx-rbcut-${transport}`
      const engine = rig.engine(transport, scope)
      {
        await using connection = engine.connect()
        await createAll(registry.metadata, connection)
      }
      await using session = new AsyncSession(engine)
      const kept = new Item({ name: "kept", qty: 1 })
      session.add(kept)
      await session.commit()
      await session.begin()
      const flushed = new Item({ name: "flushed", qty: 0 })
      session.add(flushed)
      await session.flush()
      const added = new Item({ name: "added", qty: 0 })
      session.add(added)
      kept.qty = 9
      session.on("afterRollback", () => {
        throw new Error("afterRollback fired for a rollback that failed")
      })
      rig.proxyOf(transport).arm("cut", { scope })
      await expect(session.rollback()).rejects.toThrow(ConnectionError)
      expect(session.inTransaction()).toBe(false)
      // Was: 'pending', and 9 with ["qty"] modified.
      expect([inspect(flushed).state, inspect(added).state]).toEqual(["transient", "transient"])
      expect([kept.qty, inspect(kept).modified]).toEqual([1, []])
      await session.commit()
      const stored = await rig
        .inspect(transport)
        .execute(select(Item.c.name, Item.c.qty).orderBy(Item.c.name))
      expect(stored.all().map((row) => [...row])).toEqual([["kept", 1]])
    })
  })
}
