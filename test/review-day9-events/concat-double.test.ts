// `||` of text with a double or a boolean, computed in memory (a hybrid on an instance, a bulk UPDATE's
// synchronizeSession). JavaScript wrote the number as String() does, where SQLite writes 0.30000000000000004
// as "0.3" and 1e21 as "1.0e+21", PostgreSQL 1e-7 as "1e-07", and SQLite a true as "1": the instance
// said what neither database would, and after a bulk UPDATE the object kept a value its row did not have.
// Memory now leaves such a concatenation to the database, as it does a CAST it cannot compute alike.
// TypeScript takes text only for concat(): this is JavaScript's, or a cast's (`asText` below).
import { describe, expect, it } from "vitest"
import {
  AsyncSession,
  Boolean,
  column,
  type Expression,
  Float,
  hybrid,
  Integer,
  InvalidRequestError,
  model,
  Registry,
  String,
  select,
  update,
} from "../../src/index.ts"
import { fixtures, suiteEngine } from "./models.ts"

const registry = new Registry()

/** A column where concat() types text only, as JavaScript (or a cast) passes it. */
const asText = (operand: Expression<unknown>) => operand as Expression<string>

class Reading extends model(
  "d9ev_concat_readings",
  {
    id: column(Integer, { primaryKey: true }),
    label: column(String(60)),
    value: column(Float),
    ok: column(Boolean, { default: true }),
    count: column(Integer, { default: 1 }),
  },
  {
    registry,
    hybrids: hybrid((c) => ({
      shown: c.label.concat("=").concat(asText(c.value)),
      flagged: c.label.concat(asText(c.ok)),
      counted: c.label.concat("#").concat(asText(c.count)),
    })),
  },
) {}

const values = [0.30000000000000004, 1e-7, 1e21]

for (const fixture of fixtures()) {
  describe(`text || a double, on ${fixture.name}`, () => {
    const { engine } = suiteEngine(fixture, "concat", registry)

    it("a hybrid concatenating a double or a boolean is not computed on instances; one of integers is", async () => {
      await using session = new AsyncSession(engine)
      const readings = values.map((value) => new Reading({ label: "r", value }))
      for (const reading of readings) session.add(reading)
      await session.commit()
      const stored = (await session.scalars(select(Reading.shown).orderBy(Reading.id))).all()
      // What the databases write, which JavaScript's String() does not ("r=0.30000000000000004", "r=1e-7", "r=1e+21").
      expect(stored).toEqual(
        fixture.dialect === "sqlite"
          ? ["r=0.3", "r=1.0e-07", "r=1.0e+21"]
          : ["r=0.30000000000000004", "r=1e-07", "r=1e+21"],
      )
      for (const reading of readings) {
        expect(() => reading.shown).toThrow(InvalidRequestError)
        expect(() => reading.shown).toThrow(
          "Reading.shown cannot be computed in memory (each database writes a float as text in its own way)",
        )
        expect(() => reading.flagged).toThrow("each database writes a boolean as text in its own way")
        expect(reading.counted).toBe("r#1")
      }
      expect((await session.scalars(select(Reading.counted).orderBy(Reading.id))).all()).toEqual([
        "r#1",
        "r#1",
        "r#1",
      ])
    })

    it("a bulk UPDATE setting text || a double leaves the objects with their rows' values", async () => {
      await using session = new AsyncSession(engine)
      const reading = new Reading({ label: "b", value: 0.30000000000000004 })
      session.add(reading)
      await session.commit()
      await session.execute(
        update(Reading)
          .where(Reading.id.eq(reading.id))
          .values({ label: Reading.label.concat(asText(Reading.value)) }),
      )
      await using reader = new AsyncSession(engine)
      const row = await reader.scalar(select(Reading.label).where(Reading.id.eq(reading.id)))
      expect(row).toBe(fixture.dialect === "sqlite" ? "b0.3" : "b0.30000000000000004")
      expect(reading.label).toBe(row)
    })
  })
}
