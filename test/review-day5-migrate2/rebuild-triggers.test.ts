// Triggers a SQLite rebuild breaks. A rebuild drops its table and creates it again: CREATE TRIGGER does
// not look at the columns a trigger uses, and a trigger on another table is left as it is, so a trigger
// using a column the rebuild dropped (or renamed along with another change) went through and failed
// only when it fired: the next write to its table failed. SQLite's own ALTER TABLE DROP COLUMN refuses
// this. Now the revision fails and rolls back, naming the trigger and saying to drop it in the
// revision first and create it again after; a trigger dropped so (even one on the rebuilt table, which
// the rebuild writes again) and created anew goes through, and unbroken triggers, views and their text
// are as they were.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"
import { type Engine, String as StringType, text } from "../../src/index.ts"
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
    await target(name).engine("r5n-reset").execute(text("DROP VIEW IF EXISTS r5n_named"))
})
afterAll(() => databases.stop())

const target = (name: TargetName): Target => databases.targets.find((t) => t.name === name) as Target

const rows = async (engine: Engine, sql: string) =>
  (await engine.execute(text(sql))).all().map((r) => [...r].map((v) => (v === null ? null : String(v))))

const base = defineRevision({
  id: "a5f1c0000001",
  parent: null,
  message: "people, a log, and triggers",
  upgrade(op) {
    op.execute("CREATE TABLE r5n_people (id INTEGER PRIMARY KEY, name TEXT, nick TEXT)")
    op.execute("CREATE TABLE r5n_log (what TEXT)")
    op.execute("CREATE TABLE r5n_visits (person_id INTEGER, at TEXT)")
    op.execute("CREATE VIEW r5n_named AS SELECT id, name FROM r5n_people")
    // Uses no column a revision below drops: must keep working, its text as written.
    op.execute(
      "CREATE TRIGGER r5n_named_log AFTER INSERT ON r5n_people BEGIN INSERT INTO r5n_log VALUES ('named ' || NEW.name); END",
    )
    op.execute("INSERT INTO r5n_people VALUES (1, 'ann', 'a'), (2, 'bob', NULL)")
  },
  downgrade() {},
})

const next = (id: string, upgrade: Revision["upgrade"]): Revision =>
  defineRevision({ id, parent: base.id, message: id, upgrade, downgrade() {} })

/** A revision that adds one trigger, then another that drops r5n_people.nick (a rebuild). */
function breaking(id: number, trigger: string): [Revision, Revision] {
  const add = defineRevision({
    id: `a5f1c00001${id}0`,
    parent: base.id,
    message: "a trigger",
    upgrade(op) {
      op.execute(trigger)
    },
    downgrade() {},
  })
  const drop = defineRevision({
    id: `a5f1c00001${id}1`,
    parent: add.id,
    message: "drop nick",
    upgrade(op) {
      op.dropColumn("r5n_people", "nick")
    },
    downgrade() {},
  })
  return [add, drop]
}

const schemaText = (engine: Engine) =>
  rows(engine, "SELECT type, name, sql FROM sqlite_master WHERE name LIKE 'r5n%' ORDER BY name")

describe.each(["libsql-http", "libsql-embedded"] satisfies TargetName[])("SQLite rebuilds on %s", (name) => {
  it.each([
    [
      "on the rebuilt table, using NEW.nick",
      "CREATE TRIGGER r5n_nick_log AFTER INSERT ON r5n_people BEGIN INSERT INTO r5n_log VALUES (NEW.nick); END",
      "INSERT INTO r5n_people (id, name) VALUES (3, 'cy')",
    ],
    [
      "on another table, reading the column",
      "CREATE TRIGGER r5n_nick_log AFTER INSERT ON r5n_visits BEGIN INSERT INTO r5n_log SELECT nick FROM r5n_people WHERE id = NEW.person_id; END",
      "INSERT INTO r5n_visits VALUES (1, 'today')",
    ],
    [
      "on another table, setting the column",
      "CREATE TRIGGER r5n_nick_log AFTER INSERT ON r5n_visits BEGIN UPDATE r5n_people SET nick = NEW.at WHERE id = NEW.person_id; END",
      "INSERT INTO r5n_visits VALUES (1, 'today')",
    ],
    [
      "on another table, on UPDATE OF a column, setting it",
      'CREATE TRIGGER "r5n nick log" AFTER UPDATE OF at ON r5n_visits BEGIN UPDATE "R5N_PEOPLE" SET "nick" = NULL; END',
      "UPDATE r5n_visits SET at = 'x'",
    ],
  ])("refuses to drop a column a trigger %s, naming it, and writes still work", async (_, trigger, write) => {
    const engine = target(name).engine("r5n-triggers")
    const [add, drop] = breaking(1, trigger)
    const migrator = new Migrator(engine, { revisions: [base, add, drop] })
    await migrator.upgrade(add.id)
    const before = await schemaText(engine)

    const error = await migrator.upgrade().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(RevisionFailedError)
    const message = (error as Error).message
    expect(message).toContain(trigger.includes('"r5n nick log"') ? "r5n nick log" : "r5n_nick_log")
    expect(message).toContain("no such column")
    expect(message).toContain('op.execute("DROP TRIGGER ...")')
    expect(await migrator.current()).toEqual([add.id])
    expect(await schemaText(engine)).toEqual(before)
    // The write that fires it works, as it did before the revision.
    await engine.execute(text(write))
  })

  it("refuses a rename in a rebuild that a trigger on another table uses", async () => {
    const engine = target(name).engine("r5n-triggers-rename")
    const add = next("a5f1c0000201", (op) =>
      op.execute(
        "CREATE TRIGGER r5n_visit_names AFTER INSERT ON r5n_visits BEGIN INSERT INTO r5n_log SELECT nick FROM r5n_people WHERE id = NEW.person_id; END",
      ),
    )
    const rename = defineRevision({
      id: "a5f1c0000202",
      parent: add.id,
      message: "rename and retype",
      upgrade: (op) => op.alterColumn("r5n_people", "nick", { newName: "nickname", type: StringType(80) }),
      downgrade() {},
    })
    const migrator = new Migrator(engine, { revisions: [base, add, rename] })
    await migrator.upgrade(add.id)
    const error = await migrator.upgrade().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(RevisionFailedError)
    expect((error as Error).message).toContain("trigger r5n_visit_names no longer compiles")
    expect(await migrator.current()).toEqual([add.id])
    await engine.execute(text("INSERT INTO r5n_visits VALUES (1, 'now')"))
    expect(await rows(engine, "SELECT what FROM r5n_log WHERE what = 'a'")).toEqual([["a"]])
  })

  it("goes through once the revision drops the trigger first and creates it anew after", async () => {
    const engine = target(name).engine("r5n-triggers-mended")
    const on =
      "CREATE TRIGGER r5n_nick_log AFTER INSERT ON r5n_people BEGIN INSERT INTO r5n_log VALUES (NEW.nick); END"
    const elsewhere =
      "CREATE TRIGGER r5n_visit_nick AFTER INSERT ON r5n_visits BEGIN UPDATE r5n_people SET nick = NEW.at WHERE id = NEW.person_id; END"
    const add = next("a5f1c0000301", (op) => {
      op.execute(on)
      op.execute(elsewhere)
    })
    const mended = defineRevision({
      id: "a5f1c0000302",
      parent: add.id,
      message: "drop nick, with its triggers",
      upgrade(op) {
        // One on the rebuilt table (the rebuild would write it again) and one elsewhere.
        op.execute("DROP TRIGGER r5n_nick_log")
        op.execute('DROP TRIGGER IF EXISTS "r5n_visit_nick";')
        op.dropColumn("r5n_people", "nick")
        op.execute(
          "CREATE TRIGGER r5n_nick_log AFTER INSERT ON r5n_people BEGIN INSERT INTO r5n_log VALUES ('nick-less ' || NEW.name); END",
        )
      },
      downgrade() {},
    })
    const migrator = new Migrator(engine, { revisions: [base, add, mended] })
    await migrator.upgrade(add.id)
    const untouched =
      "SELECT sql FROM sqlite_master WHERE name IN ('r5n_named', 'r5n_named_log', 'r5n_log', 'r5n_visits') ORDER BY name"
    const before = await rows(engine, untouched)
    await migrator.upgrade()
    expect(await migrator.current()).toEqual([mended.id])
    await engine.execute(text("INSERT INTO r5n_people (id, name) VALUES (3, 'cy')"))
    await engine.execute(text("INSERT INTO r5n_visits VALUES (1, 'today')"))
    expect(await rows(engine, "SELECT what FROM r5n_log ORDER BY what")).toEqual([
      ["named ann"],
      ["named bob"],
      ["named cy"],
      ["nick-less cy"],
    ])
    expect(await rows(engine, "SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY name")).toEqual(
      [["r5n_named_log"], ["r5n_nick_log"]],
    )
    // The guard's scratch table is gone; the other objects' text is as written (no rewriting).
    expect(await rows(engine, untouched)).toEqual(before)
    expect(await rows(engine, "SELECT name FROM sqlite_master WHERE name LIKE '_edgealchemy%'")).toEqual([])
    expect(await rows(engine, "SELECT id, name FROM r5n_named ORDER BY id")).toEqual([
      ["1", "ann"],
      ["2", "bob"],
      ["3", "cy"],
    ])
  })
})
