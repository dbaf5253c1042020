// Stamping a revision below a merge. With root -> a1 -> a2 and root -> b1 merged by m, and the database
// at m, `stamp a1` recorded a1 alone: b1's branch, applied (the merge was), was no longer recorded, and
// the next `upgrade heads` ran b1 again over its own table ('table ... already exists', or a data
// revision applied twice). Alembic's stamp does the same (its StampStep moves the merge's row to the
// target). The stamp now records what `downgrade a1` would leave: a1 and the merge's other parent b1,
// so that `upgrade heads` runs a2 and m only. A stamp that reads the version table first fails if the
// table changed before its write.
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type Engine, text } from "../../src/index.ts"
import { defineRevision, Integer, Migrator } from "../../src/migrate.ts"
import { type MigrationDatabases, migrationDatabases, type TargetName } from "../migrate/databases.ts"

let databases: MigrationDatabases
beforeAll(async () => {
  databases = await migrationDatabases()
})
afterAll(() => databases.stop())

/** A revision creating a table of its own (a merge creates nothing). */
const creates = (id: string, parent: string | string[] | null) =>
  defineRevision({
    id,
    parent,
    message: `table ${id}`,
    upgrade: (op) => {
      if (!Array.isArray(parent))
        op.createTable(`d8m_${id}`, [{ name: "id", type: Integer, primaryKey: true }])
    },
    downgrade: (op) => {
      if (!Array.isArray(parent)) op.dropTable(`d8m_${id}`)
    },
  })

//   root -> a1 -> a2 --\
//        \-> b1 --------> m -> c
const root = creates("d8m000000000", null)
const a1 = creates("d8m0a1000000", "d8m000000000")
const a2 = creates("d8m0a2000000", "d8m0a1000000")
const b1 = creates("d8m0b1000000", "d8m000000000")
const m = creates("d8m0ff000000", ["d8m0a2000000", "d8m0b1000000"])
const c = creates("d8m0cc000000", "d8m0ff000000")
const revisions = [root, a1, a2, b1, m, c]

async function atHead(engine: Engine): Promise<Migrator> {
  const migrator = new Migrator(engine, { revisions, versionTable: "d8m_versions" })
  await migrator.stamp("base")
  await migrator.stamp("heads")
  return migrator
}

describe.each(["neon-http", "libsql-http", "libsql-embedded"] satisfies TargetName[])("on %s", (name) => {
  it("stamp below a merge keeps the merge's other parent, as downgrade does", async () => {
    const target = databases.targets.find((t) => t.name === name)
    if (!target) throw new Error(name)
    const engine = target.engine(`d8m-${name}`)
    const migrator = new Migrator(engine, { revisions, versionTable: "d8m_versions" })
    await migrator.upgrade("heads")
    expect(await migrator.current()).toEqual(["d8m0cc000000"])

    await migrator.stamp("d8m0a1")
    expect(await migrator.current()).toEqual(["d8m0a1000000", "d8m0b1000000"])
    expect(await migrator.pending()).toEqual(["d8m0a2000000", "d8m0ff000000", "d8m0cc000000"])
    // What downgrade leaves from the same place.
    await migrator.stamp("heads")
    await migrator.downgrade("d8m0a1")
    expect(await migrator.current()).toEqual(["d8m0a1000000", "d8m0b1000000"])
    // upgrade heads runs a2, m and c only: b1's table is not created twice.
    await migrator.upgrade("heads")
    expect(await migrator.current()).toEqual(["d8m0cc000000"])

    // Right below the merge, both parents; at a parent of the merge itself, the other one too.
    await migrator.stamp("d8m0ff")
    expect(await migrator.current()).toEqual(["d8m0ff000000"])
    await (await atHead(engine)).stamp("d8m0b1")
    expect(await migrator.current()).toEqual(["d8m0a2000000", "d8m0b1000000"])
    // The root is below everything: nothing else stays.
    await (await atHead(engine)).stamp("d8m000")
    expect(await migrator.current()).toEqual(["d8m000000000"])
    // Up again over two heads: the merge replaces both, as before.
    await migrator.stamp("d8m0ff")
    expect(await migrator.current()).toEqual(["d8m0ff000000"])
  })

  it("a stamp that read the version table fails if it changed before the write", async () => {
    const target = databases.targets.find((t) => t.name === name)
    if (!target) throw new Error(name)
    const engine = target.engine(`d8m-race-${name}`)
    const migrator = await atHead(engine)
    // Another runner writes between the stamp's read and its write: the stamp's first request is the
    // read; the row goes in as it returns.
    const racing = new Migrator(engine, { revisions, versionTable: "d8m_versions" })
    const connect = engine.connect.bind(engine)
    let sent = 0
    engine.connect = () => {
      const connection = connect()
      const batch = connection.batch.bind(connection)
      connection.batch = async (statements) => {
        const result = await batch(statements)
        sent += 1
        if (sent === 1) await engine.execute(text("DELETE FROM d8m_versions"))
        return result
      }
      return connection
    }
    const failed = await racing.stamp("d8m0a1").catch((e: Error) => e)
    engine.connect = connect
    expect((failed as Error).name).toBe("ConcurrentMigrationError")
    expect(await migrator.current()).toEqual([])
  })
})
