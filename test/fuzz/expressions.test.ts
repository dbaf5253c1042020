// The differential fuzzer of expressions (tools/fuzz/) on fixed seeds, one pair of transports each, and
// the disagreements it found, fixed: a value computed in memory (hybrids, synchronizeSession
// "evaluate") that the database does not give, SQL PostgreSQL could not type, a crash binding an
// untyped fraction on SQLite. Every disagreement left must be one the README documents.
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import ws from "ws"
import {
  AsyncSession,
  BigInteger,
  caseWhen,
  DateTime,
  func,
  literal,
  select,
  Text,
  update,
} from "../../src/index.ts"
import { libsqlEmbedded } from "../../src/libsql-node.ts"
import { evaluator, Unevaluable } from "../../src/orm/evaluate.ts"
import { mapperOf } from "../../src/orm/mapper-of.ts"
import { Differential, type Finding, type Target } from "../../tools/fuzz/differential.ts"
import type { Spec } from "../../tools/fuzz/expression-specs.ts"
import { fuzzModel } from "../../tools/fuzz/fuzz-model.ts"
import { documentedDifference } from "../../tools/fuzz/known-differences.ts"
import {
  libsqlEmbeddedFixture,
  libsqlHttpFixture,
  neonFixture,
  type TransportFixture,
} from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"
import { scratchDir } from "../setup/scratch.ts"

const { model: F, registry } = fuzzModel("fz_")
const table = mapperOf(F).table
const scope = `fz-${Date.now().toString(36)}`
const target = (fixture: TransportFixture): Target => ({
  transport: fixture.name,
  dialect: fixture.dialect,
  engine: fixture.engine(scope),
})
const neonHttp = target(neonFixture("http", ws))
const neonWebSocket = target(neonFixture("websocket", ws))
const libsqlHttp = target(libsqlHttpFixture())
const embedded = target(libsqlEmbeddedFixture(libsqlEmbedded(), join(scratchDir("ea-fuzz"), "fuzz.db")))
for (const engine of [neonHttp, libsqlHttp, embedded]) freshSchema(engine.engine, registry.metadata)

const QUICK = { rows: 4, expressions: 12, updates: 3, depth: 2, shrinkBudget: 40 }
const unexplained = (findings: readonly Finding[]) =>
  findings.filter((finding) => !documentedDifference(finding)).map((finding) => finding.repro)

describe("the expression fuzzer, on fixed seeds", () => {
  const pairs: [number, Target, Target][] = [
    [11, neonHttp, embedded],
    [12, neonWebSocket, libsqlHttp],
    [13, neonHttp, libsqlHttp],
    [14, neonWebSocket, embedded],
  ]
  for (const [seed, postgres, sqlite] of pairs) {
    it(`finds no disagreement but documented ones: seed ${seed}, ${postgres.transport} + ${sqlite.transport}`, async () => {
      const findings = await new Differential([postgres, sqlite], F, QUICK).runSeed(seed)
      expect(unexplained(findings)).toEqual([])
    }, 20_000)
  }

  it("reports a disagreement, minimised, and explains a documented one (a division by zero)", async () => {
    const divide: Spec = {
      op: "method",
      sort: "int",
      name: "div",
      receiver: { op: "func", sort: "int", name: "abs", args: [{ op: "col", sort: "int", key: "i2" }] },
      args: [{ op: "lit", sort: "int", value: 0 }],
    }
    const findings = await new Differential([neonHttp, embedded], F, QUICK).checkSpecs(10, [divide])
    expect(findings.map((f) => [f.category, f.subject])).toEqual([["postgresql≠sqlite", "F.i2.div(0)"]])
    expect(findings[0]?.repro).toMatch(/postgresql: error: \[22012\][\s\S]*sqlite: null/)
    expect(documentedDifference(findings[0] as Finding)).toMatch(/^division by zero/)
  })
})

/** A row of the fuzz model with the given values, the required columns filled. */
const row = (values: Partial<Record<string, unknown>>) => new F({ i2: 1, f2: 1, t2: "x", ...values } as never)

for (const postgresOrSqlite of [neonHttp, libsqlHttp, embedded]) {
  describe(`what the fuzzer found, fixed, on ${postgresOrSqlite.transport}`, () => {
    const { engine } = postgresOrSqlite

    it("func.concat takes plain strings and literal() (PostgreSQL could not type them: 42P18)", async () => {
      await using session = new AsyncSession(engine)
      const saved = row({ t: "a" })
      session.add(saved)
      await session.commit()
      const joined = await session.scalar(
        select(func.concat(F.t, " ", literal("b"), literal("!", Text))).where(F.id.eq(saved.id)),
      )
      expect(joined).toBe("a b!")
    })

    it("a CASE of plain values keeps their type (PostgreSQL took it as text: sum(text) does not exist)", async () => {
      await using session = new AsyncSession(engine)
      const flags = [true, true, false].map((flag) => row({ flag, t: "case" }))
      session.addAll(flags)
      await session.commit()
      const counted = await session.scalar(
        select(func.sum(caseWhen([[F.flag, 1]], 0)).cast(BigInteger)).where(F.t.eq("case")),
      )
      expect(counted).toBe(2n)
    })

    it("casts a day to a timestamp at its midnight in UTC, years below 100 too (SQLite read '0001-01-01' as 2001)", async () => {
      await using session = new AsyncSession(engine)
      const days = ["0001-01-01", "2024-02-29"].map((day) => row({ day, t: "days" }))
      session.addAll(days)
      await session.commit()
      const stamps = await session.scalars(select(F.day.cast(DateTime)).where(F.t.eq("days")).orderBy(F.id))
      expect(stamps.all().map((stamp) => (stamp as Date).toISOString())).toEqual([
        "0001-01-01T00:00:00.000Z",
        "2024-02-29T00:00:00.000Z",
      ])
      const midnight = new Date("2024-02-29T00:00:00.000Z")
      const found = await session.scalars(
        select(F.day).where(F.t.eq("days"), F.day.cast(DateTime).eq(midnight)),
      )
      expect(found.all()).toEqual(["2024-02-29"])
    })

    it("compares an untyped function with a fraction (SQLite's binding threw a RangeError)", async () => {
      await using session = new AsyncSession(engine)
      const saved = row({ f: -90.25, t: "abs" })
      session.add(saved)
      await session.commit()
      const found = await session.scalars(select(F.id).where(F.t.eq("abs"), func.abs(F.f).in([0, 90.25])))
      expect(found.all()).toEqual([saved.id])
    })

    for (const [name, where] of [
      ["IN", F.m.in(["9.5"])],
      ["BETWEEN", F.m.between("9", "10")],
    ] as const) {
      it(`synchronizes a bulk UPDATE whose ${name} compares a Numeric (memory compared its text: "9.50" is not "9.5")`, async () => {
        await using session = new AsyncSession(engine)
        const saved = row({ m: "9.50", t: "before" })
        session.add(saved)
        await session.commit()
        await session.execute(update(F).where(F.id.eq(saved.id), where).values({ t: "after" }))
        expect(saved.t).toBe("after")
        await session.refresh(saved)
        expect(saved.t).toBe("after")
      })
    }

    it("synchronizes a bulk UPDATE comparing a BigInteger with a Float, which PostgreSQL compares as doubles", async () => {
      await using session = new AsyncSession(engine)
      const saved = row({ b: 2n ** 53n + 1n, f: 2 ** 53, t: "before" })
      session.add(saved)
      await session.commit()
      await session.execute(
        update(F)
          .where(F.id.eq(saved.id), F.b.eq(F.f as never))
          .values({ t: "after" }),
      )
      const held = saved.t
      await session.refresh(saved)
      expect(held).toBe(saved.t)
    })

    it("synchronizes a JSON document set by a bulk UPDATE as the row reads back (the object kept a Date inside it)", async () => {
      await using session = new AsyncSession(engine)
      const saved = row({ doc: null, t: "doc" })
      session.add(saved)
      await session.commit()
      await session.execute(
        update(F)
          .where(F.id.eq(saved.id))
          .values({ doc: { zz: new Date(1), a: undefined } }),
      )
      const held = JSON.stringify(saved.doc)
      await session.execute(
        update(F)
          .where(F.id.eq(saved.id))
          .values({ doc: func.coalesce(F.doc, { b: 1 }) }),
      )
      await session.execute(update(F).where(F.id.eq(saved.id)).values({ i: 1 }))
      await using reader = new AsyncSession(engine)
      const read = await reader.scalar(select(F).where(F.id.eq(saved.id)))
      expect(held).toBe(JSON.stringify(read?.doc))
      expect(saved.doc).toEqual({ zz: "1970-01-01T00:00:00.001Z" })
    })

    it("synchronizes a column set from another column of another type as the row reads it back", async () => {
      await using session = new AsyncSession(engine)
      const saved = row({ i: 7, b: 9n, n: "12.5", m: "1.25", f: -0 })
      session.add(saved)
      await session.commit()
      await session.execute(
        update(F)
          .where(F.id.eq(saved.id))
          .values({ b: F.i as never, i: F.b as never, m: F.n, f2: F.i as never }),
      )
      const held = { b: saved.b, i: saved.i, m: saved.m, f2: saved.f2 }
      await session.refresh(saved)
      expect(held).toEqual({ b: saved.b, i: saved.i, m: saved.m, f2: saved.f2 })
      expect(held).toEqual({ b: 7n, i: 9, m: "12.50", f2: 7 })
    })

    it("synchronizes a Numeric set from an expression as the database reads it back (memory held 0, the row 0.00)", async () => {
      await using session = new AsyncSession(engine)
      const saved = row({ m: null })
      session.add(saved)
      await session.commit()
      await session.execute(
        update(F)
          .where(F.id.eq(saved.id))
          .values({ m: func.coalesce(F.m, "0") }),
      )
      expect(saved.m).toBe("0.00")
    })
  })
}

describe("the in-memory evaluator, where the fuzzer found it computing what the database does not", () => {
  const compute = (expression: Parameters<typeof evaluator>[0], values: Record<string, unknown>) =>
    evaluator(expression, table)(values)

  it("refuses an integer result beyond its type, which PostgreSQL refuses (integer out of range)", () => {
    expect(() => compute(F.i.mul(F.i2), { i: 2 ** 30, i2: 4 })).toThrow(Unevaluable)
    expect(() => compute(func.abs(F.i2), { i2: -(2 ** 31) })).toThrow(Unevaluable)
    expect(() => compute(F.f.mul(F.f2), { f: 1e308, f2: 10 })).toThrow(Unevaluable)
    expect(() => compute(F.f2.add(F.f2).le(1), { f2: -1e308 })).toThrow(Unevaluable)
    // And below: PostgreSQL's "value out of range: underflow".
    expect(() => compute(F.f.mul(F.f2), { f: 5e-324, f2: 0.5 })).toThrow(Unevaluable)
    expect(() => compute(F.f.div(F.f2), { f: 1e-300, f2: 1e300 })).toThrow(Unevaluable)
    expect(compute(F.f.mul(F.f2), { f: 0, f2: 0.5 })).toBe(0)
    expect(compute(F.i.div(F.i2), { i: 7, i2: 10 })).toBe(0)
    expect(compute(F.i.mul(F.b as never), { i: 2 ** 30, b: 4n })).toBe(2n ** 32n)
    expect(compute(F.b.add(1 as never), { b: 2n ** 62n })).toBe(2n ** 62n + 1n)
    // A BigInteger divided by a Float divides as doubles on both databases.
    expect(compute(F.b.div(F.f2 as never), { b: 7n, f2: 2 })).toBe(3.5)
    expect(compute(F.i.mul(F.i2), { i: 2 ** 15, i2: 2 ** 15 - 1 })).toBe(2 ** 30 - 2 ** 15)
    // A parameter is of its other side's type there: -7 - 32767 is beyond a smallint.
    expect(() => compute(literal(-7).sub(F.s as never), { s: 2 ** 15 - 1 })).toThrow(Unevaluable)
    expect(compute(literal(-7).sub(F.i as never), { i: 2 ** 15 - 1 })).toBe(-32774)
  })

  it("refuses to divide by an untyped function's result, an integer or not as the database types it", () => {
    expect(() => compute(F.s.div(func.abs(F.i) as never), { s: 7, i: 2 })).toThrow(Unevaluable)
  })

  it("refuses a day cast to a number even when NULL, as PostgreSQL refuses the CAST itself", () => {
    expect(() => evaluator(F.day.cast(BigInteger), table)).toThrow(Unevaluable)
    expect(compute(F.day.cast(Text), { day: null })).toBe(null)
  })
})
