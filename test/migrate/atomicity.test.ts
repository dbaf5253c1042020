// What a revision costs and guarantees: one request each on HTTP transports; a revision failing in
// its last statement leaves schema and version table as they were; two runners upgrading at once
// apply each revision exactly once.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"
import { text } from "../../src/index.ts"
import {
  defineRevision,
  Integer,
  introspect,
  Migrator,
  type Revision,
  RevisionFailedError,
  String,
} from "../../src/migrate.ts"
import { type MigrationDatabases, migrationDatabases, type Target, type TargetName } from "./databases.ts"

let databases: MigrationDatabases
beforeAll(async () => {
  databases = await migrationDatabases()
})
beforeEach(() => databases.reset())
afterAll(() => databases.stop())

/** A chain of revisions; each logs its own id in `applied_log`, so a double application shows. */
function chain(length: number): Revision[] {
  return Array.from({ length }, (_, i) => {
    const id = `c0ffee00000${i + 1}`
    return defineRevision({
      id,
      parent: i === 0 ? null : `c0ffee00000${i}`,
      message: `step ${i + 1}`,
      upgrade(op) {
        if (i === 0) op.createTable("applied_log", [{ name: "revision", type: String(20) }])
        op.createTable(`table_${i + 1}`, [
          { name: "id", type: Integer, primaryKey: true, autoincrement: true },
        ])
        op.bulkInsert("applied_log", [{ revision: id }])
      },
      downgrade(op) {
        op.dropTable(`table_${i + 1}`)
        if (i === 0) op.dropTable("applied_log")
        else op.execute(`DELETE FROM applied_log WHERE revision = '${id}'`)
      },
    })
  })
}

const failing = defineRevision({
  id: "badbadbad001",
  parent: "c0ffee000001",
  message: "fails at its end",
  upgrade(op) {
    op.addColumn("table_1", { name: "label", type: String(20), nullable: true })
    op.createIndex("ix_table_1_label", "table_1", ["label"])
    op.createTable("never_kept", [{ name: "id", type: Integer, primaryKey: true }])
    op.execute("INSERT INTO no_such_table (id) VALUES (1)")
  },
  downgrade() {},
})

const target = (name: TargetName): Target => {
  const found = databases.targets.find((t) => t.name === name)
  if (!found) throw new Error(name)
  return found
}

describe.each(["neon-http", "libsql-http"] satisfies TargetName[])("on %s", (name) => {
  it("costs one request per revision, after one request reading the version and schema", async () => {
    const scope = `requests-${name}-${Date.now()}`
    const migrator = new Migrator(target(name).engine(scope), { revisions: chain(3) })
    const before = (await target(name).requests(scope)) ?? 0
    await migrator.upgrade("+1")
    const afterOne = (await target(name).requests(scope)) ?? 0
    expect(afterOne - before).toBe(2)
    await migrator.upgrade()
    const afterAll = (await target(name).requests(scope)) ?? 0
    expect(afterAll - afterOne).toBe(1 + 2)
    await migrator.downgrade("-1")
    const afterDowngrade = (await target(name).requests(scope)) ?? 0
    expect(afterDowngrade - afterAll).toBe(1 + 1)

    // A revision of many statements (on SQLite, a rebuild of a table and the one referencing it) is
    // still one request.
    const rebuild = defineRevision({
      id: "feedface0001",
      parent: "c0ffee000002",
      message: "a reference and a NOT NULL column",
      upgrade(op) {
        op.addColumn("table_2", { name: "first_id", type: Integer, nullable: true })
        op.createForeignKey("fk_table_2_first", "table_2", "table_1", ["first_id"], ["id"])
        op.addColumn("table_1", { name: "label", type: String(20), nullable: true })
        op.alterColumn("table_1", "label", { nullable: false, default: "none" })
      },
      downgrade() {},
    })
    const withRebuild = new Migrator(target(name).engine(scope), { revisions: [...chain(2), rebuild] })
    const [applied] = await withRebuild.upgrade()
    expect(applied?.statements).toBeGreaterThan(name === "libsql-http" ? 20 : 6)
    expect(((await target(name).requests(scope)) ?? 0) - afterDowngrade).toBe(1 + 1)
  })

  it("leaves schema and version table unchanged when a revision fails in its last statement", async () => {
    const engine = target(name).engine(`failing-${name}`)
    const revisions = [...chain(1), failing]
    const migrator = new Migrator(engine, { revisions })
    await migrator.upgrade("+1")
    const schemaBefore = await introspect(engine.connect())

    const error = await migrator.upgrade().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(RevisionFailedError)
    const failure = error as RevisionFailedError
    expect(failure.revision).toBe("badbadbad001")
    expect(failure.statement).toBe("INSERT INTO no_such_table (id) VALUES (1)")
    expect(failure.message).toContain("Upgrade to badbadbad001 failed and was rolled back")

    expect(await migrator.current()).toEqual(["c0ffee000001"])
    expect(await introspect(engine.connect())).toEqual(schemaBefore)
  })

  it("applies each revision once when two runners upgrade at the same time", async () => {
    const revisions = chain(4)
    const first = new Migrator(target(name).engine(`concurrent-a-${name}`), { revisions })
    const second = new Migrator(target(name).engine(`concurrent-b-${name}`), { revisions })
    const [a, b] = await Promise.all([first.upgrade(), second.upgrade()])

    const appliedBy = (events: typeof a) => events.filter((e) => !e.concurrent).map((e) => e.revision)
    expect([...appliedBy(a), ...appliedBy(b)].sort()).toEqual(revisions.map((r) => r.id))
    const log = (
      await target(name).engine("check").execute(text("SELECT revision FROM applied_log ORDER BY revision"))
    ).all()
    expect(log.map((row) => row[0])).toEqual(revisions.map((r) => r.id))
    expect(await first.current()).toEqual(["c0ffee000004"])
  })
})
