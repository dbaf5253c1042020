// SQLite rebuilds keep each row's rowid. A table without an INTEGER PRIMARY KEY has an implicit rowid
// that apps and SQLite itself point at (an FTS5 index's content_rowid, cached rowids); copying its rows
// into the new table without it numbered them anew from 1, so after a rebuild over a table with gaps
// the FTS index found other rows. A table whose key is the rowid alias keeps it through the key column.
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type Engine, text } from "../../src/index.ts"
import { defineRevision, Integer, Migrator, String, Text } from "../../src/migrate.ts"
import { type MigrationDatabases, migrationDatabases, type TargetName } from "./databases.ts"

let databases: MigrationDatabases
beforeAll(async () => {
  databases = await migrationDatabases()
})
afterAll(() => databases.stop())

const notes = defineRevision({
  id: "a11ce0000001",
  parent: null,
  message: "notes keyed by slug, their full-text index on the rowid, tags keyed by INTEGER",
  upgrade(op) {
    op.createTable("mg2_notes", [
      { name: "slug", type: String(20), primaryKey: true },
      { name: "body", type: Text, nullable: true },
    ])
    op.createTable("mg2_tags", [
      { name: "id", type: Integer, primaryKey: true },
      { name: "label", type: Text, nullable: true },
    ])
    op.execute(
      "CREATE VIRTUAL TABLE mg2_notes_fts USING fts5(body, content='mg2_notes', content_rowid='rowid')",
    )
  },
  downgrade(op) {
    op.execute("DROP TABLE mg2_notes_fts")
    op.dropTable("mg2_tags")
    op.dropTable("mg2_notes")
  },
})

const rebuilds = defineRevision({
  id: "a11ce0000002",
  parent: "a11ce0000001",
  message: "bodies and labels required (a rebuild of each table)",
  upgrade(op) {
    op.alterColumn("mg2_notes", "body", { nullable: false })
    op.alterColumn("mg2_tags", "label", { nullable: false })
  },
  downgrade(op) {
    op.alterColumn("mg2_notes", "body", { nullable: true })
    op.alterColumn("mg2_tags", "label", { nullable: true })
  },
})

async function rows(engine: Engine, sql: string): Promise<unknown[][]> {
  return (await engine.execute(text(sql))).all().map((row) => [...row])
}

describe.each(["libsql-http", "libsql-embedded"] satisfies TargetName[])(
  "rowids through a rebuild on %s",
  (name) => {
    it("keeps the implicit rowid of each row, so the full-text index finds the same rows", async () => {
      const target = databases.targets.find((t) => t.name === name)
      if (!target) throw new Error(name)
      const engine = target.engine(`rowids-${name}`)
      const migrator = new Migrator(engine, { revisions: [notes, rebuilds] })
      await migrator.upgrade("+1")
      for (const [slug, body] of [
        ["a", "apples"],
        ["b", "bananas"],
        ["c", "cherries"],
        ["d", "dates"],
      ]) {
        await engine.execute(text(`INSERT INTO mg2_notes (slug, body) VALUES ('${slug}', '${body}')`))
      }
      await engine.execute(text("INSERT INTO mg2_notes_fts (mg2_notes_fts) VALUES ('rebuild')"))
      // Gaps, as any table that has had deletes: the rows left are at rowids 2 and 4.
      await engine.execute(text("DELETE FROM mg2_notes WHERE slug IN ('a', 'c')"))
      await engine.execute(text("INSERT INTO mg2_tags (id, label) VALUES (7, 'seven'), (9, 'nine')"))
      const before = await rows(engine, "SELECT rowid, slug, body FROM mg2_notes ORDER BY slug")
      expect(before.map((r) => Number(r[0]))).toEqual([2, 4])

      await migrator.upgrade()
      expect(await rows(engine, "SELECT rowid, slug, body FROM mg2_notes ORDER BY slug")).toEqual(before)
      const found = await rows(
        engine,
        "SELECT n.slug FROM mg2_notes_fts f JOIN mg2_notes n ON n.rowid = f.rowid WHERE mg2_notes_fts MATCH 'dates'",
      )
      expect(found).toEqual([["d"]])
      expect(await rows(engine, "SELECT rowid, id, label FROM mg2_tags ORDER BY id")).toEqual([
        [7n, 7n, "seven"],
        [9n, 9n, "nine"],
      ])

      await migrator.downgrade("-1")
      expect(await rows(engine, "SELECT rowid, slug, body FROM mg2_notes ORDER BY slug")).toEqual(before)
      // A new row after the rebuild takes a rowid after the kept ones, not one of theirs.
      await engine.execute(text("INSERT INTO mg2_notes (slug, body) VALUES ('e', 'elderberries')"))
      expect(await rows(engine, "SELECT rowid FROM mg2_notes WHERE slug = 'e'")).toEqual([[5n]])
    })

    it("reaches the rowid under another name when a column is called rowid", async () => {
      const target = databases.targets.find((t) => t.name === name)
      if (!target) throw new Error(name)
      const engine = target.engine(`rowid-column-${name}`)
      const shadowing = defineRevision({
        id: "a11ce0000011",
        parent: null,
        message: "a column called rowid",
        upgrade(op) {
          op.createTable("mg2_shadowed", [
            { name: "slug", type: String(20), primaryKey: true },
            { name: "rowid", type: Text, nullable: true },
          ])
        },
        downgrade: (op) => op.dropTable("mg2_shadowed"),
      })
      const rebuild = defineRevision({
        id: "a11ce0000012",
        parent: "a11ce0000011",
        message: "a rebuild",
        upgrade: (op) => op.alterColumn("mg2_shadowed", "rowid", { nullable: false }),
        downgrade: (op) => op.alterColumn("mg2_shadowed", "rowid", { nullable: true }),
      })
      const migrator = new Migrator(engine, {
        revisions: [shadowing, rebuild],
        versionTable: "mg2_version_shadowed",
      })
      await migrator.upgrade("+1")
      await engine.execute(
        text("INSERT INTO mg2_shadowed (slug, rowid) VALUES ('a', 'x'), ('b', 'y'), ('c', 'z')"),
      )
      await engine.execute(text("DELETE FROM mg2_shadowed WHERE slug = 'a'"))
      const before = await rows(engine, "SELECT _rowid_, slug, rowid FROM mg2_shadowed ORDER BY slug")
      expect(before).toEqual([
        [2n, "b", "y"],
        [3n, "c", "z"],
      ])
      await migrator.upgrade()
      expect(await rows(engine, "SELECT _rowid_, slug, rowid FROM mg2_shadowed ORDER BY slug")).toEqual(
        before,
      )
    })
  },
)
