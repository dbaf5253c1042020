// A bulk UPDATE run while held objects carry unflushed changes (autoflush off, or a query after a
// refused commit) matches and computes as the database does: from the row it holds, not from the
// object's pending values. Before the fix the evaluator read the pending values: an object the database
// updated kept its old value, one it did not got the new value, and a value computed from a pending
// column was taken as the row's; all of it as committed, so rollback() left it on the object.
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import ws from "ws"
import {
  AsyncSession,
  column,
  deleteFrom,
  Float,
  Integer,
  model,
  Registry,
  String,
  select,
  Text,
  update,
} from "../../src/index.ts"
import { libsqlEmbedded } from "../../src/libsql-node.ts"
import { libsqlEmbeddedFixture, libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"
import { scratchDir } from "../setup/scratch.ts"

const registry = new Registry()
class Part extends model(
  "r5b_uf_parts",
  {
    id: column(Integer, { primaryKey: true }),
    label: column(String(20)),
    qty: column(Integer),
    score: column(Float, { nullable: true }),
    note: column(Text, { nullable: true }),
  },
  { registry },
) {}
registry.registerModels(Part)

const fixtures = [
  neonFixture("http", ws),
  neonFixture("websocket", ws),
  libsqlHttpFixture(),
  libsqlEmbeddedFixture(libsqlEmbedded(), join(scratchDir("r5b-unflushed-changes"), "db.sqlite")),
]
for (const fixture of fixtures) {
  describe(`a bulk UPDATE beside unflushed changes on ${fixture.name}`, () => {
    const engine = fixture.engine(`r5b-uf-${fixture.name}-${Date.now().toString(36)}`)
    freshSchema(engine, registry.metadata)

    /** Two parts, a (qty 1) and b (qty 2), held by a session without autoflush. */
    async function held(): Promise<{ session: AsyncSession; a: Part; b: Part }> {
      {
        await using seeding = new AsyncSession(engine)
        await seeding.execute(deleteFrom(Part), { synchronizeSession: false })
        seeding.addAll([new Part({ label: "a", qty: 1 }), new Part({ label: "b", qty: 2 })])
        await seeding.commit()
      }
      const session = new AsyncSession(engine, { autoflush: false })
      const [a, b] = (await session.scalars(select(Part).orderBy(Part.label))).all() as [Part, Part]
      return { session, a, b }
    }

    async function stored(): Promise<unknown[][]> {
      await using reading = new AsyncSession(engine)
      const rows = await reading.execute(
        select(Part.label, Part.qty, Part.score, Part.note).orderBy(Part.label),
      )
      return rows.all().map((row) => [...row])
    }

    for (const mode of ["auto", "evaluate"] as const) {
      it(`matches the rows by the values they hold, not by pending ones (${mode})`, async () => {
        const { session, a, b } = await held()
        await using _ = session
        a.qty = 5 // the row still holds 1: the UPDATE below changes it
        b.qty = 1 // the row still holds 2: the UPDATE below leaves it
        await session.execute(update(Part).where(Part.qty.eq(1)).values({ note: "hit" }), {
          synchronizeSession: mode,
        })
        expect(await stored()).toEqual([
          ["a", 1, null, "hit"],
          ["b", 2, null, null],
        ])
        expect([a.note, b.note]).toEqual(["hit", null])
        // The pending changes are still there, to be flushed.
        expect([a.qty, b.qty]).toEqual([5, 1])
        expect([session.isModified(a), session.isModified(b)]).toEqual([true, true])
        // Dropping them leaves what the database holds.
        await session.rollback()
        expect([a.qty, a.note, b.qty, b.note]).toEqual([1, "hit", 2, null])
      })

      it(`computes new values from the row's values, not from pending ones (${mode})`, async () => {
        const { session, a } = await held()
        await using _ = session
        a.qty = 10 // the row still holds 1
        await session.execute(
          update(Part)
            .where(Part.label.eq("a"))
            .values({ score: Part.qty.mul(2) }),
          {
            synchronizeSession: mode,
          },
        )
        expect((await stored())[0]).toEqual(["a", 1, 2, null])
        expect(a.score).toBe(2)
        await session.rollback()
        expect([a.qty, a.score]).toEqual([1, 2])
      })
    }

    it("commits the pending change and the bulk UPDATE's value together", async () => {
      const { session, a } = await held()
      await using _ = session
      a.qty = 7
      await session.execute(update(Part).where(Part.qty.eq(1)).values({ note: "seen" }))
      await session.commit()
      expect((await stored())[0]).toEqual(["a", 7, null, "seen"])
      expect([a.qty, a.note]).toEqual([7, "seen"])
    })
  })
}
