// Rows a revision inserts with their keys given (op.bulkInsert of seed data), on PostgreSQL. An identity
// or serial column's sequence does not see a value given to it, so after the revision the application's
// first row took key 1 again and failed ("duplicate key value violates unique constraint"). The
// sequences now move past the largest key inserted (never back: one further on stays), in the revision's
// transaction; SQLite's rowid follows by itself, as the same revision there shows.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"
import { text } from "../../src/index.ts"
import { defineRevision, Integer, Migrator } from "../../src/migrate.ts"
import { type MigrationDatabases, migrationDatabases, type TargetName } from "../migrate/databases.ts"

let databases: MigrationDatabases
beforeAll(async () => {
  databases = await migrationDatabases()
})
beforeEach(() => databases.reset())
afterAll(() => databases.stop())

const seeded = defineRevision({
  id: "a6b1c0000001",
  parent: null,
  message: "roles, seeded",
  upgrade(op) {
    op.createTable("r6q_roles", [
      { name: "id", type: Integer, primaryKey: true, autoincrement: true },
      { name: "name", type: "VARCHAR(20)" },
    ])
    op.bulkInsert("r6q_roles", [
      { id: 1, name: "admin" },
      { id: 2, name: "editor" },
      { id: 7, name: "reader" },
    ])
  },
  downgrade(op) {
    op.dropTable("r6q_roles")
  },
})

const more = defineRevision({
  id: "a6b1c0000002",
  parent: seeded.id,
  message: "one more role, below what the application added",
  upgrade(op) {
    op.bulkInsert("r6q_roles", [{ id: 3, name: "guest" }])
  },
  downgrade(op) {
    op.execute("DELETE FROM r6q_roles WHERE id = 3")
  },
})

describe.each(["neon-http", "neon-websocket", "libsql-http"] satisfies TargetName[])("on %s", (name) => {
  it("the next row after seeded rows takes the next key", async () => {
    const target = databases.targets.find((t) => t.name === name)
    if (!target) throw new Error(name)
    const engine = target.engine(`r6q-${name}`)
    const run = async (sql: string) =>
      (await engine.execute(text(sql))).all().map((r) => [...r].map((v) => `${v}`))
    const migrator = new Migrator(engine, { revisions: [seeded, more] })
    await migrator.upgrade(seeded.id)
    await run("INSERT INTO r6q_roles (name) VALUES ('writer')")
    await run("INSERT INTO r6q_roles (name) VALUES ('auditor')")
    // The sequence is at 9; seeding 3 leaves it there.
    await migrator.upgrade()
    await run("INSERT INTO r6q_roles (name) VALUES ('owner')")
    expect(await run("SELECT id, name FROM r6q_roles ORDER BY id")).toEqual([
      ["1", "admin"],
      ["2", "editor"],
      ["3", "guest"],
      ["7", "reader"],
      ["8", "writer"],
      ["9", "auditor"],
      ["10", "owner"],
    ])
    await migrator.downgrade("base")
  })
})
