// A column whose type and server default change together: a count kept as text with default '0', made
// an Integer with default 0 in the model. On PostgreSQL the revision altered the type first, and ALTER
// COLUMN ... TYPE casts the column's default with it: '0'::character varying cannot be cast to integer
// automatically, so the revision failed every time ("default for column ... cannot be cast
// automatically"), whatever the rows held. The old default now goes first when the revision sets a new
// one. Both ways, on both databases, with the rows and the defaults as the models say.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"
import { column, Integer, MetaData, table, text, String as Varchar } from "../../src/index.ts"
import { type MigrationDatabases, migrationDatabases, type TargetName } from "../migrate/databases.ts"
import { type RevisionFolder, revisionFolder } from "../migrate/revision-folder.ts"

let databases: MigrationDatabases
const folders: RevisionFolder[] = []
beforeAll(async () => {
  databases = await migrationDatabases()
})
beforeEach(() => databases.reset())
afterAll(async () => {
  await databases.stop()
  for (const folder of folders) folder.remove()
})

function counters(counted: boolean): MetaData {
  const metadata = new MetaData()
  table(
    "r6t_counters",
    {
      id: column(Integer, { primaryKey: true }),
      hits: counted ? column(Integer, { serverDefault: 0 }) : column(Varchar(5), { serverDefault: "0" }),
    },
    { metadata },
  )
  return metadata
}

describe.each(["neon-http", "libsql-http"] satisfies TargetName[])("on %s", (name) => {
  it("changes a column's type and default together, both ways", async () => {
    const target = databases.targets.find((t) => t.name === name)
    if (!target) throw new Error(name)
    const engine = target.engine(`r6t-${name}`)
    const rows = async () =>
      (await engine.execute(text("SELECT id, hits FROM r6t_counters ORDER BY id")))
        .all()
        .map((r) => [...r].map(String))
    const folder = revisionFolder(engine)
    folders.push(folder)
    await folder.write(counters(false), "counters")
    await folder.migrator().upgrade()
    await engine.execute(text("INSERT INTO r6t_counters (id, hits) VALUES (1, '7'), (2, '12')"))
    const { changes } = await folder.write(counters(true), "hits counted")
    expect(changes.map((c) => c.upgrade)).toEqual([
      [
        {
          kind: "alterColumn",
          table: "r6t_counters",
          column: "hits",
          changes: { type: expect.anything(), default: 0 },
        },
      ],
    ])
    await folder.migrator().upgrade()
    await engine.execute(text("INSERT INTO r6t_counters (id) VALUES (3)"))
    expect(await rows()).toEqual([
      ["1", "7"],
      ["2", "12"],
      ["3", "0"],
    ])
    expect(await folder.migrator().compare(counters(true))).toEqual([])
    const typeOf = "SELECT typeof(hits) FROM r6t_counters WHERE id = 1"
    if (target.dialect === "sqlite") expect((await engine.execute(text(typeOf))).all()).toEqual([["integer"]])

    await folder.migrator().downgrade("-1")
    await engine.execute(text("INSERT INTO r6t_counters (id) VALUES (4)"))
    expect(await rows()).toEqual([
      ["1", "7"],
      ["2", "12"],
      ["3", "0"],
      ["4", "0"],
    ])
    expect(await folder.migrator().compare(counters(false))).toEqual([])
    await folder.migrator().upgrade()
    expect(await folder.migrator().compare(counters(true))).toEqual([])
  })
})
