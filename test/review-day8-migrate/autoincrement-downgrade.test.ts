// A downgrade that takes sqliteAutoincrement away must not forget the highest id the table ever gave.
// The rebuilt table without AUTOINCREMENT has no sequence by definition (SQLite gives max(rowid) + 1,
// so the ids of the last rows deleted come back: that is what the downgrade asks for, and the revision
// says so), but SQLite's DROP TABLE of the AUTOINCREMENT table deleted its sqlite_sequence row, so an
// upgrade back started from the highest id left in the table: the ids of every row deleted from the end
// while the table had AUTOINCREMENT were given again, which AUTOINCREMENT had promised never to do.
// The number now stays in sqlite_sequence under the table's name (SQLite ignores it for a table without
// AUTOINCREMENT, takes it up again when one is created, and carries it through renames), so an upgrade
// back continues past every id given with AUTOINCREMENT and past every id in the table.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"
import { column, type Engine, Integer, MetaData, table, text, String as Varchar } from "../../src/index.ts"
import {
  type MigrationDatabases,
  migrationDatabases,
  type Target,
  type TargetName,
} from "../migrate/databases.ts"
import { revisionFolder } from "../migrate/revision-folder.ts"

function models(autoincrement: boolean): MetaData {
  const metadata = new MetaData()
  table(
    "d8a_tokens",
    { id: column(Integer, { primaryKey: true }), owner: column(Varchar(20)) },
    { metadata, sqliteAutoincrement: autoincrement },
  )
  return metadata
}

let databases: MigrationDatabases
beforeAll(async () => {
  databases = await migrationDatabases()
})
beforeEach(() => databases.reset())
afterAll(() => databases.stop())

const target = (name: TargetName): Target => databases.targets.find((t) => t.name === name) as Target

async function run(engine: Engine, ...statements: string[]): Promise<void> {
  const connection = engine.connect()
  try {
    await connection.batch(statements.map((sql) => text(sql)))
  } finally {
    await connection.close()
  }
}

const insert = async (engine: Engine, owner: string): Promise<number> =>
  Number(
    (
      await engine.execute(text(`INSERT INTO d8a_tokens (owner) VALUES ('${owner}') RETURNING id`))
    ).all()[0]?.[0],
  )

describe.each(["libsql-http", "libsql-embedded"] satisfies TargetName[])("SQLite on %s", (name) => {
  it("an upgrade back after a downgrade gives no id that AUTOINCREMENT gave before", async () => {
    const engine = target(name).engine("d8a-down-up")
    const folder = revisionFolder(engine)
    try {
      await folder.write(models(false), "tokens")
      await folder.migrator().upgrade()
      const gained = await folder.write(models(true), "token ids never reused")
      expect(gained.changes[0]?.comment).toMatch(/downgrade takes AUTOINCREMENT away/)
      await folder.migrator().upgrade()
      for (const owner of ["a", "b", "c", "d", "e"]) await insert(engine, owner)
      await run(engine, "DELETE FROM d8a_tokens WHERE id >= 3")

      await folder.migrator().downgrade("-1")
      // Without AUTOINCREMENT the table has no sequence: the number is only kept for later.
      expect(
        (await engine.execute(text("SELECT sql FROM sqlite_master WHERE name = 'd8a_tokens'"))).all()[0]?.[0],
      ).not.toMatch(/AUTOINCREMENT/)
      const left = await engine.execute(text("SELECT id, owner FROM d8a_tokens ORDER BY id"))
      expect(left.all().map(([id, owner]) => [Number(id), owner])).toEqual([
        [1, "a"],
        [2, "b"],
      ])

      await folder.migrator().upgrade()
      // ids 3, 4 and 5 were given with AUTOINCREMENT: the next is 6 (it was 3 on the old code).
      expect(await insert(engine, "f")).toBe(6)
    } finally {
      folder.remove()
    }
  })

  it("rows written while downgraded push the number on; a rename carries it", async () => {
    const engine = target(name).engine("d8a-while-down")
    const folder = revisionFolder(engine)
    try {
      await folder.write(models(false), "tokens")
      await folder.migrator().upgrade()
      await folder.write(models(true), "token ids never reused")
      await folder.migrator().upgrade()
      for (const owner of ["a", "b", "c", "d"]) await insert(engine, owner)
      await run(engine, "DELETE FROM d8a_tokens WHERE id >= 2")
      await folder.migrator().downgrade("-1")
      // Without AUTOINCREMENT SQLite gives max(rowid) + 1: 2 again, as the downgrade's comment says.
      expect(await insert(engine, "x")).toBe(2)
      expect(await insert(engine, "y")).toBe(3)
      await run(engine, "DELETE FROM d8a_tokens WHERE id = 3")
      // A rename there and back while downgraded carries the number with the table.
      await run(
        engine,
        "ALTER TABLE d8a_tokens RENAME TO d8a_tokens_old",
        "ALTER TABLE d8a_tokens_old RENAME TO d8a_tokens",
      )

      await folder.migrator().upgrade()
      // Past the 4 AUTOINCREMENT gave, though the table's highest id is 2 (3 on the old code).
      expect(await insert(engine, "u")).toBe(5)
      for (const owner of ["v", "w", "z"]) await insert(engine, owner)
      await run(engine, "DELETE FROM d8a_tokens WHERE id > 2")
      await folder.migrator().downgrade("-1")
      // Rows written while downgraded above the kept number push it on.
      for (const owner of ["p", "q", "r", "s", "t", "o", "n"]) await insert(engine, owner)
      expect(await insert(engine, "m")).toBe(10)
      await run(engine, "DELETE FROM d8a_tokens WHERE id > 9")
      await folder.migrator().upgrade()
      expect(await insert(engine, "l")).toBe(10)
    } finally {
      folder.remove()
    }
  })

  it("a revision that removes the option says what it gives up", async () => {
    const engine = target(name).engine("d8a-lose")
    const folder = revisionFolder(engine)
    try {
      await folder.write(models(true), "tokens")
      await folder.migrator().upgrade()
      for (const owner of ["a", "b", "c"]) await insert(engine, owner)
      await run(engine, "DELETE FROM d8a_tokens WHERE id = 3")
      const lost = await folder.write(models(false), "plain ids")
      expect(lost.changes[0]?.comment).toMatch(
        /"d8a_tokens" loses AUTOINCREMENT: SQLite will give new rows the ids of the last rows deleted/,
      )
      await folder.migrator().upgrade()
      expect(await insert(engine, "d")).toBe(3)
      await run(engine, "DELETE FROM d8a_tokens WHERE id = 3")
      // Its downgrade (AUTOINCREMENT again) continues past every id the table gave with it.
      await folder.migrator().downgrade("-1")
      expect(await insert(engine, "e")).toBe(4)
    } finally {
      folder.remove()
    }
  })
})
