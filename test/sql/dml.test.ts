import { describe, expect, it } from "vitest"
import {
  and,
  column,
  deleteFrom,
  Integer,
  InvalidRequestError,
  insert,
  or,
  postgresql,
  select,
  sqlite,
  Text,
  table,
  update,
} from "../../src/index.ts"
import { expectCompiled, posts, tags, users } from "./fixtures.ts"

const created = new Date("2024-01-02T03:04:05.678Z")

describe("insert", () => {
  it("applies client-side defaults to the columns a row leaves out", () => {
    expectCompiled(insert(users).values({ username: "bob", email: "bob@example.com" }), {
      postgresql: {
        sql: 'INSERT INTO "users" ("username", "email", "createdAt", "isActive") VALUES ($1, $2, $3, $4)',
        params: ["bob", "bob@example.com", created.toISOString(), true],
      },
      sqlite: {
        sql: 'INSERT INTO "users" ("username", "email", "createdAt", "isActive") VALUES (?, ?, ?, ?)',
        params: ["bob", "bob@example.com", "2024-01-02 03:04:05.678", 1n],
      },
    })
  })

  it("leaves out a key set to undefined, so its default applies (never NULL), in INSERT and UPDATE", () => {
    // As JavaScript, or TypeScript without exactOptionalPropertyTypes, lets an app write it.
    const statement = insert(users).values({ username: "bob", email: "b@x", isActive: undefined } as never)
    expect(statement.compile(postgresql).params).toEqual(["bob", "b@x", created.toISOString(), true])
    const patch = update(users)
      .values({ bio: "new", age: undefined } as never)
      .where(users.c.id.eq(1))
    expect(patch.compile(postgresql).sql).toBe('UPDATE "users" SET "bio" = $1 WHERE "users"."id" = $2')
  })

  it("makes one row of one row given after another, and refuses rows beside a SELECT", () => {
    const merged = insert(users)
      .values({ username: "bob" } as never)
      .values({ email: "b@x" } as never)
    expect(merged.state.rows).toEqual([{ username: "bob", email: "b@x" }])
    const two = insert(users)
      .values([{ username: "a", email: "a@x" }])
      .values({ username: "b", email: "b@x" })
    expect(two.state.rows).toHaveLength(2)
    const names = select(users.c.username, users.c.email)
    expect(() =>
      insert(users).values({ username: "a", email: "a@x" }).fromSelect(["username", "email"], names),
    ).toThrow("This INSERT already has values() rows")
    expect(() =>
      insert(users).fromSelect(["username", "email"], names).values({ username: "a", email: "a@x" }),
    ).toThrow("This INSERT already inserts from a SELECT")
  })

  it("adds the client-side defaults of the columns a SELECT leaves out, once for the statement", () => {
    const copy = insert(users).fromSelect(
      ["username", "email"],
      select(users.c.email, users.c.username).where(users.c.id.eq(1)),
    )
    expectCompiled(copy, {
      postgresql: {
        sql:
          'INSERT INTO "users" ("username", "email", "createdAt", "isActive") SELECT _src.*, $1, $2 FROM ' +
          '(SELECT "users"."email", "users"."username" FROM "users" WHERE "users"."id" = $3) AS _src',
        params: [created.toISOString(), true, 1],
      },
      sqlite: {
        sql:
          'INSERT INTO "users" ("username", "email", "createdAt", "isActive") SELECT _src.*, ?, ? FROM ' +
          '(SELECT "users"."email", "users"."username" FROM "users" WHERE "users"."id" = ?) AS _src',
        params: ["2024-01-02 03:04:05.678", 1n, 1n],
      },
    })
  })

  it("refuses an upsert whose SET names no column", () => {
    const upsert = insert(users).values({ username: "a", email: "a@x" })
    expect(() => upsert.onConflictDoUpdate({ target: ["email"], set: {} })).toThrow(InvalidRequestError)
    expect(() => upsert.onConflictDoUpdate({ target: ["email"], set: { bio: undefined } as never })).toThrow(
      "onConflictDoUpdate needs a set of at least one column; use onConflictDoNothing",
    )
  })

  it("writes several rows as one multi-row INSERT with RETURNING", () => {
    const statement = insert(tags)
      .values([{ name: "python" }, { name: "web", id: 7 }])
      .returning(tags.c.id, tags.c.name)
    expectCompiled(statement, {
      postgresql: {
        sql: 'INSERT INTO "tags" ("id", "name") VALUES (DEFAULT, $1), ($2, $3) RETURNING "id", "name"',
        params: ["python", 7, "web"],
      },
      sqlite: {
        sql: 'INSERT INTO "tags" ("id", "name") VALUES (NULL, ?), (?, ?) RETURNING "id", "name"',
        params: ["python", 7n, "web"],
      },
    })
  })

  it("refuses on SQLite to leave a server-defaulted column out of only some rows", () => {
    const counters = table("counters", {
      id: column(Integer, { primaryKey: true }),
      value: column(Integer, { serverDefault: 0 }),
    })
    const statement = insert(counters).values([{ value: 1 }, {}])
    expect(statement.compile(postgresql).sql).toBe('INSERT INTO "counters" ("value") VALUES ($1), (DEFAULT)')
    expect(() => statement.compile(sqlite)).toThrow(InvalidRequestError)
  })

  it("refuses an UPDATE or DELETE whose where() kept no condition, which would reach every row", () => {
    const log = table("log", {
      id: column(Integer, { primaryKey: true }),
      note: column(Text, { nullable: true }),
    })
    const mine: number | undefined = undefined as number | undefined
    const filter = mine === undefined ? undefined : log.c.id.eq(mine)
    // Refused when compiled, so that filters added over several where() calls count together.
    expect(() => deleteFrom(log).where(filter).compile(sqlite)).toThrow(InvalidRequestError)
    expect(() => deleteFrom(log).where(filter).compile(sqlite)).toThrow(
      /DELETE of "log": where\(\) was given no condition that restricts it \(undefined\), so it would delete every row/,
    )
    expect(() => update(log).values({ note: "x" }).where(filter, and(undefined)).compile(sqlite)).toThrow(
      /UPDATE of "log": .*\(undefined, and\(\) of nothing\), so it would update every row/,
    )
    // One that restricts is enough; where() left out means every row, as asked.
    expect(deleteFrom(log).where(filter, log.c.note.isNull()).compile(sqlite).sql).toBe(
      'DELETE FROM "log" WHERE "log"."note" IS NULL',
    )
    expect(deleteFrom(log).where(or()).compile(sqlite).sql).toBe('DELETE FROM "log" WHERE 1 = 0')
    expect(deleteFrom(log).compile(sqlite).sql).toBe('DELETE FROM "log"')
    expect(deleteFrom(log).where(filter).where(log.c.id.eq(1)).compile(sqlite).sql).toBe(
      'DELETE FROM "log" WHERE "log"."id" = ?',
    )
  })

  it("refuses an empty list of rows, which would insert a row of defaults", () => {
    const log = table("log", {
      id: column(Integer, { primaryKey: true }),
      note: column(Text, { nullable: true }),
    })
    expect(() => insert(log).values([])).toThrow(InvalidRequestError)
    expect(() => insert(log).values([])).toThrow(
      /insert\(log\)\.values\(\[\]\) has no rows: sent, it would insert one row of defaults/,
    )
    expect(() => insert(log).values([{}]).values([])).toThrow(/has no rows/)
  })

  it("inserts a row of only defaults", () => {
    const log = table("log", {
      id: column(Integer, { primaryKey: true }),
      note: column(Text, { nullable: true }),
    })
    expect(insert(log).values({}).compile(postgresql).sql).toBe('INSERT INTO "log" DEFAULT VALUES')
    expect(insert(log).compile(sqlite).sql).toBe('INSERT INTO "log" DEFAULT VALUES')
    // Several: the generated key named, left to the database in each row.
    expect(insert(log).values([{}, {}]).compile(postgresql).sql).toBe(
      'INSERT INTO "log" ("id") VALUES (DEFAULT), (DEFAULT)',
    )
    expect(insert(log).values([{}, {}]).compile(sqlite).sql).toBe(
      'INSERT INTO "log" ("id") VALUES (NULL), (NULL)',
    )
  })

  it("inserts from a select", () => {
    const statement = insert(tags).fromSelect(["name"], select(users.c.username).where(users.c.age.gt(90)))
    expect(statement.compile(postgresql)).toEqual({
      sql: 'INSERT INTO "tags" ("name") SELECT "users"."username" FROM "users" WHERE "users"."age" > $1',
      params: [90],
    })
  })

  it("upserts with ON CONFLICT DO NOTHING and DO UPDATE on both dialects", () => {
    expectCompiled(
      insert(tags)
        .values({ name: "python" })
        .onConflictDoNothing({ target: ["name"] }),
      {
        postgresql: {
          sql: 'INSERT INTO "tags" ("name") VALUES ($1) ON CONFLICT ("name") DO NOTHING',
          params: ["python"],
        },
        sqlite: {
          sql: 'INSERT INTO "tags" ("name") VALUES (?) ON CONFLICT ("name") DO NOTHING',
          params: ["python"],
        },
      },
    )
    const upsert = insert(users)
      .values({ username: "bob", email: "bob@example.com", bio: "hi" })
      .onConflictDoUpdate({
        target: ["email"],
        set: (excluded) => ({ bio: excluded.bio, age: users.c.age.add(1) }),
        where: users.c.isActive.eq(true),
      })
      .returning(users.c.id)
    expect(upsert.compile(sqlite)).toEqual({
      sql: 'INSERT INTO "users" ("username", "email", "bio", "createdAt", "isActive") VALUES (?, ?, ?, ?, ?) ON CONFLICT ("email") DO UPDATE SET "bio" = "excluded"."bio", "age" = "users"."age" + ? WHERE "users"."isActive" = ? RETURNING "id"',
      params: ["bob", "bob@example.com", "hi", "2024-01-02 03:04:05.678", 1n, 1n, 1n],
    })
  })

  it("names the column it does not know", () => {
    expect(() => insert(tags).values({ nmae: "x" } as never)).toThrow(/Table "tags" has no column "nmae"/)
  })
})

describe("update", () => {
  it("sets values and expressions, with RETURNING", () => {
    const statement = update(posts)
      .values({ title: "New", published: true })
      .where(posts.c.id.eq(3))
      .returning(posts.c.id, posts.c.title)
    expectCompiled(statement, {
      postgresql: {
        sql: 'UPDATE "posts" SET "title" = $1, "published" = $2 WHERE "posts"."id" = $3 RETURNING "id", "title"',
        params: ["New", true, 3],
      },
      sqlite: {
        sql: 'UPDATE "posts" SET "title" = ?, "published" = ? WHERE "posts"."id" = ? RETURNING "id", "title"',
        params: ["New", 1n, 3n],
      },
    })
    expect(
      update(users)
        .values({ age: users.c.age.add(1) })
        .where(users.c.age.lt(30))
        .toString(),
    ).toBe('UPDATE "users" SET "age" = "users"."age" + :param_1 WHERE "users"."age" < :param_2')
  })

  it("applies onUpdate values to columns the statement does not set", () => {
    let calls = 0
    const docs = table("docs", {
      id: column(Integer, { primaryKey: true }),
      body: column(Text),
      revision: column(Integer, { default: 1, onUpdate: () => ++calls }),
    })
    expect(update(docs).values({ body: "x" }).compile(postgresql)).toEqual({
      sql: 'UPDATE "docs" SET "body" = $1, "revision" = $2',
      params: ["x", 1],
    })
    expect(update(docs).values({ body: "x", revision: 9 }).compile(postgresql).params).toEqual(["x", 9])
  })

  it("refuses an UPDATE with nothing to set", () => {
    expect(() => update(users).where(users.c.id.eq(1)).compile(postgresql)).toThrow(/has no values/)
  })
})

describe("delete", () => {
  it("deletes with WHERE and RETURNING", () => {
    expectCompiled(deleteFrom(posts).where(posts.c.userId.eq(5)).returning(posts.c.id), {
      postgresql: { sql: 'DELETE FROM "posts" WHERE "posts"."userId" = $1 RETURNING "id"', params: [5] },
      sqlite: { sql: 'DELETE FROM "posts" WHERE "posts"."userId" = ? RETURNING "id"', params: [5n] },
    })
  })

  it("deletes by a subquery", () => {
    const inactive = select(users.c.id).where(users.c.isActive.eq(false))
    expect(deleteFrom(posts).where(posts.c.userId.in(inactive)).compile(sqlite)).toEqual({
      sql: 'DELETE FROM "posts" WHERE "posts"."userId" IN (SELECT "users"."id" FROM "users" WHERE "users"."isActive" = ?)',
      params: [0n],
    })
  })
})
