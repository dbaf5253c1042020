// A downgrade names where to stop, and only an applied revision is such a place. Asked to go down to
// a revision of another branch (the database at its sibling), the runner undid every revision that
// was not that one's ancestor: the whole sibling branch, data included, and called it done. It now
// refuses before anything is sent, as Alembic does; a revision ahead of the database is refused too.
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { text } from "../../src/index.ts"
import { defineRevision, Integer, Migrator, RevisionGraphError } from "../../src/migrate.ts"
import { type MigrationDatabases, migrationDatabases, type TargetName } from "./databases.ts"

let databases: MigrationDatabases
beforeAll(async () => {
  databases = await migrationDatabases()
})
afterAll(() => databases.stop())

const creates = (id: string, parent: string | null) =>
  defineRevision({
    id,
    parent,
    message: `table ${id}`,
    upgrade: (op) => {
      op.createTable(`mg2_t_${id}`, [{ name: "id", type: Integer, primaryKey: true }])
      op.execute(`INSERT INTO mg2_t_${id} (id) VALUES (1)`)
    },
    downgrade: (op) => op.dropTable(`mg2_t_${id}`),
  })

const root = creates("a0a000000000", null)
const left = creates("b0b000000000", "a0a000000000")
const right = creates("c0c000000000", "a0a000000000")
const afterLeft = creates("d0d000000000", "b0b000000000")

describe.each(["neon-http", "libsql-http"] satisfies TargetName[])("on %s", (name) => {
  it("refuses to downgrade to a revision that is not applied, changing nothing", async () => {
    const target = databases.targets.find((t) => t.name === name)
    if (!target) throw new Error(name)
    const engine = target.engine(`downgrade-targets-${name}`)
    const migrator = new Migrator(engine, { revisions: [root, left, right, afterLeft] })
    await migrator.upgrade("c0c0")
    expect(await migrator.current()).toEqual(["c0c000000000"])
    for (const [goal, id] of [
      ["b0b0", "b0b000000000"],
      ["d0d000000000", "d0d000000000"],
    ]) {
      const error = await migrator.downgrade(goal as string).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(RevisionGraphError)
      expect((error as Error).message).toBe(
        `Cannot downgrade to ${id}: it is not applied (the database is at c0c000000000); name an applied revision, -N or base`,
      )
    }
    expect(await migrator.current()).toEqual(["c0c000000000"])
    expect((await engine.execute(text("SELECT id FROM mg2_t_c0c000000000"))).all()).toHaveLength(1)
    expect((await migrator.downgrade("a0a0")).map((e) => e.revision)).toEqual(["c0c000000000"])
    await migrator.downgrade("base")
  })
})
