// Statements quote every name on SQLite too (src/sql/compiler/identifiers.ts). SQLite built with its
// legacy default reads a double-quoted name that matches no column as a string literal, so a model out
// of step with its table would compare or select a string instead of failing. libSQL is built without
// that behaviour: this holds it to that, over libsql-local, for every place a statement names a column.
import { afterAll, describe, expect, it } from "vitest"
import { column, Integer, MetaData, select, Text, table, update } from "../../src/index.ts"
import { sqliteExecutor } from "./executors.ts"

describe("a quoted name that matches no column on libSQL", () => {
  const db = sqliteExecutor("unknown-names")
  afterAll(() => db.close())
  // The model says `title`; the table, made by hand, has only `name`.
  const stale = table(
    "un_items",
    { id: column(Integer, { primaryKey: true }), title: column(Text) },
    { metadata: new MetaData() },
  )

  it("is an error wherever a statement names it, never a string", async () => {
    await db.raw("DROP TABLE IF EXISTS un_items")
    await db.raw("CREATE TABLE un_items (id INTEGER PRIMARY KEY, name TEXT)")
    await db.raw("INSERT INTO un_items VALUES (1, 'title')")
    const statements = [
      select(stale.c.title),
      select(stale.c.id).where(stale.c.title.eq("title")),
      select(stale.c.id).orderBy(stale.c.title),
      update(stale).values({ id: 2 }).where(stale.c.title.eq("title")),
      update(stale).values({ id: 2 }).returning(stale.c.title),
    ]
    for (const statement of statements) {
      await expect(db.execute(statement)).rejects.toThrow(/no such column/)
    }
    expect(await db.raw("SELECT id FROM un_items")).toEqual([[1n]])
  })
})
