// Branches and merge revisions: two revisions after the same parent are two heads in the version
// table until a merge revision (parent: both) joins them; downgrading the merge brings both back.
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { defineRevision, Integer, Migrator, RevisionGraph, RevisionGraphError } from "../../src/migrate.ts"
import { type MigrationDatabases, migrationDatabases, type TargetName } from "./databases.ts"

let databases: MigrationDatabases
beforeAll(async () => {
  databases = await migrationDatabases()
})
afterAll(() => databases.stop())

const creates = (id: string, parent: string | string[] | null) =>
  defineRevision({
    id,
    parent,
    message: `table ${id}`,
    upgrade: (op) => op.createTable(`t_${id}`, [{ name: "id", type: Integer, primaryKey: true }]),
    downgrade: (op) => op.dropTable(`t_${id}`),
  })

const root = creates("aaaa00000000", null)
const left = creates("bbbb00000000", "aaaa00000000")
const right = creates("cccc00000000", "aaaa00000000")
const merge = creates("dddd00000000", ["bbbb00000000", "cccc00000000"])

it("refuses a single head while branches are open, and names the fix", () => {
  const graph = new RevisionGraph([root, left, right])
  expect(() => graph.head()).toThrow(RevisionGraphError)
  expect(() => graph.head()).toThrow(/create a merge revision whose parent lists them/)
  expect(() => new RevisionGraph([left])).toThrow(/follows aaaa00000000, which no revision has as id/)
  expect(graph.resolve("bbbb")).toBe("bbbb00000000")
})

describe.each(["neon-http", "libsql-embedded"] satisfies TargetName[])("on %s", (name) => {
  it("keeps one version row per branch head and joins them at the merge", async () => {
    const target = databases.targets.find((t) => t.name === name)
    if (!target) throw new Error(name)
    const engine = target.engine(`branches-${name}`)
    const branches = new Migrator(engine, { revisions: [root, left, right] })
    // head is one revision: with two branches open it is refused before anything runs, as Alembic does.
    await expect(branches.upgrade()).rejects.toThrow(
      "The revisions have several heads (bbbb00000000, cccc00000000): upgrade heads applies every branch",
    )
    await expect(branches.stamp("head")).rejects.toThrow(RevisionGraphError)
    expect(await branches.current()).toEqual([])
    expect(await branches.pending()).toEqual(["aaaa00000000", "bbbb00000000", "cccc00000000"])
    await branches.upgrade("heads")
    expect(await branches.current()).toEqual(["bbbb00000000", "cccc00000000"])

    const merged = new Migrator(engine, { revisions: [root, left, right, merge] })
    expect((await merged.upgrade()).map((e) => e.revision)).toEqual(["dddd00000000"])
    expect(await merged.current()).toEqual(["dddd00000000"])
    await merged.downgrade("-1")
    expect(await merged.current()).toEqual(["bbbb00000000", "cccc00000000"])
    await merged.upgrade()
    // Down to one parent of the merge undoes the merge alone: the other branch does not follow bbbb.
    expect((await merged.downgrade("bbbb")).map((e) => e.revision)).toEqual(["dddd00000000"])
    expect(await merged.current()).toEqual(["bbbb00000000", "cccc00000000"])
    await merged.downgrade("base")
    expect(await merged.current()).toEqual([])
  })
})
