// Statements compiled once per dialect and bound per run (src/sql/bound.ts), as the ORM runs
// `session.get`: the SQL is reused, never the values, which are checked and encoded on every run.
import { describe, expect, it } from "vitest"
import {
  alias,
  bindparam,
  column,
  DataError,
  DateTime,
  Integer,
  InvalidRequestError,
  insert,
  MetaData,
  postgresql,
  select,
  sqlite,
  table,
} from "../../src/index.ts"
import { Bound, templateOf } from "../../src/sql/bound.ts"
import { posts, users } from "./fixtures.ts"

const byId = select(users.c.id, users.c.username).where(users.c.id.eq(bindparam("id", Integer)))

describe("compiled once, bound per run", () => {
  it("keeps one template per statement and dialect: the same object again, another for another dialect", () => {
    const pg = templateOf(byId, postgresql)
    expect(templateOf(byId, postgresql)).toBe(pg)
    const lite = templateOf(byId, sqlite)
    expect(lite).not.toBe(pg)
    expect(pg.sql).toBe('SELECT "users"."id", "users"."username" FROM "users" WHERE "users"."id" = $1')
    expect(lite.sql).toBe('SELECT "users"."id", "users"."username" FROM "users" WHERE "users"."id" = ?')
    // Another statement of the same shape is another statement: nothing is shared by accident.
    const again = select(users.c.id, users.c.username).where(users.c.id.eq(bindparam("id", Integer)))
    expect(templateOf(again, postgresql)).not.toBe(pg)
    expect(templateOf(again, postgresql).sql).toBe(pg.sql)
  })

  it("binds each run's values, encoded for the dialect, to the same SQL", () => {
    const seven = new Bound(byId, { id: 7 }).compile(postgresql)
    const eight = new Bound(byId, { id: 8 }).compile(postgresql)
    expect(seven.sql).toBe(eight.sql)
    expect([seven.params, eight.params]).toEqual([[7], [8]])
    expect(new Bound(byId, { id: 7 }).compile(sqlite).params).toEqual([7n])
    expect(new Bound(byId, { id: null }).compile(sqlite).params).toEqual([null])
  })

  it("checks every value on every run, and names a missing one", () => {
    new Bound(byId, { id: 1 }).compile(postgresql)
    expect(() => new Bound(byId, { id: "1; drop table users" }).compile(postgresql)).toThrow(DataError)
    expect(() => new Bound(byId, { id: 2 ** 40 }).compile(sqlite)).toThrow(DataError)
    expect(() => new Bound(byId, {}).compile(postgresql)).toThrow(InvalidRequestError)
    expect(() => new Bound(byId, {}).compile(postgresql)).toThrow(/No value for the bind parameter "id"/)
  })

  it("keeps the values written in the statement itself apart from the bound ones, in placeholder order", () => {
    const statement = select(posts.c.id)
      .where(posts.c.userId.eq(bindparam("user", Integer)), posts.c.title.eq("hello"))
      .limit(5)
    const compiled = new Bound(statement, { user: 3 }).compile(postgresql)
    expect(compiled.sql).toBe(
      'SELECT "posts"."id" FROM "posts" WHERE "posts"."userId" = $1 AND "posts"."title" = $2 LIMIT $3',
    )
    expect(compiled.params).toEqual([3, "hello", 5])
    expect(new Bound(statement, { user: 4 }).compile(postgresql).params).toEqual([4, "hello", 5])
  })

  it("names aliases as the statement does: an alias made elsewhere does not change its SQL", () => {
    const author = alias(users, "author")
    const joined = select(posts.c.id, author.c.username)
      .join(author, posts.c.userId.eq(author.c.id))
      .where(author.c.id.eq(bindparam("id", Integer)))
    const sql = new Bound(joined, { id: 1 }).compile(postgresql).sql
    alias(users, "author_2")
    select(alias(users, "author").c.id).compile(postgresql)
    expect(new Bound(joined, { id: 2 }).compile(postgresql).sql).toBe(sql)
    expect(sql).toBe(
      'SELECT "posts"."id", "author"."username" FROM "posts" JOIN "users" AS "author" ON "posts"."userId" = "author"."id" WHERE "author"."id" = $1',
    )
  })

  it("compiles an INSERT on every run: its client-side defaults are computed while compiling", () => {
    let made = 0
    const stamped = table(
      "stamped",
      {
        id: column(Integer, { primaryKey: true }),
        at: column(DateTime, { default: () => new Date(Date.UTC(2026, 0, 1 + ++made)) }),
      },
      { metadata: new MetaData() },
    )
    const write = insert(stamped).values({ id: bindparam("id", Integer) as never })
    const first = new Bound(write, { id: 1 }).compile(postgresql)
    const second = new Bound(write, { id: 2 }).compile(postgresql)
    expect(made).toBe(2)
    expect([first.params, second.params]).toEqual([
      [1, "2026-01-02T00:00:00.000Z"],
      [2, "2026-01-03T00:00:00.000Z"],
    ])
  })
})
