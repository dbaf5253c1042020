// A generated column on PostgreSQL (GENERATED ALWAYS AS (...) STORED, made by hand: models declare the
// column as a plain one). Its expression is kept where defaults are, and introspection read it as the
// column's default, so autogenerate proposed to drop that default on every run: a revision PostgreSQL
// refuses ('column "total" ... is a generated column'), so neither it nor any later change to the table
// could apply, and `check` never passed. The expression is no default now: the column compares as the
// models declare it, and a change to the table applies both ways with the column still generated.
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

function lines(withNote: boolean): MetaData {
  const metadata = new MetaData()
  table(
    "r6c_lines",
    {
      id: column(Integer, { primaryKey: true }),
      price: column(Integer),
      quantity: column(Integer),
      total: column(Integer, { nullable: true }),
      ...(withNote ? { note: column(Varchar(20), { nullable: true }) } : {}),
    },
    { metadata },
  )
  return metadata
}

it("autogenerate leaves a generated column's expression alone", async () => {
  const target = databases.targets.find((t) => t.name === "neon-http") as Target
  const engine = target.engine("r6c")
  const run = async (sql: string) => (await engine.execute(text(sql))).all().map((r) => [...r].map(String))
  await run(
    "CREATE TABLE r6c_lines (id integer PRIMARY KEY, price integer NOT NULL, quantity integer NOT NULL, total integer GENERATED ALWAYS AS (price * quantity) STORED)",
  )
  await run("INSERT INTO r6c_lines (id, price, quantity) VALUES (1, 3, 4)")
  const folder = revisionFolder(engine)
  folders.push(folder)
  expect(await folder.migrator().compare(lines(false))).toEqual([])
  const { changes } = await folder.write(lines(true), "a note")
  expect(changes.map((c) => c.upgrade[0]?.kind)).toEqual(["addColumn"])
  await folder.migrator().upgrade()
  await folder.migrator().downgrade("base")
  await folder.migrator().upgrade()
  await run("UPDATE r6c_lines SET quantity = 5")
  expect(await run("SELECT total::text FROM r6c_lines")).toEqual([["15"]])
  expect(await folder.migrator().compare(lines(true))).toEqual([])
})
