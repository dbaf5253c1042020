// Autogenerate's downgrade of a SQLite table the models no longer have: it created the table again with
// its columns, keys and plain indexes, and nothing else: the table's triggers and its hand-made indexes
// (on an expression, partial, DESC), which an upgrade's rebuild keeps, were gone after the round trip,
// a unique partial index with them (duplicates then went in). They now come back as written; and what
// the downgrade cannot write again (STRICT, a column's COLLATE) is said in the revision's comment.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"
import { type Engine, MetaData, text } from "../../src/index.ts"
import {
  type MigrationDatabases,
  migrationDatabases,
  type Target,
  type TargetName,
} from "../migrate/databases.ts"
import { revisionFolder } from "../migrate/revision-folder.ts"

let databases: MigrationDatabases
beforeAll(async () => {
  databases = await migrationDatabases()
})
beforeEach(() => databases.reset())
afterAll(() => databases.stop())

const target = (name: TargetName): Target => databases.targets.find((t) => t.name === name) as Target

const rows = async (engine: Engine, sql: string) =>
  (await engine.execute(text(sql))).all().map((r) => [...r].map((v) => (v === null ? null : String(v))))

const schemaText = (engine: Engine) =>
  rows(engine, "SELECT type, name, sql FROM sqlite_master WHERE name LIKE 'r6g%' ORDER BY name")

describe.each(["libsql-http", "libsql-embedded"] satisfies TargetName[])("on %s", (name) => {
  it("brings a dropped table back with its triggers and hand-made indexes", async () => {
    const engine = target(name).engine("r6g")
    for (const sql of [
      "CREATE TABLE r6g_notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL, live INTEGER, edits INTEGER NOT NULL DEFAULT 0)",
      "CREATE INDEX r6g_notes_lower ON r6g_notes (lower(body))",
      "CREATE UNIQUE INDEX r6g_notes_live ON r6g_notes (body) WHERE live = 1",
      "CREATE INDEX r6g_notes_recent ON r6g_notes (id DESC)",
      "CREATE TRIGGER r6g_notes_edited AFTER UPDATE OF body ON r6g_notes BEGIN UPDATE r6g_notes SET edits = edits + 1 WHERE id = NEW.id; END",
      "CREATE TABLE r6g_strict (id INTEGER PRIMARY KEY, code TEXT COLLATE NOCASE) STRICT",
    ])
      await engine.execute(text(sql))
    const before = await schemaText(engine)
    const folder = revisionFolder(engine)
    try {
      const { changes } = await folder.write(new MetaData(), "no notes")
      expect(changes.map((c) => c.comment)).toEqual([
        'Table "r6g_strict" is not in the models: check that dropping it (and its rows) is intended; the downgrade creates it again without STRICT, a column\'s COLLATE, which it cannot write',
        'Table "r6g_notes" is not in the models: check that dropping it (and its rows) is intended',
      ])
      const migrator = folder.migrator()
      await migrator.upgrade()
      expect(await schemaText(engine)).toEqual([])
      await migrator.downgrade("base")
      const after = await schemaText(engine)
      // r6g_notes and what stands on it as they were; r6g_strict plain, as the comment said.
      expect(after.filter((row) => !String(row[1]).startsWith("r6g_strict"))).toEqual(
        before.filter((row) => !String(row[1]).startsWith("r6g_strict")),
      )
      expect(after.filter((row) => row[1] === "r6g_strict")).toEqual([
        ["table", "r6g_strict", "CREATE TABLE r6g_strict (id INTEGER PRIMARY KEY, code TEXT)"],
      ])
      await engine.execute(text("INSERT INTO r6g_notes (id, body, live) VALUES (1, 'a', 1), (2, 'a', 0)"))
      await expect(
        engine.execute(text("INSERT INTO r6g_notes (id, body, live) VALUES (3, 'a', 1)")),
      ).rejects.toThrow(/UNIQUE constraint failed/)
      await engine.execute(text("UPDATE r6g_notes SET body = 'b' WHERE id = 1"))
      expect(await rows(engine, "SELECT edits FROM r6g_notes WHERE id = 1")).toEqual([["1"]])
    } finally {
      folder.remove()
    }
  })
})
