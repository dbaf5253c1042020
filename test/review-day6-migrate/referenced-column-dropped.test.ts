// A SQLite revision dropping a column another table's foreign key references (a parent's unique code).
// SQLite drops it in the rebuild and fails the copy of the child's rows with "foreign key mismatch -
// "r6m_children" referencing "r6m_parents"", which says nothing of what to do; PostgreSQL refuses the
// same revision ("other objects depend on it"). Both roll back whole; SQLite's error now says which key
// and that it must go (or change) first. Once the revision drops the key first, it applies.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"
import { text } from "../../src/index.ts"
import { defineRevision, Migrator, RevisionFailedError } from "../../src/migrate.ts"
import { type MigrationDatabases, migrationDatabases, type TargetName } from "../migrate/databases.ts"

let databases: MigrationDatabases
beforeAll(async () => {
  databases = await migrationDatabases()
})
beforeEach(() => databases.reset())
afterAll(() => databases.stop())

const base = defineRevision({
  id: "a6d1e0000001",
  parent: null,
  message: "parents with codes, children by code",
  upgrade(op) {
    op.createTable(
      "r6m_parents",
      [
        { name: "id", type: "INTEGER", primaryKey: true },
        { name: "code", type: "VARCHAR(5)" },
      ],
      { uniques: [{ name: "uq_r6m_parents_code", columns: ["code"] }] },
    )
    op.createTable(
      "r6m_children",
      [
        { name: "id", type: "INTEGER", primaryKey: true },
        { name: "parent_code", type: "VARCHAR(5)" },
      ],
      {
        foreignKeys: [
          {
            name: "fk_r6m_children_code",
            columns: ["parent_code"],
            referencedTable: "r6m_parents",
            referencedColumns: ["code"],
          },
        ],
      },
    )
    op.bulkInsert("r6m_parents", [{ id: 1, code: "a" }])
    op.bulkInsert("r6m_children", [{ id: 1, parent_code: "a" }])
  },
  downgrade() {},
})

const dropCode = (dropKeyFirst: boolean) =>
  defineRevision({
    id: "a6d1e0000002",
    parent: base.id,
    message: "no codes",
    upgrade(op) {
      if (dropKeyFirst) op.dropConstraint("fk_r6m_children_code", "r6m_children")
      op.dropColumn("r6m_parents", "code")
    },
    downgrade() {},
  })

describe.each(["libsql-http", "libsql-embedded", "neon-http"] satisfies TargetName[])("on %s", (name) => {
  it("refuses to drop a column a foreign key references, saying to drop the key first", async () => {
    const target = databases.targets.find((t) => t.name === name)
    if (!target) throw new Error(name)
    const engine = target.engine(`r6m-${name}`)
    const rows = async () => (await engine.execute(text("SELECT id, parent_code FROM r6m_children"))).all()
    const refused = new Migrator(engine, { revisions: [base, dropCode(false)] })
    await refused.upgrade(base.id)
    const error = await refused.upgrade().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(RevisionFailedError)
    expect((error as Error).message).toContain(
      target.dialect === "sqlite"
        ? "a foreign key of r6m_children no longer points at r6m_parents's primary key or unique columns"
        : "other objects depend on it",
    )
    expect(await refused.current()).toEqual([base.id])
    expect((await rows()).length).toBe(1)
    await new Migrator(engine, { revisions: [base, dropCode(true)] }).upgrade()
    expect((await rows()).length).toBe(1)
  })
})
