// returning() of an INSERT, UPDATE or DELETE takes columns of the table the statement writes only
// (src/sql/dml-returning.ts). Before, another table's column was compiled by its bare name: returning
// Post.id from an INSERT into users gave back the new user's id, silently; Post.title failed at the
// database with "no such column", far from the cause.
import { describe, expect, it } from "vitest"
import ws from "ws"
import {
  AsyncSession,
  aliased,
  column,
  deleteFrom,
  func,
  Integer,
  InvalidRequestError,
  insert,
  model,
  postgresql,
  Registry,
  String,
  sqlite,
  update,
} from "../../src/index.ts"
import { libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"

const registry = new Registry()
class Member extends model(
  "r5i_ret_members",
  { id: column(Integer, { primaryKey: true }), handle: column(String(20)) },
  { registry },
) {}
class Entry extends model(
  "r5i_ret_entries",
  { id: column(Integer, { primaryKey: true }), title: column(String(20)) },
  { registry },
) {}
registry.registerModels(Member, Entry)

describe("returning() of another table's columns", () => {
  const other =
    /INSERT of "r5i_ret_members" can return its own rows' columns only; returning\(\) was given one of "r5i_ret_entries"/
  it.each([
    ["a column", () => insert(Member).values({ handle: "a" }).returning(Entry.id)],
    [
      "an expression over one",
      () => insert(Member).values({ handle: "a" }).returning(func.lower(Entry.title)),
    ],
    ["an entity", () => insert(Member).values({ handle: "a" }).returning(Entry)],
  ])("is refused for %s", (_, build) => {
    expect(build).toThrow(InvalidRequestError)
    expect(build).toThrow(other)
  })

  it("is refused for UPDATE, DELETE and an alias of the same table", () => {
    expect(() => update(Member).where(Member.id.eq(1)).values({ handle: "b" }).returning(Entry.id)).toThrow(
      /UPDATE of "r5i_ret_members" can return its own rows' columns only/,
    )
    expect(() => deleteFrom(Member).where(Member.id.eq(1)).returning(Entry.title)).toThrow(
      /DELETE of "r5i_ret_members" can return its own rows' columns only/,
    )
    const again = aliased(Member, "m2")
    expect(() => deleteFrom(Member).where(Member.id.eq(1)).returning(again.id)).toThrow(
      /returning\(\) was given one of "m2"/,
    )
  })

  it("compiles the table's own columns, expressions and entity on both dialects", () => {
    const statement = insert(Member)
      .values({ handle: "a" })
      .returning(Member.id, func.upper(Member.handle), Member)
    expect(statement.compile(sqlite).sql).toContain(
      'RETURNING "id", upper("handle"), "id" AS "id_1", "handle"',
    )
    expect(statement.compile(postgresql).sql).toContain(
      'RETURNING "id", upper("handle"), "id" AS "id_1", "handle"',
    )
  })
})

for (const fixture of [neonFixture("http", ws), libsqlHttpFixture()]) {
  describe(`returning() on ${fixture.name}`, () => {
    const engine = fixture.engine(`r5i-ret-${fixture.name}-${Date.now().toString(36)}`)
    freshSchema(engine, registry.metadata)

    it("gives back the written row's own columns", async () => {
      await using session = new AsyncSession(engine)
      await session.execute(insert(Entry).values({ id: 7, title: "other" }))
      const result = await session.execute(
        insert(Member).values({ id: 3, handle: "Ann" }).returning(Member.id, Member.handle),
      )
      expect(result.all()).toEqual([[3, "Ann"]])
      await session.commit()
    })
  })
}
