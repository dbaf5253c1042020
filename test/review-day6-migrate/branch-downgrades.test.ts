// Downgrades over branches, as Alembic's revision map walks them. Going down to a revision undid every
// applied revision that was not its ancestor: with two branches open, `downgrade <a revision of one>`
// also undid the whole other branch (its tables and rows dropped), and from a merge, `downgrade <one
// parent>` undid the other parent's branch. Only the revision's descendants are undone now. `-N` undid
// the last revisions in file order, whichever branch they were on: with several heads (or past a
// merge) it now refuses before anything is sent, naming the heads; Alembic warns that it is ambiguous.
// `+N` likewise applied the next revisions in file order, whichever branch: it walks up from the heads
// now, as Alembic does (from a1, +1 is a2 though b1 comes first in the files), and refuses at a fork.
// `stamp <a revision>` set the version table to that revision alone, forgetting another branch's head
// (a later `upgrade heads` ran that branch again); it replaces only its own branch's row now.
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type Engine, text } from "../../src/index.ts"
import { defineRevision, Integer, Migrator, RevisionGraphError } from "../../src/migrate.ts"
import { type MigrationDatabases, migrationDatabases, type TargetName } from "../migrate/databases.ts"

let databases: MigrationDatabases
beforeAll(async () => {
  databases = await migrationDatabases()
})
afterAll(() => databases.stop())

/** A revision creating a table of its own with one row in it. */
const creates = (id: string, parent: string | string[] | null) =>
  defineRevision({
    id,
    parent,
    message: `table ${id}`,
    upgrade: (op) => {
      op.createTable(`r6b_${id}`, [{ name: "id", type: Integer, primaryKey: true }])
      op.bulkInsert(`r6b_${id}`, [{ id: 1 }])
    },
    downgrade: (op) => op.dropTable(`r6b_${id}`),
  })

//   root -> a1 -> a2 --\
//        \-> b1 --------> merge
const root = creates("a6b000000000", null)
const a1 = creates("a6b0a1000000", "a6b000000000")
const a2 = creates("a6b0a2000000", "a6b0a1000000")
const b1 = creates("a6b0b1000000", "a6b000000000")
const merge = creates("a6b0ff000000", ["a6b0a2000000", "a6b0b1000000"])

async function tables(engine: Engine): Promise<string[]> {
  const sql =
    engine.dialect.name === "sqlite"
      ? "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'r6b_%' ORDER BY name"
      : "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename LIKE 'r6b_%' ORDER BY tablename"
  return (await engine.execute(text(sql))).all().map((row) => String(row[0]))
}

const undone = (events: readonly { revision: string }[]) => events.map((e) => e.revision)

describe.each(["neon-http", "libsql-embedded"] satisfies TargetName[])("on %s", (name) => {
  it("undoes only what follows the revision named, and refuses -N where the line forks", async () => {
    const target = databases.targets.find((t) => t.name === name)
    if (!target) throw new Error(name)
    const engine = target.engine(`r6b-${name}`)
    const open = new Migrator(engine, { revisions: [root, a1, a2, b1] })
    await open.upgrade("heads")
    expect(await open.current()).toEqual(["a6b0a2000000", "a6b0b1000000"])

    // Two heads: -1 is ambiguous, refused with nothing sent.
    const ambiguous = await open.downgrade("-1").catch((e: unknown) => e)
    expect(ambiguous).toBeInstanceOf(RevisionGraphError)
    expect((ambiguous as Error).message).toBe(
      "Cannot downgrade -1: the database is at several heads (a6b0a2000000, a6b0b1000000), so which branch to undo is ambiguous: downgrade to a revision (only its descendants are undone) or to base",
    )
    expect(await open.current()).toEqual(["a6b0a2000000", "a6b0b1000000"])

    // Down to a1: a2 goes, b1 (another branch) stays with its table and row.
    expect(undone(await open.downgrade("a6b0a1"))).toEqual(["a6b0a2000000"])
    expect(await open.current()).toEqual(["a6b0a1000000", "a6b0b1000000"])
    expect(await tables(engine)).toEqual(["r6b_a6b000000000", "r6b_a6b0a1000000", "r6b_a6b0b1000000"])
    expect((await engine.execute(text("SELECT id FROM r6b_a6b0b1000000"))).all()).toHaveLength(1)

    const merged = new Migrator(engine, { revisions: [root, a1, a2, b1, merge] })
    expect(undone(await merged.upgrade())).toEqual(["a6b0a2000000", "a6b0ff000000"])
    // From the merge: -1 undoes it and gives both heads back; -2 would have to choose one of them.
    const past = await merged.downgrade("-2").catch((e: unknown) => e)
    expect(past).toBeInstanceOf(RevisionGraphError)
    expect((past as Error).message).toMatch(
      /^Cannot downgrade -2: past a6b0ff000000 the database is at several heads \(a6b0a2000000, a6b0b1000000\)/,
    )
    expect(await merged.current()).toEqual(["a6b0ff000000"])
    // Down to one parent of the merge: the merge alone is undone; the other parent's branch stays.
    expect(undone(await merged.downgrade("a6b0b1"))).toEqual(["a6b0ff000000"])
    expect(await merged.current()).toEqual(["a6b0a2000000", "a6b0b1000000"])
    expect(await tables(engine)).toHaveLength(4)

    // Down to the branch point: both branches follow it.
    await merged.upgrade()
    expect(new Set(undone(await merged.downgrade("a6b000000000")))).toEqual(
      new Set(["a6b0ff000000", "a6b0a2000000", "a6b0a1000000", "a6b0b1000000"]),
    )
    expect(await merged.current()).toEqual(["a6b000000000"])
    expect(await tables(engine)).toEqual(["r6b_a6b000000000"])
    // One line: -1 goes down it.
    expect(undone(await merged.downgrade("-1"))).toEqual(["a6b000000000"])
    expect(await tables(engine)).toEqual([])
  })

  it("walks +N up from the heads, and refuses it at a fork", async () => {
    const target = databases.targets.find((t) => t.name === name)
    if (!target) throw new Error(name)
    const engine = target.engine(`r6b-up-${name}`)
    // b1 first in the files: file order would apply it first.
    const migrator = new Migrator(engine, { revisions: [root, b1, a1, a2, merge] })
    expect(undone(await migrator.upgrade("+1"))).toEqual(["a6b000000000"])
    const fork = await migrator.upgrade("+1").catch((e: unknown) => e)
    expect(fork).toBeInstanceOf(RevisionGraphError)
    expect((fork as Error).message).toBe(
      "Cannot upgrade +1: the next revision could be any of a6b0b1000000, a6b0a1000000 (branches); upgrade to one of them, or heads",
    )
    expect(await migrator.current()).toEqual(["a6b000000000"])
    await migrator.upgrade("a6b0a1")
    // From a1 the line goes on to a2: b1 follows the root, not the head.
    expect(undone(await migrator.upgrade("+1"))).toEqual(["a6b0a2000000"])
    await migrator.upgrade("a6b0b1")
    // Both parents of the merge are heads: it is the one next revision.
    expect(undone(await migrator.upgrade("+1"))).toEqual(["a6b0ff000000"])
    const beyond = await migrator.upgrade("+1").catch((e: unknown) => e)
    expect((beyond as Error).message).toBe(
      "Cannot upgrade +1: only 0 revision(s) follow the database's heads",
    )
    await migrator.downgrade("base")
    expect(await tables(engine)).toEqual([])
  })

  it("stamps a revision on one branch, keeping the other branch's head", async () => {
    const target = databases.targets.find((t) => t.name === name)
    if (!target) throw new Error(name)
    const engine = target.engine(`r6b-stamp-${name}`)
    const migrator = new Migrator(engine, { revisions: [root, a1, a2, b1] })
    await migrator.upgrade("heads")
    await migrator.stamp("a6b0a1")
    expect(await migrator.current()).toEqual(["a6b0a1000000", "a6b0b1000000"])
    expect(await migrator.pending()).toEqual(["a6b0a2000000"])
    await migrator.stamp("heads")
    expect(await migrator.current()).toEqual(["a6b0a2000000", "a6b0b1000000"])
    // A row no revision has goes with a stamp, as the error about it says.
    await engine.execute(text("INSERT INTO edgealchemy_version (version_num) VALUES ('ffffffffffff')"))
    await migrator.stamp("a6b0b1")
    expect(await migrator.current()).toEqual(["a6b0a2000000", "a6b0b1000000"])
    await migrator.stamp("base")
    expect(await migrator.current()).toEqual([])
    await migrator.stamp("heads")
    await migrator.downgrade("base")
    expect(await tables(engine)).toEqual([])
  })
})
