// A revision whose third operation fails (a unique index over rows that already repeat), on the
// transports test/migrate/atomicity.test.ts leaves out as well as the HTTP ones: nothing of it stays
// (the column its first operation added, the rows its second wrote), the version table still says the
// parent, the rows are as they were, and once the duplicates are mended the same revision applies.
// Then two runners upgrade the same database at once, each revision applied exactly once, and a
// downgrade to base and upgrade again keep every row.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"
import { type Engine, Integer, String as StringType, text } from "../../src/index.ts"
import { defineRevision, introspect, Migrator, RevisionFailedError } from "../../src/migrate.ts"
import {
  type MigrationDatabases,
  migrationDatabases,
  type Target,
  type TargetName,
} from "../migrate/databases.ts"

let databases: MigrationDatabases
beforeAll(async () => {
  databases = await migrationDatabases()
})
beforeEach(() => databases.reset())
afterAll(() => databases.stop())

const target = (name: TargetName): Target => databases.targets.find((t) => t.name === name) as Target

const rows = async (engine: Engine, sql: string) =>
  (await engine.execute(text(sql))).all().map((r) => [...r].map((v) => (v === null ? null : String(v))))

const base = defineRevision({
  id: "a5e3c0000001",
  parent: null,
  message: "tags",
  upgrade(op) {
    op.createTable("r5m_tags", [
      { name: "id", type: Integer, primaryKey: true, autoincrement: true },
      { name: "label", type: StringType(40) },
    ])
    op.bulkInsert("r5m_tags", [
      { id: 1, label: "a" },
      { id: 2, label: "b" },
      { id: 3, label: "a" },
    ])
  },
  downgrade(op) {
    op.dropTable("r5m_tags")
  },
})

const unique = defineRevision({
  id: "a5e3c0000002",
  parent: base.id,
  message: "tags get a slug, then a unique label",
  upgrade(op) {
    op.addColumn("r5m_tags", { name: "slug", type: StringType(40), nullable: true })
    op.execute("UPDATE r5m_tags SET slug = label || '-' || id")
    op.createIndex("ix_r5m_tags_label", "r5m_tags", ["label"], { unique: true })
    op.alterColumn("r5m_tags", "slug", { nullable: false })
  },
  downgrade(op) {
    op.dropIndex("ix_r5m_tags_label", "r5m_tags")
    op.dropColumn("r5m_tags", "slug")
  },
})

describe.each(["neon-websocket", "neon-http", "libsql-http", "libsql-embedded"] satisfies TargetName[])(
  "on %s",
  (name) => {
    it("rolls back a revision failing at its third operation, and applies it once mended", async () => {
      const engine = target(name).engine(`r5m-third-${name}`)
      const migrator = new Migrator(engine, { revisions: [base, unique] })
      await migrator.upgrade(base.id)
      const schema = await introspect(engine.connect())
      const before = await rows(engine, "SELECT * FROM r5m_tags ORDER BY id")

      const error = await migrator.upgrade().catch((e: unknown) => e)
      expect(error).toBeInstanceOf(RevisionFailedError)
      expect((error as RevisionFailedError).statement).toContain("ix_r5m_tags_label")
      expect(await migrator.current()).toEqual([base.id])
      expect(await introspect(engine.connect())).toEqual(schema)
      expect(await rows(engine, "SELECT * FROM r5m_tags ORDER BY id")).toEqual(before)

      await engine.execute(text("UPDATE r5m_tags SET label = 'c' WHERE id = 3"))
      const [applied] = await migrator.upgrade()
      expect(applied?.revision).toBe(unique.id)
      expect(await rows(engine, "SELECT id, label, slug FROM r5m_tags ORDER BY id")).toEqual([
        ["1", "a", "a-1"],
        ["2", "b", "b-2"],
        ["3", "c", "c-3"],
      ])
      const duplicate = await engine
        .execute(text("INSERT INTO r5m_tags (label, slug) VALUES ('a', 'x')"))
        .catch((e: unknown) => e)
      expect(duplicate).toBeInstanceOf(Error)

      // Down to base and up again: the rows come back through the rebuilds and the version table follows.
      await migrator.downgrade(base.id)
      expect(await rows(engine, "SELECT id, label FROM r5m_tags ORDER BY id")).toEqual([
        ["1", "a"],
        ["2", "b"],
        ["3", "c"],
      ])
      await migrator.upgrade()
      expect(await migrator.current()).toEqual([unique.id])
      expect(await rows(engine, "SELECT id, slug FROM r5m_tags ORDER BY id")).toEqual([
        ["1", "a-1"],
        ["2", "b-2"],
        ["3", "c-3"],
      ])
    })

    it("applies each revision once when two runners upgrade at once", async () => {
      const mended = defineRevision({
        ...unique,
        id: "a5e3c0000003",
        upgrade: (op) => {
          op.execute("UPDATE r5m_tags SET label = label || id WHERE id = 3")
          unique.upgrade(op)
        },
      })
      const revisions = [base, mended]
      const runners = [1, 2].map(
        (i) => new Migrator(target(name).engine(`r5m-race-${i}-${name}`), { revisions }),
      )
      const [a = [], b = []] = await Promise.all(runners.map((m) => m.upgrade()))
      const appliedBy = (events: typeof a) => events.filter((e) => !e.concurrent).map((e) => e.revision)
      expect([...appliedBy(a), ...appliedBy(b)].sort()).toEqual([base.id, mended.id])
      const engine = target(name).engine(`r5m-race-${name}`)
      expect(await rows(engine, "SELECT id, label, slug FROM r5m_tags ORDER BY id")).toEqual([
        ["1", "a", "a-1"],
        ["2", "b", "b-2"],
        ["3", "a3", "a3-3"],
      ])
    })
  },
)
