// The objects a bulk statement's RETURNING rows bring into the session say what happened to their rows.
// Before the fix, `deleteFrom(M).where(...).returning(M)` put each deleted row into the identity map
// as a persistent object (a new one beside the held object it had detached), so get() answered from
// memory with a row that was gone; and `insert(M).values(...).returning(M)` inside a transaction left
// its objects persistent after the rollback that removed their rows.
import { join } from "node:path"
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
import { libsqlEmbedded } from "../../src/libsql-node.ts"
import { libsqlEmbeddedFixture, libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"
import { scratchDir } from "../setup/scratch.ts"

const registry = new Registry()
class Crate extends model(
  "r5b_rr_crates",
  {
    id: column(Integer, { primaryKey: true }),
    label: column(String(20)),
    qty: column(Integer),
  },
  { registry },
) {}
registry.registerModels(Crate)

const fixtures = [
  neonFixture("http", ws),
  neonFixture("websocket", ws),
  libsqlHttpFixture(),
  libsqlEmbeddedFixture(libsqlEmbedded(), join(scratchDir("r5b-returned-rows"), "db.sqlite")),
]
for (const fixture of fixtures) {
  describe(`objects of RETURNING rows of bulk writes on ${fixture.name}`, () => {
    const engine = fixture.engine(`r5b-rr-${fixture.name}-${Date.now().toString(36)}`)
    freshSchema(engine, registry.metadata)

    /** Crates a (qty 1) and b (qty 2); their ids. */
    async function seed(): Promise<{ a: number; b: number }> {
      await using session = new AsyncSession(engine)
      await session.execute(deleteFrom(Crate), { synchronizeSession: false })
      const a = new Crate({ label: "a", qty: 1 })
      const b = new Crate({ label: "b", qty: 2 })
      session.addAll([a, b])
      await session.commit()
      return { a: a.id, b: b.id }
    }

    async function labels(): Promise<string[]> {
      await using reading = new AsyncSession(engine)
      return (await reading.scalars(select(Crate.label).orderBy(Crate.label))).all()
    }

    it("DELETE ... RETURNING with nothing held: the objects are detached, get() asks the database", async () => {
      const ids = await seed()
      await using session = new AsyncSession(engine)
      const deleted = (
        await session.execute(deleteFrom(Crate).where(Crate.label.eq("a")).returning(Crate))
      ).scalars()
      const [a] = deleted.all() as [Crate]
      expect([a.id, a.label, inspect(a).state]).toEqual([ids.a, "a", "detached"])
      expect(await session.get(Crate, ids.a)).toBeNull()
      expect(await labels()).toEqual(["b"])
    })

    for (const mode of ["auto", "evaluate", "fetch", false] as ("auto" | "evaluate" | "fetch" | false)[]) {
      it(`DELETE ... RETURNING gives back the held object, detached (synchronizeSession ${mode})`, async () => {
        const ids = await seed()
        await using session = new AsyncSession(engine)
        const held = (await session.scalars(select(Crate).orderBy(Crate.label))).all() as [Crate, Crate]
        const result = await session.execute(
          deleteFrom(Crate).where(Crate.label.eq("a")).returning(Crate, Crate.qty),
          { synchronizeSession: mode },
        )
        const [[a, qty]] = result.all() as unknown as [[Crate, number]]
        expect(a).toBe(held[0])
        expect(qty).toBe(1)
        expect([inspect(held[0]).state, inspect(held[1]).state]).toEqual(["detached", "persistent"])
        expect(await session.get(Crate, ids.a)).toBeNull()
      })
    }

    it("DELETE ... RETURNING inside a transaction that rolls back: the objects are persistent again", async () => {
      const ids = await seed()
      await using session = new AsyncSession(engine)
      await session.begin()
      const [a] = (await session.execute(deleteFrom(Crate).where(Crate.label.eq("a")).returning(Crate)))
        .scalars()
        .all() as [Crate]
      // Its row deleted by the open transaction: 'deleted' until it ends (SQLAlchemy's).
      expect(inspect(a).state).toBe("deleted")
      await session.rollback()
      expect(inspect(a).state).toBe("persistent")
      expect(await session.get(Crate, ids.a)).toBe(a)
      expect(await labels()).toEqual(["a", "b"])
    })

    it("INSERT ... RETURNING inside a transaction that rolls back: the objects are transient again", async () => {
      await seed()
      await using session = new AsyncSession(engine)
      await session.begin()
      const made = (
        await session.execute(
          insert(Crate)
            .values([
              { label: "c", qty: 3 },
              { label: "d", qty: 4 },
            ])
            .returning(Crate),
        )
      )
        .scalars()
        .all() as [Crate, Crate]
      const ids = made.map((crate) => crate.id)
      expect(made.map((crate) => inspect(crate).state)).toEqual(["persistent", "persistent"])
      await session.rollback()
      expect(made.map((crate) => inspect(crate).state)).toEqual(["transient", "transient"])
      expect(await session.get(Crate, ids[0] as number)).toBeNull()
      expect(await labels()).toEqual(["a", "b"])
      // Added again, they are inserted again.
      session.addAll(made)
      await session.commit()
      expect(await labels()).toEqual(["a", "b", "c", "d"])
    })

    it("objects an UPDATE's or an upsert's RETURNING refreshed inside a rolled-back transaction go back", async () => {
      const ids = await seed()
      await using session = new AsyncSession(engine)
      const [a, b] = (await session.scalars(select(Crate).orderBy(Crate.label))).all() as [Crate, Crate]
      await session.begin()
      await session.execute(update(Crate).where(Crate.label.eq("a")).values({ qty: 9 }).returning(Crate), {
        synchronizeSession: false,
      })
      await session.execute(
        insert(Crate)
          .values({ id: ids.b, label: "b", qty: 8 })
          .onConflictDoUpdate({ target: ["id"], set: { qty: 8 } })
          .returning(Crate),
      )
      expect([a.qty, b.qty]).toEqual([9, 8])
      await session.rollback()
      expect([a.qty, b.qty]).toEqual([1, 2])
      expect([session.isModified(a), session.isModified(b)]).toEqual([false, false])
      // Committed, they keep what the statements wrote.
      await session.begin()
      await session.execute(update(Crate).where(Crate.label.eq("a")).values({ qty: 7 }).returning(Crate), {
        synchronizeSession: false,
      })
      await session.commit()
      expect(a.qty).toBe(7)
    })

    it("INSERT ... RETURNING committed, or outside a transaction: the objects stay persistent", async () => {
      await seed()
      await using session = new AsyncSession(engine)
      const outside = (
        await session.execute(insert(Crate).values({ label: "c", qty: 3 }).returning(Crate))
      ).scalar() as Crate
      await session.begin()
      const inside = (
        await session.execute(insert(Crate).values({ label: "d", qty: 4 }).returning(Crate))
      ).scalar() as Crate
      await session.commit()
      expect([inspect(outside).state, inspect(inside).state]).toEqual(["persistent", "persistent"])
      expect(await session.get(Crate, inside.id)).toBe(inside)
      expect(await labels()).toEqual(["a", "b", "c", "d"])
    })
  })
}
