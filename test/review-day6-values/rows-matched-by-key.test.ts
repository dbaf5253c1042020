// A flush's INSERT whose rows come back in any order (PostgreSQL's INSERT of keys the application gave,
// and addUnique's read of rows by their unique values, on both databases) gave each object the returned
// row whose key had the same String(): a Date's text stops at the second, so two objects keyed by Dates
// of one second both took the first one's row (the second object then said it was the first row, with
// its values, and a change to it was written to the first row: data loss); and a Numeric key comes back
// in the database's spelling ("0.3" as "0.30" from a Numeric(10, 2), "1e2" as "100"), so no row matched
// and the object kept no committed row (its next flush failed). Rows are now matched by their keys'
// values: Dates by their milliseconds, decimals by their number.
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import ws from "ws"
import {
  AsyncSession,
  column,
  DateTime,
  deleteFrom,
  Integer,
  model,
  Numeric,
  Registry,
  select,
  Text,
} from "../../src/index.ts"
import { libsqlEmbedded } from "../../src/libsql-node.ts"
import { libsqlEmbeddedFixture, libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"
import { scratchDir } from "../setup/scratch.ts"

const registry = new Registry()
class Reading extends model(
  "d6v_readings",
  {
    at: column(DateTime, { primaryKey: true }),
    label: column(Text),
    quality: column(Integer, { serverDefault: 7 }),
  },
  { registry },
) {}
class Price extends model(
  "d6v_prices",
  { amount: column(Numeric(10, 2), { primaryKey: true }), label: column(Text) },
  { registry },
) {}
class Ratio extends model(
  "d6v_ratios",
  { value: column(Numeric(), { primaryKey: true }), label: column(Text) },
  { registry },
) {}
class Slot extends model(
  "d6v_slots",
  {
    id: column(Integer, { primaryKey: true }),
    at: column(DateTime, { unique: true }),
    label: column(Text, { nullable: true }),
  },
  { registry },
) {}
class Fee extends model(
  "d6v_fees",
  {
    id: column(Integer, { primaryKey: true }),
    amount: column(Numeric(10, 2), { unique: true }),
    label: column(Text, { nullable: true }),
  },
  { registry },
) {}
registry.registerModels(Reading, Price, Ratio, Slot, Fee)

const fixtures = [
  neonFixture("http", ws),
  neonFixture("websocket", ws),
  libsqlHttpFixture(),
  libsqlEmbeddedFixture(libsqlEmbedded(), join(scratchDir("d6v-matched"), "matched.db")),
]
for (const fixture of fixtures) {
  describe(`rows matched to objects by their keys on ${fixture.name}`, () => {
    const engine = fixture.engine(`d6v-matched-${fixture.name}-${Date.now().toString(36)}`)
    freshSchema(engine, registry.metadata)

    async function stored<T>(read: (session: AsyncSession) => Promise<T>): Promise<T> {
      await using session = new AsyncSession(engine)
      return read(session)
    }

    it("two Date keys of one second: each object gets its own row, and a change goes to its own row", async () => {
      await using session = new AsyncSession(engine)
      const early = new Reading({ at: new Date("2024-01-01T00:00:00.100Z"), label: "early" })
      const late = new Reading({ at: new Date("2024-01-01T00:00:00.900Z"), label: "late" })
      session.addAll([early, late])
      await session.commit()
      expect([late.at.toISOString(), late.label, late.quality]).toEqual([
        "2024-01-01T00:00:00.900Z",
        "late",
        7,
      ])
      expect([early.at.toISOString(), early.label, early.quality]).toEqual([
        "2024-01-01T00:00:00.100Z",
        "early",
        7,
      ])
      late.label = "late, changed"
      await session.commit()
      const rows = await stored(async (s) =>
        (await s.scalars(select(Reading).orderBy(Reading.at)))
          .all()
          .map((r) => [r.at.toISOString(), r.label]),
      )
      expect(rows).toEqual([
        ["2024-01-01T00:00:00.100Z", "early"],
        ["2024-01-01T00:00:00.900Z", "late, changed"],
      ])
    })

    it("a Numeric key in another spelling: the object holds the row as read, and its next change commits", async () => {
      await using session = new AsyncSession(engine)
      const price = new Price({ amount: "0.3", label: "a" })
      const ratio = new Ratio({ value: "1e2", label: "a" })
      session.addAll([price, ratio])
      await session.commit()
      expect(price.amount).toBe("0.30")
      expect(await session.get(Price, "0.30")).toBe(price)
      expect(session.isModified(price)).toBe(false)
      expect(await session.get(Ratio, ratio.value)).toBe(ratio)
      expect(session.isModified(ratio)).toBe(false)
      price.label = "b"
      ratio.label = "b"
      await session.commit()
      expect(await stored(async (s) => (await s.execute(select(Price.amount, Price.label))).all())).toEqual([
        ["0.30", "b"],
      ])
      expect(await stored(async (s) => (await s.execute(select(Ratio.label))).scalars().all())).toEqual(["b"])
    })

    it("addUnique by a Date of the same second as another's: each object gets its own row's key", async () => {
      {
        await using seed = new AsyncSession(engine)
        await seed.execute(deleteFrom(Slot).where(Slot.id.isNotNull()))
        seed.add(new Slot({ id: 1, at: new Date("2024-05-06T07:08:09.250Z"), label: "there" }))
        await seed.commit()
      }
      await using session = new AsyncSession(engine)
      const there = session.addUnique(new Slot({ id: 2, at: new Date("2024-05-06T07:08:09.250Z") }), ["at"])
      const next = session.addUnique(new Slot({ id: 3, at: new Date("2024-05-06T07:08:09.750Z") }), ["at"])
      await session.commit()
      expect([there.id, there.at.toISOString(), there.label]).toEqual([
        1,
        "2024-05-06T07:08:09.250Z",
        "there",
      ])
      expect([next.id, next.at.toISOString(), next.label]).toEqual([3, "2024-05-06T07:08:09.750Z", null])
    })

    it("addUnique by a Numeric in another spelling finds the row that holds it", async () => {
      {
        await using seed = new AsyncSession(engine)
        await seed.execute(deleteFrom(Fee).where(Fee.id.isNotNull()))
        seed.add(new Fee({ id: 1, amount: "0.30", label: "there" }))
        await seed.commit()
      }
      await using session = new AsyncSession(engine)
      const fee = session.addUnique(new Fee({ id: 2, amount: "0.3" }), ["amount"])
      await session.commit()
      expect([fee.id, fee.amount, fee.label]).toEqual([1, "0.30", "there"])
      expect(session.isModified(fee)).toBe(false)
    })
  })
}
