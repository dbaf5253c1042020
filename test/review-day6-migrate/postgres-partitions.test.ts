// A partitioned table on PostgreSQL, made by hand (models cannot declare partitions), whose parent the
// models declare. Introspection read each partition as a table of its own, so autogenerate offered to
// drop every partition, rows and all ("not in the models"), with a downgrade creating it again as a
// plain table, no longer a partition (its rows gone, and the parent's new rows no longer routed to it).
// Partitions now belong to their parent, which autogenerate compares; an upgrade and a downgrade of a
// change to the parent keep every row where it was.
import { afterAll, beforeAll, expect, it } from "vitest"
import { column, DateOnly, Integer, MetaData, table, text, String as Varchar } from "../../src/index.ts"
import { type MigrationDatabases, migrationDatabases, type Target } from "../migrate/databases.ts"
import { type RevisionFolder, revisionFolder } from "../migrate/revision-folder.ts"

let databases: MigrationDatabases
const folders: RevisionFolder[] = []
beforeAll(async () => {
  databases = await migrationDatabases()
})
afterAll(async () => {
  await databases.stop()
  for (const folder of folders) folder.remove()
})

function events(withNote: boolean): MetaData {
  const metadata = new MetaData()
  table(
    "r6p_events",
    {
      id: column(Integer, { primaryKey: true }),
      day: column(DateOnly, { primaryKey: true }),
      what: column(Varchar(20)),
      ...(withNote ? { note: column(Varchar(20), { nullable: true }) } : {}),
    },
    { metadata },
  )
  return metadata
}

it("autogenerate compares a partitioned table's parent and leaves its partitions alone", async () => {
  const target = databases.targets.find((t) => t.name === "neon-http") as Target
  const engine = target.engine("r6p")
  const run = async (sql: string) => (await engine.execute(text(sql))).all().map((r) => [...r].map(String))
  await run(
    "CREATE TABLE r6p_events (id integer NOT NULL, day date NOT NULL, what varchar(20) NOT NULL, PRIMARY KEY (id, day)) PARTITION BY RANGE (day)",
  )
  await run(
    "CREATE TABLE r6p_events_2025 PARTITION OF r6p_events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')",
  )
  await run(
    "CREATE TABLE r6p_events_2026 PARTITION OF r6p_events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01')",
  )
  await run("INSERT INTO r6p_events VALUES (1, '2025-06-01', 'old'), (2, '2026-06-01', 'new')")
  const where = () => run("SELECT tableoid::regclass::text, id::text, what FROM r6p_events ORDER BY id")
  const before = await where()
  expect(before).toEqual([
    ["r6p_events_2025", "1", "old"],
    ["r6p_events_2026", "2", "new"],
  ])

  const folder = revisionFolder(engine)
  folders.push(folder)
  expect(await folder.migrator().compare(events(false))).toEqual([])
  const { changes } = await folder.write(events(true), "a note")
  expect(changes.map((c) => c.upgrade)).toEqual([
    [
      {
        kind: "addColumn",
        table: "r6p_events",
        column: { name: "note", type: expect.anything(), nullable: true },
      },
    ],
  ])
  await folder.migrator().upgrade()
  expect(await where()).toEqual(before)
  await folder.migrator().downgrade("base")
  expect(await where()).toEqual(before)
  await run("INSERT INTO r6p_events VALUES (3, '2026-07-01', 'routed')")
  expect(await run("SELECT tableoid::regclass::text FROM r6p_events WHERE id = 3")).toEqual([
    ["r6p_events_2026"],
  ])
})
