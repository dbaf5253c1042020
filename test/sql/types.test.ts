// Type tests: checked by the compiler (test/node/typecheck.test.ts runs it), so a wrong inference or
// an `@ts-expect-error` that no longer errors fails the suite.
import { describe, expect, expectTypeOf, it } from "vitest"
import {
  column,
  DataError,
  DateOnly,
  type Expression,
  func,
  Integer,
  insert,
  Json,
  Numeric,
  type RowType,
  SqlType,
  String,
  select,
  Text,
  table,
  update,
} from "../../src/index.ts"
import { checkedValue } from "../../src/sql/value-checks.ts"
import { posts, users } from "./fixtures.ts"

describe("type inference", () => {
  it("infers the row tuple of a select of columns", () => {
    const statement = select(users.c.id, users.c.username, users.c.bio)
    expectTypeOf<RowType<typeof statement>>().toEqualTypeOf<[number, string, string | null]>()
  })

  it("infers function and label types", () => {
    const statement = select(
      func.count(),
      func.avg(users.c.age),
      func.max(posts.c.createdAt),
      users.c.age.label("a"),
    )
    expectTypeOf<RowType<typeof statement>>().toEqualTypeOf<
      [number, number | null, Date | null, number | null]
    >()
  })

  it("types a table item as a row object", () => {
    const statement = select(users)
    expectTypeOf<RowType<typeof statement>[0]["bio"]>().toEqualTypeOf<string | null>()
    expectTypeOf<RowType<typeof statement>[0]["isActive"]>().toEqualTypeOf<boolean>()
  })

  it("types RETURNING rows", () => {
    const statement = insert(users)
      .values({ username: "a", email: "b" })
      .returning(users.c.id, users.c.createdAt)
    expectTypeOf<RowType<typeof statement>>().toEqualTypeOf<[number, Date]>()
  })

  it("types the columns of a subquery by key and label", () => {
    const counts = select(posts.c.userId, func.count().label("n")).groupBy(posts.c.userId).subquery("c")
    expectTypeOf(counts.c.n).toExtend<Expression<number>>()
    expectTypeOf(counts.c.userId).toExtend<Expression<number>>()
  })

  it("requires exactly the columns without default that are not nullable on insert", () => {
    const people = table("people", {
      id: column(Integer, { primaryKey: true }),
      name: column(String(20)),
      nickname: column(Text, { nullable: true }),
      score: column(Integer, { default: 0 }),
      groupId: column(Integer, { primaryKey: true, foreignKey: "groups.id" }),
    })
    expectTypeOf<{ name: string; groupId: number }>().toExtend<typeof people.$inferInsert>()
    expectTypeOf<{ name: string }>().not.toExtend<typeof people.$inferInsert>()
    expectTypeOf<typeof people.$inferInsert>().toEqualTypeOf<{
      name: string
      groupId: number
      id?: number
      nickname?: string | null
      score?: number
    }>()
    expectTypeOf<typeof people.$inferSelect>().toEqualTypeOf<{
      id: number
      name: string
      nickname: string | null
      score: number
      groupId: number
    }>()
  })

  it("takes null as the default of a nullable column only, as SQLAlchemy's mapped_column(default=None)", () => {
    const people = table("people", {
      id: column(Integer, { primaryKey: true }),
      bio: column(Text, { nullable: true, default: null }),
    })
    expectTypeOf<typeof people.$inferSelect>().toEqualTypeOf<{ id: number; bio: string | null }>()
    expectTypeOf<typeof people.$inferInsert>().toEqualTypeOf<{ id?: number; bio?: string | null }>()
    // @ts-expect-error a column that is not nullable cannot default to null
    column(Text, { default: null })
  })

  it("rejects operands of the wrong type", () => {
    // @ts-expect-error a number column is not compared with a string
    users.c.age.eq("x")
    // @ts-expect-error LIKE is for strings
    users.c.age.like("1%")
    // @ts-expect-error arithmetic is for numbers
    users.c.username.add(1)
    // @ts-expect-error the value of a boolean column is a boolean
    update(users).values({ isActive: "yes" })
    // @ts-expect-error IN takes values of the column's type
    users.c.id.in(["1"])
    users.c.age.eq(null)
    users.c.age.eq(users.c.id)
    users.c.bio.like("x%")
  })

  it("rejects unknown columns in values, at compile time and at run time", () => {
    // @ts-expect-error no such column
    expect(() => insert(users).values({ username: "a", email: "b", nope: 1 })).toThrow(/no column "nope"/)
  })
})

describe("types that carry their own value check (Numeric, Json, DateOnly)", () => {
  it("check values through the type, and refuse one a type made without its factory cannot check", () => {
    expect(checkedValue("12.50", Numeric(10, 2))).toBe("12.50")
    expect(() => checkedValue("12,5", Numeric())).toThrow(DataError)
    expect(checkedValue({ a: 1 }, Json())).toBe('{"a":1}')
    expect(() => checkedValue("2024-02-30", DateOnly)).toThrow(DataError)
    expect(() => checkedValue("1.5", new SqlType<string>("numeric"))).toThrow(
      "make its type with the factory",
    )
  })
})
