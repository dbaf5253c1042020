// A PostgreSQL foreign key made DEFERRABLE INITIALLY DEFERRED by hand (models cannot declare it), whose
// ON DELETE the models change. Autogenerate replaced it, dropping it and adding the models' key, which
// is not deferrable, and said nothing: a transaction writing a child before its parent, which the old
// key let through until COMMIT, failed at once after the upgrade, and the downgrade did not bring the
// deferral back either. The revision now says so above the change, as it does for other changes it
// cannot make whole. The upgrade and downgrade themselves keep every row.
import { afterAll, beforeAll, expect, it } from "vitest"
import { column, Integer, MetaData, table, text } from "../../src/index.ts"
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

function family(): MetaData {
  const metadata = new MetaData()
  table("r6e_parents", { id: column(Integer, { primaryKey: true }) }, { metadata })
  table(
    "r6e_children",
    {
      id: column(Integer, { primaryKey: true }),
      parent_id: column(Integer, {
        foreignKey: { references: "r6e_parents.id", onDelete: "CASCADE", name: "fk_r6e_children_parent" },
      }),
    },
    { metadata },
  )
  return metadata
}

it("autogenerate says when it replaces a deferrable foreign key with one that is not", async () => {
  const target = databases.targets.find((t) => t.name === "neon-http") as Target
  const engine = target.engine("r6e")
  const run = async (sql: string) =>
    (await engine.execute(text(sql))).all().map((r) => [...r].map((v) => `${v}`))
  await run("CREATE TABLE r6e_parents (id integer PRIMARY KEY)")
  await run(
    "CREATE TABLE r6e_children (id integer PRIMARY KEY, parent_id integer NOT NULL, CONSTRAINT fk_r6e_children_parent FOREIGN KEY (parent_id) REFERENCES r6e_parents (id) DEFERRABLE INITIALLY DEFERRED)",
  )
  await run("INSERT INTO r6e_parents VALUES (1)")
  await run("INSERT INTO r6e_children VALUES (1, 1)")
  const folder = revisionFolder(engine)
  folders.push(folder)
  const { changes } = await folder.write(family(), "children cascade")
  expect(changes.map((c) => c.comment)).toEqual([
    'Foreign key "fk_r6e_children_parent" on r6e_children is DEFERRABLE INITIALLY DEFERRED, which models cannot declare: a key the models put in its place, and this revision\'s downgrade, create it without (a transaction writing rows before those they reference then fails); write such a key with op.execute if the application needs it',
    undefined,
  ])
  await folder.migrator().upgrade()
  await folder.migrator().downgrade("base")
  expect(await run("SELECT id::text, parent_id::text FROM r6e_children")).toEqual([["1", "1"]])
})
