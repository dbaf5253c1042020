// PostgreSQL indexes that CREATE INDEX over plain columns cannot write again: DESC, a column's other
// collation, another operator class (text_pattern_ops), INCLUDE columns, another method (hash), UNIQUE
// NULLS NOT DISTINCT. Introspection read each as a plain index over its columns, so autogenerate, whose
// models declare none of them, dropped them, with downgrades writing plain indexes: `UNIQUE (code)
// INCLUDE (label)` came back as a unique over (code, label), which lets two rows share a code, and a
// unique NULLS NOT DISTINCT as one letting in any number of NULLs. They are now left alone, as indexes on
// expressions and partial ones are (test/migrate/hand-made-objects.test.ts); a plain index the models
// lack is still dropped, and its downgrade brings it back as it was.
import { afterAll, beforeAll, expect, it } from "vitest"
import { column, Integer, MetaData, String, table, text } from "../../src/index.ts"
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

function codes(): MetaData {
  const metadata = new MetaData()
  table(
    "r6i_codes",
    {
      id: column(Integer, { primaryKey: true }),
      code: column(Integer, { nullable: true }),
      label: column(String(40), { nullable: true }),
    },
    { metadata },
  )
  return metadata
}

const handMade = [
  "CREATE INDEX r6i_desc ON r6i_codes (code DESC)",
  'CREATE INDEX r6i_collated ON r6i_codes (label COLLATE "C")',
  "CREATE INDEX r6i_pattern ON r6i_codes (label text_pattern_ops)",
  "CREATE UNIQUE INDEX r6i_covering ON r6i_codes (code) INCLUDE (label)",
  "CREATE INDEX r6i_hashed ON r6i_codes USING hash (code)",
  "CREATE UNIQUE INDEX r6i_one_null ON r6i_codes (label) NULLS NOT DISTINCT",
]

it("autogenerate leaves hand-made indexes alone, and drops and brings back a plain one", async () => {
  const target = databases.targets.find((t) => t.name === "neon-http") as Target
  const engine = target.engine("r6i")
  const folder = revisionFolder(engine)
  folders.push(folder)
  await folder.write(codes(), "codes")
  await folder.migrator().upgrade()
  for (const sql of [...handMade, "CREATE INDEX r6i_plain ON r6i_codes (label, code)"])
    await engine.execute(text(sql))
  const definitions = async () =>
    (
      await engine.execute(
        text(
          "SELECT indexdef FROM pg_indexes WHERE tablename = 'r6i_codes' AND indexname LIKE 'r6i_%' AND indexname <> 'r6i_codes_pkey' ORDER BY 1",
        ),
      )
    )
      .all()
      .map((row) => row[0] as string)
  const before = await definitions()
  expect(before).toHaveLength(7)

  const { changes } = await folder.write(codes(), "no plain index")
  expect(changes.map((c) => c.upgrade)).toEqual([
    [{ kind: "dropIndex", table: "r6i_codes", name: "r6i_plain" }],
  ])
  await folder.migrator().upgrade()
  expect(await definitions()).toEqual(before.filter((sql) => !sql.includes("r6i_plain")))
  await folder.migrator().downgrade("-1")
  expect(await definitions()).toEqual(before)
  // What the hand-made ones hold still holds: one row per code, one NULL label.
  await engine.execute(text("INSERT INTO r6i_codes (id, code, label) VALUES (1, 7, NULL)"))
  await expect(
    engine.execute(text("INSERT INTO r6i_codes (id, code, label) VALUES (2, 7, 'x')")),
  ).rejects.toThrow(/r6i_covering/)
  await expect(
    engine.execute(text("INSERT INTO r6i_codes (id, code, label) VALUES (3, 8, NULL)")),
  ).rejects.toThrow(/r6i_one_null/)
  expect(await folder.migrator().compare(codes())).toEqual([
    {
      upgrade: [{ kind: "dropIndex", table: "r6i_codes", name: "r6i_plain" }],
      downgrade: [
        {
          kind: "createIndex",
          table: "r6i_codes",
          name: "r6i_plain",
          columns: ["label", "code"],
          unique: false,
        },
      ],
    },
  ])
})
