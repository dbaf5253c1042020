// Values typed by an expression's SQL type must come back as that type:
// - the in-memory evaluator (src/orm/evaluate.ts, cast) converts as the databases do, or refuses, so a
//   hybrid's instance value and the objects a bulk UPDATE synchronizes hold the cast's JS type;
// - caseWhen reads back as its first typed result (src/sql/case.ts): a `null` first result used to
//   leave the whole CASE untyped;
// - on SQLite, CAST(x AS DATETIME) / CAST(x AS DATE) would convert by NUMERIC affinity ('2024-05-06
//   07:08:09' became 2024): it casts to TEXT (src/dialects/sqlite/compiler.ts, castTypeName).
import { describe, expect, expectTypeOf, it } from "vitest"
import {
  AsyncSession,
  BigInteger,
  caseWhen,
  DateOnly,
  DateTime,
  type Engine,
  Integer,
  literal,
  select,
  Text,
  update,
} from "../../src/index.ts"
import { AtCast, AtUser } from "./models.ts"

/** Run by ./type-truth.test.ts on each database, over its schema. */
export function castsAndCaseSuite(engine: Engine): void {
  describe("casts and CASE", () => {
    async function castRow(): Promise<number> {
      await using s = new AsyncSession(engine)
      const c = new AtCast({ age: 7, score: 2.5, price: "12.50", label: "x", big: 5n, seen: new Date(0) })
      s.add(c)
      await s.commit()
      return c.id
    }

    it("computes a CAST hybrid on an instance as the database does (the cast's type, not the operand's)", async () => {
      const id = await castRow()
      await using s = new AsyncSession(engine)
      const [ageText, pricePlusOne, bigAge, wholeScore] = (
        await s.execute(
          select(AtCast.ageText, AtCast.pricePlusOne, AtCast.bigAge, AtCast.wholeScore).where(
            AtCast.id.eq(id),
          ),
        )
      ).one()
      // SQL, both databases: "7", 13.5, 7n, 2
      expect([ageText, pricePlusOne, bigAge, wholeScore]).toEqual(["7", 13.5, 7n, 2])
      expectTypeOf(ageText).toEqualTypeOf<string | null>()
      const c = (await s.get(AtCast, id))!
      // In memory, as the database computes them (they were 7, "12.501", 7 and 2.5).
      expect({ ageText: c.ageText, pricePlusOne: c.pricePlusOne, bigAge: c.bigAge }).toEqual({
        ageText,
        pricePlusOne,
        bigAge,
      })
      // A double to an integer: PostgreSQL rounds half to even, SQLite truncates; memory does not guess.
      expect(() => c.wholeScore).toThrow(/wholeScore cannot be computed in memory/)
    })

    it("keeps objects synchronized by a bulk UPDATE ... SET col = CAST(...) in their column's JS type", async () => {
      const id = await castRow()
      await using s = new AsyncSession(engine)
      const c = (await s.get(AtCast, id))!
      // synchronizeSession "auto" (the default) evaluates these in memory.
      await s.execute(
        update(AtCast)
          .where(AtCast.id.eq(id))
          .values({
            label: AtCast.age.cast(Text),
            big: AtCast.age.cast(BigInteger),
            age: AtCast.score.cast(Integer),
            seen: literal("2024-05-06 07:08:09.000").cast(DateTime),
          }),
      )
      const inSession = { label: c.label, big: c.big, age: c.age, seen: c.seen }
      await using r = new AsyncSession(engine)
      const fresh = (await r.get(AtCast, id))!
      const inDatabase = { label: fresh.label, big: fresh.big, age: fresh.age, seen: fresh.seen }
      // The database: label "7", big 7n, age 2, seen a Date. The session today: label 7 (number, typed
      // string | null), big 7 (number, typed bigint | null), age 2.5, seen the string "2024-05-06 ...".
      expect(typeof inSession.label).toBe("string")
      expect(typeof inSession.big).toBe("bigint")
      expect(inSession.seen).toBeInstanceOf(Date)
      expect(inSession).toEqual(inDatabase)
    })

    it("types caseWhen whose results are columns as the columns' values, not as Column objects", async () => {
      await using s = new AsyncSession(engine)
      const u = new AtUser({ name: "columns", age: 30 })
      s.add(u)
      await s.commit()
      const picked = (
        await s.scalars(select(caseWhen([[AtUser.age.gt(18), AtUser.c.name]])).where(AtUser.id.eq(u.id)))
      ).one()
      expect(picked).toBe("columns") // a string at run time
      // Today: Column<string, "name"> (T is inferred as the Column itself, through `Operand<T> | T`).
      expectTypeOf(picked).toEqualTypeOf<string | null>()
      // And a fallback of the column's own type is refused today ("x" is not an Operand<Column<...>>):
      caseWhen([[AtUser.age.gt(18), AtUser.c.name]], "x")
      caseWhen([[AtUser.age.isNull(), null]], AtUser.seen)
    })

    it("decodes caseWhen by its non-null results' type when the first WHEN gives NULL", async () => {
      await using s = new AsyncSession(engine)
      const seen = new Date("2024-01-02T03:04:05.678Z")
      const u = new AtUser({
        name: "cased",
        age: 3,
        seen,
        big: 9007199254740993n,
        active: true,
        price: "1.50",
        data: { tags: ["t"] },
      })
      s.add(u)
      await s.commit()
      const notMinor = AtUser.age.isNull() // false for this row: the ELSE branch (a column) is taken
      const row = (
        await s.execute(
          select(
            caseWhen([[notMinor, null]], AtUser.seen),
            caseWhen([[notMinor, null]], AtUser.big),
            caseWhen([[notMinor, null]], AtUser.active),
            caseWhen([[notMinor, null]], AtUser.price),
            caseWhen([[notMinor, null]], AtUser.data),
          ).where(AtUser.id.eq(u.id)),
        )
      ).one()
      // SQLite today: "2024-01-02 03:04:05.678" (text), 9007199254740993n, 1 (a number), 1.5 (a number),
      // '{"tags":["t"]}' (text). PostgreSQL today: a Date, "9007199254740993" (text), true, "1.50", an object.
      expect(row).toEqual([seen, 9007199254740993n, true, "1.50", { tags: ["t"] }])
    })

    it("casts to DateTime and DateOnly faithfully (SQLite's CAST AS DATETIME/DATE keeps only the year)", async () => {
      await using s = new AsyncSession(engine)
      const seen = new Date("2024-05-06T07:08:09.123Z")
      const u = new AtUser({ name: "when", seen })
      s.add(u)
      await s.commit()
      const [again, day] = (
        await s.execute(
          select(AtUser.seen.cast(DateTime), literal("2020-02-03").cast(DateOnly)).where(AtUser.id.eq(u.id)),
        )
      ).one()
      // SQLite today: Date(2024-01-01T00:00:00.000Z) and "2020".
      expect(again).toEqual(seen)
      expect(day).toBe("2020-02-03")
    })
  })
}
