// Deleting parents whose delete-cascade collection is not loaded deletes each level below by one bulk
// statement per parent (244f20e), and the objects the session holds of those rows follow the
// statements' RETURNING. Each such statement indexed every object the session holds when its rows
// came back, so a flush deleting P parents with H objects in the session cost P times H: 1,000
// authors with 10,000 held objects took 3 s of CPU after the request came back. The index is made once
// per flush and table now.
//
// The count is of reads of one held review's key while the commit runs (each index read it once), not
// a timing: deterministic.
import { describe, expect, it } from "vitest"
import ws from "ws"
import {
  AsyncSession,
  column,
  Integer,
  insert,
  inspect,
  model,
  Registry,
  relationship,
  String,
  select,
} from "../../src/index.ts"
import { stateOf } from "../../src/orm/state.ts"
import { libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"

const registry = new Registry()
class Writer extends model(
  "rv4_del_writers",
  {
    id: column(Integer, { primaryKey: true }),
    name: column(String(40)),
    books: relationship<Work[]>("Work", { cascade: ["save-update", "delete"] }),
  },
  { registry },
) {}
class Work extends model(
  "rv4_del_works",
  {
    id: column(Integer, { primaryKey: true }),
    title: column(String(40)),
    writerId: column(Integer, { foreignKey: "rv4_del_writers.id" }),
    reviews: relationship<Critique[]>("Critique", { cascade: ["save-update", "delete"] }),
  },
  { registry },
) {}
class Critique extends model(
  "rv4_del_critiques",
  {
    id: column(Integer, { primaryKey: true }),
    body: column(String(40)),
    workId: column(Integer, { foreignKey: "rv4_del_works.id" }),
  },
  { registry },
) {}
registry.registerModels(Writer, Work, Critique)

const PARENTS = 30

for (const fixture of [neonFixture("http", ws), libsqlHttpFixture()]) {
  describe(`deleting many parents with unloaded cascades on ${fixture.name}`, () => {
    const engine = fixture.engine(`rv4-delfollow-${fixture.name}-${Date.now().toString(36)}`)
    freshSchema(engine, registry.metadata)

    it("indexes the held objects once per flush, not once per bulk statement, and they still follow their rows", async () => {
      const ids = Array.from({ length: PARENTS }, (_, i) => i + 1)
      await engine.execute(insert(Writer).values(ids.map((id) => ({ id, name: `w${id}` }))))
      await engine.execute(insert(Work).values(ids.map((id) => ({ id, title: `t${id}`, writerId: id }))))
      await engine.execute(insert(Critique).values(ids.map((id) => ({ id, body: `c${id}`, workId: id }))))
      await using session = new AsyncSession(engine)
      const writers = (await session.scalars(select(Writer))).all()
      const held = (await session.get(Critique, 1)) as Critique
      // Counts reads of the held review's key from its committed values.
      let reads = 0
      const state = stateOf(held) as { committed: Record<string, unknown> }
      state.committed = new Proxy(state.committed, {
        get(target, property, receiver) {
          if (property === "id") reads++
          return Reflect.get(target, property, receiver)
        },
      })
      for (const writer of writers) session.delete(writer)
      reads = 0
      await session.commit()
      // Was above PARENTS: each writer's DELETE of reviews indexed every held object again.
      expect(reads).toBeLessThan(10)
      expect(inspect(held).state).toBe("detached")
      const left = await engine.execute(select(Critique.c.id))
      expect(left.rows).toEqual([])
    })
  })
}
