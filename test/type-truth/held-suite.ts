// What held: each column type, aggregate and common expression gives, on both databases and by both
// the plain and the one-statement (JSON) load path, the JS type its static type says. These pass; they
// guard the fixes of the other suites from breaking what is right.
import { describe, expect, expectTypeOf, it } from "vitest"
import {
  AsyncSession,
  type Engine,
  exists,
  Float,
  func,
  Integer,
  insert,
  joinedload,
  literal,
  select,
  selectinload,
  Text,
  text,
  update,
} from "../../src/index.ts"
import { AtBig, AtPost, AtUser, atValues } from "./models.ts"

function jsKind(v: unknown): string {
  if (v === null) return "null"
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? "invalid date" : "Date"
  if (v instanceof Uint8Array) return "Uint8Array"
  return typeof v
}

/** Run by ./type-truth.test.ts on each database, over its schema. */
export function heldSuite(engine: Engine): void {
  describe("types that hold", () => {
    let fullId = 0
    let emptyId = 0

    it("seeds", async () => {
      await using s = new AsyncSession(engine)
      const full = new AtUser({
        name: "full",
        first: "Ada",
        last: "L",
        bio: "b",
        age: 7,
        small: 3,
        score: 0.1,
        big: 9007199254740993n,
        price: "12.50",
        active: false,
        born: "2020-02-03",
        seen: new Date("2024-01-02T03:04:05.678Z"),
        data: { tags: ["x"] },
        blob: new Uint8Array([0, 255]),
        mood: "sad",
        token: crypto.randomUUID(),
      })
      const empty = new AtUser({ name: "empty" })
      s.add(new AtPost({ title: "p", author: full }))
      s.add(empty)
      s.add(new AtBig({ id: 5n, label: "five" }))
      await s.commit()
      fullId = full.id
      emptyId = empty.id
      expect(typeof full.id).toBe("number")
      expect(full.createdAt).toBeInstanceOf(Date)
      expect(empty.flag).toBe(false)
      expect(empty.counter).toBe(7)
    })

    const expected = {
      id: "number",
      age: "number",
      small: "number",
      score: "number",
      big: "bigint",
      price: "string",
      active: "boolean",
      born: "string",
      seen: "Date",
      data: "object",
      blob: "Uint8Array",
      mood: "string",
      token: "string",
      createdAt: "Date",
      flag: "boolean",
      counter: "number",
    } as const

    it("reads every column type as its JS type, by every path", async () => {
      const ways: Record<string, () => Promise<AtUser>> = {
        get: async () => {
          await using r = new AsyncSession(engine)
          return (await r.get(AtUser, fullId))!
        },
        select: async () => {
          await using r = new AsyncSession(engine)
          return (await r.scalars(select(AtUser).where(AtUser.id.eq(fullId)))).one()
        },
        "select with selectinload (JSON rows)": async () => {
          await using r = new AsyncSession(engine)
          return (
            await r.scalars(select(AtUser).where(AtUser.id.eq(fullId)).options(selectinload(AtUser.posts)))
          ).one()
        },
        "joinedload from a post": async () => {
          await using r = new AsyncSession(engine)
          const post = (
            await r.scalars(select(AtPost).where(AtPost.userId.eq(fullId)).options(joinedload(AtPost.author)))
          ).first()!
          return post.author!
        },
      }
      for (const [way, read] of Object.entries(ways)) {
        const u = await read()
        const got = Object.fromEntries(
          Object.keys(expected).map((k) => [k, jsKind(u[k as keyof typeof expected])]),
        )
        expect({ way, got }).toEqual({ way, got: expected })
        expect(u.price).toBe("12.50")
        expect(u.big).toBe(9007199254740993n)
        expect(u.seen).toEqual(new Date("2024-01-02T03:04:05.678Z"))
      }
      expectTypeOf<AtUser["big"]>().toEqualTypeOf<bigint | null>()
      expectTypeOf<AtUser["born"]>().toEqualTypeOf<string | null>()
    })

    it("types aggregates as they come back: count number, sum of Integer number, of BigInteger bigint, of Numeric string, avg number", async () => {
      await using r = new AsyncSession(engine)
      const row = (
        await r.execute(
          select(
            func.count(),
            func.sum(AtUser.age),
            func.sum(AtUser.big),
            func.sum(AtUser.price),
            func.avg(AtUser.age),
            func.min(AtUser.seen),
            func.max(AtUser.born),
          ),
        )
      ).one()
      expectTypeOf(row).toEqualTypeOf<
        [number, number | null, bigint | null, string | null, number | null, Date | null, string | null]
      >()
      expect(row.map(jsKind)).toEqual(["number", "number", "bigint", "string", "number", "Date", "string"])
      const none = (
        await r.execute(
          select(func.sum(AtUser.age), func.avg(AtUser.age), func.max(AtUser.seen)).where(AtUser.id.lt(0)),
        )
      ).one()
      expect(none).toEqual([null, null, null])
    })

    it("types exists, scalar subqueries, literals and arithmetic on non-null operands truthfully", async () => {
      await using r = new AsyncSession(engine)
      const row = (
        await r.execute(
          select(
            exists(select(AtPost.id).where(AtPost.userId.eq(AtUser.id))),
            select(AtPost.title).where(AtPost.userId.eq(AtUser.id)).limit(1).scalarSubquery(),
            select(func.count()).selectFrom(AtPost).where(AtPost.userId.eq(AtUser.id)).scalarSubquery(),
            literal(10n),
            literal(new Date(0)),
            AtUser.id.add(1),
            AtUser.id.mul(2),
            AtUser.id.cast(Text),
            func.now(),
            AtUser.c.name.concat("!"),
          ).where(AtUser.id.eq(emptyId)),
        )
      ).one()
      expectTypeOf(row).toEqualTypeOf<
        [boolean, string | null, number | null, bigint, Date, number, number, string, Date, string]
      >()
      expect(row.map(jsKind)).toEqual([
        "boolean",
        "null",
        "number",
        "bigint",
        "Date",
        "number",
        "number",
        "string",
        "Date",
        "string",
      ])
    })

    it("types get, RETURNING and typed text() rows truthfully", async () => {
      await using s = new AsyncSession(engine)
      const missing = await s.get(AtUser, -1)
      expectTypeOf(missing).toEqualTypeOf<AtUser | null>()
      expect(missing).toBeNull()
      const big = await s.get(AtBig, 5n)
      expect(typeof big?.id).toBe("bigint")
      const inserted = (
        await s.execute(
          insert(atValues).values({ n: 1 }).returning(atValues.c.id, atValues.c.stamp, atValues),
        )
      ).one()
      expect([jsKind(inserted[0]), jsKind(inserted[1]), jsKind(inserted[2].f)]).toEqual([
        "number",
        "Date",
        "null",
      ])
      const updated = (
        await s.execute(
          update(AtUser).where(AtUser.id.eq(emptyId)).values({ age: 3 }).returning(AtUser.age, AtUser),
        )
      ).one()
      expectTypeOf(updated).toEqualTypeOf<[number | null, AtUser]>()
      expect(updated[0]).toBe(3)
      expect(updated[1]).toBeInstanceOf(AtUser)
      const typed = (await s.execute(text("select 1, 2.5, 'x'").columns(Integer, Float, Text))).one()
      expectTypeOf(typed).toEqualTypeOf<[number, number, string]>()
      expect(typed).toEqual([1, 2.5, "x"])
    })
  })
}
