// A missing request field given as a bound value or a primary key.
// - `new Bound(statement, { id: undefined })` bound NULL: the query ran and silently matched nothing,
//   as eq(undefined) did before it was refused. Refused now, before anything is sent, as a value left
//   out was; printed SQL still shows the parameter's name.
// - `session.get(Model, undefined)` (or null) sent a query for a NULL key, which no row has. It answers
//   null and sends nothing, as SQLAlchemy's get(Model, None) returns None.
import { describe, expect, it } from "vitest"
import ws from "ws"
import {
  AsyncSession,
  bindparam,
  column,
  Integer,
  InvalidRequestError,
  model,
  ReadSession,
  Registry,
  String,
  select,
} from "../../src/index.ts"
import { Bound } from "../../src/sql/bound.ts"
import { libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"

const registry = new Registry()
class Note extends model(
  "r6b_mv_notes",
  { id: column(Integer, { primaryKey: true }), body: column(String(40)) },
  { registry },
) {}
class Pair extends model(
  "r6b_mv_pairs",
  {
    a: column(Integer, { primaryKey: true }),
    b: column(Integer, { primaryKey: true }),
    body: column(String(40)),
  },
  { registry },
) {}
registry.registerModels(Note, Pair)

const byId = select(Note).where(Note.id.eq(bindparam("id", Integer)))
const missing = undefined as unknown

describe("printed SQL", () => {
  it("names a parameter whose value is undefined, as one left out", () => {
    expect(new Bound(byId, { id: missing }).toString()).toContain('"r6b_mv_notes"."id" = :id')
  })
})

for (const fixture of [neonFixture("http", ws), libsqlHttpFixture()]) {
  describe(`missing values on ${fixture.name}`, () => {
    const scope = `r6b-mv-${fixture.name}-${Date.now().toString(36)}`
    const engine = fixture.engine(scope)
    freshSchema(engine, registry.metadata)
    const sent = async () => (await fixture.stats(scope))?.statements ?? Number.NaN

    let seeded = 0
    const seed = async () => {
      await using session = new AsyncSession(engine)
      const note = new Note({ body: "kept" })
      const a = ++seeded
      session.addAll([note, new Pair({ a, b: 2, body: "pair" })])
      await session.commit()
      return { note, a }
    }

    it("refuses { id: undefined } before sending, naming the parameter; a value still binds", async () => {
      const { note } = await seed()
      await using session = new ReadSession(engine)
      const before = await sent()
      for (const values of [{ id: missing }, {}]) {
        const attempt = session.scalars(new Bound(byId, values))
        await expect(attempt).rejects.toThrow(InvalidRequestError)
        await expect(session.scalars(new Bound(byId, values))).rejects.toThrow(
          'No value for the bind parameter "id"; pass it in { values }',
        )
      }
      expect(await sent()).toBe(before)
      expect(
        (await session.scalars(new Bound(byId, { id: note.id }))).all().map((n) => (n as Note).body),
      ).toEqual(["kept"])
      // null is SQL's NULL: bound, it matches no row (a comparison with NULL is unknown).
      expect((await session.scalars(new Bound(byId, { id: null }))).all()).toEqual([])
    })

    it("get() with an undefined or null key part answers null and sends nothing", async () => {
      const { note, a } = await seed()
      await using session = new ReadSession(engine)
      const before = await sent()
      expect(await session.get(Note, missing)).toBeNull()
      expect(await session.get(Note, null)).toBeNull()
      expect(await session.get(Note, [missing])).toBeNull()
      expect(await session.get(Pair, [a, missing])).toBeNull()
      expect(await session.get(Pair, [null, 2])).toBeNull()
      expect(await sent()).toBe(before)
      // A key of the wrong length is still refused, and a real key still reads.
      await expect(session.get(Pair, missing)).rejects.toThrow("get() was given 1")
      expect((await session.get(Note, note.id))?.body).toBe("kept")
      expect((await session.get(Pair, [a, 2]))?.body).toBe("pair")
      expect(await sent()).toBe(before + 2)
    })
  })
}
