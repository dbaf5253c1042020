// A SQLite rebuild writes the table again from what edgealchemy's DDL can say. A hand-written table
// may say more, and the rebuild dropped it silently: STRICT typing, a foreign key DEFERRABLE
// INITIALLY DEFERRED (the app's transactions that write children before parents then fail), and ON
// CONFLICT clauses (UNIQUE ON CONFLICT REPLACE, which turns a duplicate insert into a replacement).
// Such a rebuild is now refused before anything is sent, as for generated columns; what ALTER TABLE
// does in place (adding a nullable column) still applies.
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { text } from "../../src/index.ts"
import { defineRevision, Integer, Migrator, String } from "../../src/migrate.ts"
import { type MigrationDatabases, migrationDatabases, type TargetName } from "./databases.ts"

let databases: MigrationDatabases
beforeAll(async () => {
  databases = await migrationDatabases()
})
afterAll(() => databases.stop())

const tables = defineRevision({
  id: "5a1e00000001",
  parent: null,
  message: "hand-written tables",
  upgrade(op) {
    op.execute("CREATE TABLE mg2_strict (id INTEGER PRIMARY KEY, note TEXT) STRICT")
    op.execute("CREATE TABLE mg2_owners (id INTEGER PRIMARY KEY, note TEXT)")
    op.execute(
      "CREATE TABLE mg2_pets (id INTEGER PRIMARY KEY, owner_id INTEGER REFERENCES mg2_owners (id) DEFERRABLE INITIALLY DEFERRED)",
    )
    op.execute(
      "CREATE TABLE mg2_codes (id INTEGER PRIMARY KEY, code TEXT, UNIQUE (code) ON CONFLICT REPLACE)",
    )
    op.execute("INSERT INTO mg2_strict VALUES (1, 'a')")
    op.execute("INSERT INTO mg2_owners VALUES (1, 'ann')")
    op.execute("INSERT INTO mg2_pets VALUES (1, 1)")
    op.execute("INSERT INTO mg2_codes VALUES (1, 'x')")
  },
  downgrade(op) {
    for (const table of ["mg2_codes", "mg2_pets", "mg2_owners", "mg2_strict"]) op.dropTable(table)
  },
})

const change = (id: string, table: string) =>
  defineRevision({
    id,
    parent: "5a1e00000001",
    message: `a rebuild of ${table}`,
    upgrade: (op) => op.alterColumn(table, table === "mg2_codes" ? "code" : "note", { type: String(40) }),
    downgrade: () => {},
  })

describe.each(["libsql-http", "libsql-embedded"] satisfies TargetName[])("on %s", (name) => {
  it("refuses a rebuild that would drop STRICT, a deferred foreign key or ON CONFLICT, naming it", async () => {
    const target = databases.targets.find((t) => t.name === name)
    if (!target) throw new Error(name)
    const engine = target.engine(`refusals-${name}`)
    const revisions = [
      tables,
      change("5a1e00000002", "mg2_strict"),
      change("5a1e00000003", "mg2_owners"),
      change("5a1e00000004", "mg2_codes"),
      defineRevision({
        id: "5a1e00000005",
        parent: "5a1e00000001",
        message: "a nullable column, in place",
        upgrade: (op) => op.addColumn("mg2_strict", { name: "extra", type: Integer, nullable: true }),
        downgrade: () => {},
      }),
    ]
    const migrator = new Migrator(engine, { revisions })
    await migrator.upgrade("5a1e00000001")
    for (const [revision, lost] of [
      ["5a1e00000002", "Changing mg2_strict rebuilds table mg2_strict, which would lose STRICT"],
      [
        "5a1e00000003",
        "Changing mg2_owners rebuilds table mg2_pets, which would lose a foreign key's DEFERRABLE INITIALLY DEFERRED",
      ],
      ["5a1e00000004", "Changing mg2_codes rebuilds table mg2_codes, which would lose an ON CONFLICT clause"],
    ] as const) {
      const error = await migrator.upgrade(revision).catch((e: unknown) => e)
      expect((error as Error).message).toContain("nothing was sent")
      expect((error as Error).message).toContain(lost)
    }
    expect(await migrator.current()).toEqual(["5a1e00000001"])
    await migrator.upgrade("5a1e00000005")
    const strict = await engine.execute(text("SELECT sql FROM sqlite_master WHERE name = 'mg2_strict'"))
    expect(strict.scalar()).toMatch(/\) STRICT$/)
    // Still deferred: a child may come before its parent inside one transaction.
    const connection = engine.connect()
    try {
      await connection.batch([
        text("INSERT INTO mg2_pets VALUES (2, 2)"),
        text("INSERT INTO mg2_owners VALUES (2, 'bob')"),
      ])
    } finally {
      await connection.close()
    }
    expect((await engine.execute(text("SELECT count(*) FROM mg2_pets"))).scalar()).toBe(2n)
  })
})
