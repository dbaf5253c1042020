// A foreign key from a table of the current schema to a table of another schema, as apps reference
// Neon Auth's neon_auth.users_sync: models cannot declare it (their names have no schema). Introspection
// read the referenced table by its bare name, so autogenerate offered to drop the key, with a downgrade
// creating it again against a table of that name in the current schema: one that happened to share
// the name (here r6o_users, with other rows) silently, or none, failing the downgrade. Such a key is
// now left alone, as other hand-made objects are, and holds through a revision and its undoing.
import { afterAll, beforeAll, expect, it } from "vitest"
import { column, Integer, MetaData, table, text, String as Varchar } from "../../src/index.ts"
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

function profiles(withBio: boolean): MetaData {
  const metadata = new MetaData()
  table("r6o_users", { id: column(Integer, { primaryKey: true }) }, { metadata })
  table(
    "r6o_profiles",
    {
      id: column(Integer, { primaryKey: true }),
      user_id: column(Integer),
      ...(withBio ? { bio: column(Varchar(40), { nullable: true }) } : {}),
    },
    { metadata },
  )
  return metadata
}

it("autogenerate leaves a foreign key to another schema's table alone", async () => {
  const target = databases.targets.find((t) => t.name === "neon-http") as Target
  const engine = target.engine("r6o")
  const run = async (sql: string) => (await engine.execute(text(sql))).all().map((r) => [...r].map(String))
  await run("CREATE SCHEMA r6o_auth")
  await run("CREATE TABLE r6o_auth.r6o_users (id integer PRIMARY KEY)")
  await run("INSERT INTO r6o_auth.r6o_users VALUES (1)")
  const folder = revisionFolder(engine)
  folders.push(folder)
  await folder.write(profiles(false), "profiles")
  await folder.migrator().upgrade()
  await run(
    "ALTER TABLE r6o_profiles ADD CONSTRAINT fk_r6o_profiles_auth FOREIGN KEY (user_id) REFERENCES r6o_auth.r6o_users (id)",
  )
  await run("INSERT INTO r6o_profiles VALUES (1, 1)")
  const key = () =>
    run("SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = 'fk_r6o_profiles_auth'")
  const before = await key()
  expect(before).toEqual([["FOREIGN KEY (user_id) REFERENCES r6o_auth.r6o_users(id)"]])

  expect(await folder.migrator().compare(profiles(false))).toEqual([])
  const { changes } = await folder.write(profiles(true), "a bio")
  expect(changes.map((c) => c.upgrade[0]?.kind)).toEqual(["addColumn"])
  await folder.migrator().upgrade()
  await folder.migrator().downgrade("-1")
  expect(await key()).toEqual(before)
  // The key still refers to the other schema's users: r6o_users here has no row 1.
  await expect(run("INSERT INTO r6o_profiles VALUES (2, 2)")).rejects.toThrow(/fk_r6o_profiles_auth/)
  expect(await run("SELECT count(*)::text FROM r6o_users")).toEqual([["0"]])
})
