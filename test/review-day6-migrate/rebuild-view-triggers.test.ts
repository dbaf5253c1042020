// INSTEAD OF triggers on a view, over a table SQLite rebuilds. d6173ff made a rebuild fail when it
// breaks a trigger, but only triggers on tables were compiled; a trigger on a view was left to the
// scratch rename, which passes over an INSERT's column list and an UPDATE's SET in a trigger's body. So a
// revision dropping a column such a trigger writes went through, and the next write to the view failed
// ("table ... has no column named nick"). Now each such trigger is compiled by a write that changes no
// row (of its own event: a view takes only those it has a trigger for), and the revision fails and rolls
// back, naming it; a trigger on a view that the change leaves working goes through, rows as they were.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"
import { type Engine, text } from "../../src/index.ts"
import { defineRevision, Migrator, type Revision, RevisionFailedError } from "../../src/migrate.ts"
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
beforeEach(async () => {
  await databases.reset()
  for (const name of ["libsql-http", "libsql-embedded"] as const)
    await target(name).engine("r6v-reset").execute(text("DROP VIEW IF EXISTS r6v_names"))
})
afterAll(() => databases.stop())

const target = (name: TargetName): Target => databases.targets.find((t) => t.name === name) as Target

const rows = async (engine: Engine, sql: string) =>
  (await engine.execute(text(sql))).all().map((r) => [...r].map((v) => (v === null ? null : String(v))))

const base = defineRevision({
  id: "a6e000000001",
  parent: null,
  message: "people and a view over them",
  upgrade(op) {
    op.execute("CREATE TABLE r6v_people (id INTEGER PRIMARY KEY, name TEXT, nick TEXT)")
    op.execute("CREATE VIEW r6v_names AS SELECT id, name FROM r6v_people")
    op.execute("INSERT INTO r6v_people VALUES (1, 'ann', 'a'), (2, 'bob', NULL)")
  },
  downgrade() {},
})

/** A revision adding the trigger, and one dropping r6v_people.nick after it (a rebuild). */
function revisions(trigger: string): [Revision, Revision] {
  const add = defineRevision({
    id: "a6e000000002",
    parent: base.id,
    message: "a trigger on the view",
    upgrade: (op) => op.execute(trigger),
    downgrade() {},
  })
  const drop = defineRevision({
    id: "a6e000000003",
    parent: add.id,
    message: "drop nick",
    upgrade: (op) => op.dropColumn("r6v_people", "nick"),
    downgrade() {},
  })
  return [add, drop]
}

const schemaText = (engine: Engine) =>
  rows(engine, "SELECT type, name, sql FROM sqlite_master WHERE name LIKE 'r6v%' ORDER BY name")
const people = (engine: Engine) => rows(engine, "SELECT id, name FROM r6v_people ORDER BY id")

describe.each(["libsql-http", "libsql-embedded"] satisfies TargetName[])("SQLite rebuilds on %s", (name) => {
  it.each([
    [
      "INSERT, naming the column in its insert",
      "CREATE TRIGGER r6v_names_add INSTEAD OF INSERT ON r6v_names BEGIN INSERT INTO r6v_people (id, name, nick) VALUES (NEW.id, NEW.name, 'new'); END",
      "INSERT INTO r6v_names VALUES (3, 'cy')",
    ],
    [
      "UPDATE, setting the column",
      "CREATE TRIGGER r6v_names_set INSTEAD OF UPDATE ON r6v_names BEGIN UPDATE r6v_people SET name = NEW.name, nick = NULL WHERE id = OLD.id; END",
      "UPDATE r6v_names SET name = 'al' WHERE id = 1",
    ],
    [
      "UPDATE OF a column, setting the dropped one (quoted names)",
      'CREATE TRIGGER "r6v names set" INSTEAD OF UPDATE OF "name" ON "r6v_names" BEGIN UPDATE r6v_people SET "nick" = NEW.name WHERE id = OLD.id; END',
      "UPDATE r6v_names SET name = 'al' WHERE id = 1",
    ],
  ])("refuses to drop a column used by an INSTEAD OF %s trigger, naming it", async (_, trigger, write) => {
    const engine = target(name).engine("r6v-broken")
    const [add, drop] = revisions(trigger)
    const migrator = new Migrator(engine, { revisions: [base, add, drop] })
    await migrator.upgrade(add.id)
    const before = [await schemaText(engine), await people(engine)]

    const error = await migrator.upgrade().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(RevisionFailedError)
    const message = (error as Error).message
    expect(message).toContain(trigger.includes('"r6v names set"') ? "r6v names set" : "r6v_names_")
    expect(message).toMatch(/no such column|has no column named nick/)
    expect(message).toContain('op.execute("DROP TRIGGER ...")')
    expect(await migrator.current()).toEqual([add.id])
    expect([await schemaText(engine), await people(engine)]).toEqual(before)
    // The write to the view that fires it works, as it did before the revision.
    await engine.execute(text(write))
  })

  it("goes through when the view's triggers do not use what changes, and they still work", async () => {
    const engine = target(name).engine("r6v-kept")
    const [add, drop] = revisions(
      "CREATE TRIGGER r6v_names_add INSTEAD OF INSERT ON r6v_names BEGIN INSERT INTO r6v_people (id, name) VALUES (NEW.id, NEW.name); END",
    )
    const alsoDelete = defineRevision({
      id: "a6e000000004",
      parent: drop.id,
      message: "a delete trigger, then name not null (a rebuild)",
      upgrade(op) {
        op.execute(
          "CREATE TRIGGER r6v_names_remove INSTEAD OF DELETE ON r6v_names BEGIN DELETE FROM r6v_people WHERE id = OLD.id; END",
        )
        op.alterColumn("r6v_people", "name", { nullable: false })
      },
      downgrade() {},
    })
    const migrator = new Migrator(engine, { revisions: [base, add, drop, alsoDelete] })
    await migrator.upgrade()
    expect(await migrator.current()).toEqual([alsoDelete.id])
    await engine.execute(text("INSERT INTO r6v_names VALUES (3, 'cy')"))
    await engine.execute(text("DELETE FROM r6v_names WHERE id = 2"))
    expect(await people(engine)).toEqual([
      ["1", "ann"],
      ["3", "cy"],
    ])
    expect(await rows(engine, "SELECT name FROM sqlite_master WHERE name LIKE '_edgealchemy%'")).toEqual([])
  })
})
