// A newcomer follows the README: its first examples make the tables with createAll, then its migrations
// section has them run `migrate upgrade`, whose first revision creates the same tables. The upgrade failed
// with the database's "table users already exists" alone; it now says why (the version table does not
// record the revision) and what to do: stamp it, or drop the table.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"
import { column, createAll, Integer, MetaData, String, table } from "../../src/index.ts"
import { defineRevision, Migrator, RevisionFailedError, staticRevisions } from "../../src/migrate.ts"
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

const metadata = new MetaData()
table(
  "nc6_users",
  { id: column(Integer, { primaryKey: true }), username: column(String(50), { unique: true }) },
  { metadata },
)
const first = defineRevision({
  id: "aaaaaaaaaaaa",
  parent: null,
  message: "first tables",
  upgrade(op) {
    op.createTable("nc6_users", [
      { name: "id", type: Integer, primaryKey: true },
      { name: "username", type: String(50) },
    ])
  },
  downgrade(op) {
    op.dropTable("nc6_users")
  },
})

describe.each(["neon-http", "libsql-http"] satisfies TargetName[])("on %s", (name) => {
  it("an upgrade over tables createAll made names the stamp that records them", async () => {
    const engine = target(name).engine("nc6")
    await createAll(metadata, engine)
    const migrator = new Migrator(engine, { revisions: staticRevisions([first]) })
    const failure = await migrator.upgrade().then(
      () => undefined,
      (error: unknown) => error,
    )
    expect(failure).toBeInstanceOf(RevisionFailedError)
    const message = (failure as Error).message
    expect(message).toMatch(/(table nc6_users|relation "nc6_users") already exists, though the version table/)
    expect(message).toContain("npx edgealchemy migrate stamp aaaaaaaaaaaa, or Migrator's stamp()")
    expect(message).toContain("or drop nc6_users")
    // What it says works: stamped, the database is at the revision, and nothing is left to run.
    await migrator.stamp("aaaaaaaaaaaa")
    expect(await migrator.current()).toEqual(["aaaaaaaaaaaa"])
    expect(await migrator.pending()).toEqual([])
  })
})
