// A column's type changed on SQLite is a rebuild: the rows are copied into the new table, and SQLite
// converts each value to the new column's affinity without an error. Text made NUMERIC (a String amount
// made Numeric(30, 10), as autogenerate writes it) kept 15 significant digits: 12345678901234567890.123
// became 1.23456789012346e+19 and the revision went through. So did a REAL made text (0.1 + 0.2 became
// '0.3') and a big integer made a REAL. PostgreSQL's same revision fails naming a value (its rounding
// guard); SQLite's now does too, after the copy, and rolls back whole. Values that convert exactly
// ('1.10', '007', text that is no number) still go through.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"
import { text } from "../../src/index.ts"
import {
  BigInteger,
  defineRevision,
  Float,
  Integer,
  Migrator,
  Numeric,
  String,
  Text,
} from "../../src/migrate.ts"
import { type MigrationDatabases, migrationDatabases, type TargetName } from "../migrate/databases.ts"

let databases: MigrationDatabases
beforeAll(async () => {
  databases = await migrationDatabases()
})
beforeEach(() => databases.reset())
afterAll(() => databases.stop())

const created = defineRevision({
  id: "d8n000000001",
  parent: null,
  message: "ledger",
  upgrade(op) {
    op.createTable("d8n_ledger", [
      { name: "id", type: Integer, primaryKey: true },
      { name: "amount", type: String(40), nullable: true },
      { name: "ratio", type: Float, nullable: true },
      { name: "big", type: BigInteger, nullable: true },
    ])
  },
  downgrade(op) {
    op.dropTable("d8n_ledger")
  },
})

const changes = {
  "text made NUMERIC": {
    change: defineRevision({
      id: "d8n000000002",
      parent: "d8n000000001",
      message: "amount is a number",
      upgrade: (op) => op.alterColumn("d8n_ledger", "amount", { type: Numeric(30, 10) }),
      downgrade: (op) => op.alterColumn("d8n_ledger", "amount", { type: String(40) }),
    }),
    rows: "INSERT INTO d8n_ledger (id, amount) VALUES (1, '1.10'), (2, '12345678901234567890.123'), (3, 'n/a')",
    refused:
      "Changing d8n_ledger.amount to NUMERIC(30, 10) would change its values (12345678901234567890.123 would become 1.2345678901234567e+19), which SQLite does without an error",
    column: "amount",
    exact:
      "INSERT INTO d8n_ledger (id, amount) VALUES (1, '1.10'), (2, '007'), (3, 'n/a'), (4, '-2.5e3'), (5, NULL)",
    after: [["1.1"], ["7"], ["n/a"], ["-2500"], ["null"]],
  },
  "a REAL made text": {
    change: defineRevision({
      id: "d8n000000003",
      parent: "d8n000000001",
      message: "ratio as text",
      upgrade: (op) => op.alterColumn("d8n_ledger", "ratio", { type: Text }),
      downgrade: (op) => op.alterColumn("d8n_ledger", "ratio", { type: Float }),
    }),
    rows: "INSERT INTO d8n_ledger (id, ratio) VALUES (1, 1.5), (2, 0.1 + 0.2)",
    refused:
      "Changing d8n_ledger.ratio to TEXT would change its values (0.30000000000000004 would become 0.3), which SQLite does without an error",
    column: "ratio",
    exact: "INSERT INTO d8n_ledger (id, ratio) VALUES (1, 1.5), (2, 0.25)",
    after: [["1.5"], ["0.25"]],
  },
  "a big integer made REAL": {
    change: defineRevision({
      id: "d8n000000004",
      parent: "d8n000000001",
      message: "big as a float",
      upgrade: (op) => op.alterColumn("d8n_ledger", "big", { type: Float }),
      downgrade: (op) => op.alterColumn("d8n_ledger", "big", { type: BigInteger }),
    }),
    rows: "INSERT INTO d8n_ledger (id, big) VALUES (1, 5), (2, 9007199254740993)",
    refused:
      "Changing d8n_ledger.big to REAL would change its values (9007199254740993 would become 9007199254740992.0), which SQLite does without an error",
    column: "big",
    exact: "INSERT INTO d8n_ledger (id, big) VALUES (1, 5), (2, 9007199254740992)",
    after: [["5.0"], ["9.00719925474099e+15"]],
  },
}

describe.each(["libsql-http", "libsql-embedded"] satisfies TargetName[])("on %s", (name) => {
  it.each(Object.keys(changes))("%s: a value that would change fails the revision", async (which) => {
    const { change, rows, refused, column } = changes[which as keyof typeof changes]
    const engine = (databases.targets.find((t) => t.name === name) ?? { engine: () => undefined }).engine(
      "d8n",
    )
    if (!engine) throw new Error(name)
    await new Migrator(engine, { revisions: [created] }).upgrade()
    await engine.execute(text(rows))
    const before = (
      await engine.execute(text(`SELECT id, ${column}, typeof(${column}) FROM d8n_ledger ORDER BY id`))
    ).all()
    const failed = await new Migrator(engine, { revisions: [created, change] })
      .upgrade()
      .catch((e: Error) => e)
    expect((failed as Error).message).toContain(refused)
    expect(await new Migrator(engine, { revisions: [created, change] }).current()).toEqual(["d8n000000001"])
    expect(
      (
        await engine.execute(text(`SELECT id, ${column}, typeof(${column}) FROM d8n_ledger ORDER BY id`))
      ).all(),
    ).toEqual(before)
  })

  it.each(Object.keys(changes))("%s: values that convert exactly go through", async (which) => {
    const { change, exact, column, after } = changes[which as keyof typeof changes]
    const engine = (databases.targets.find((t) => t.name === name) ?? { engine: () => undefined }).engine(
      "d8n",
    )
    if (!engine) throw new Error(name)
    await new Migrator(engine, { revisions: [created] }).upgrade()
    await engine.execute(text(exact))
    await new Migrator(engine, { revisions: [created, change] }).upgrade()
    expect(
      (await engine.execute(text(`SELECT CAST(${column} AS TEXT) FROM d8n_ledger ORDER BY id`)))
        .all()
        .map(([v]) => [v === null ? "null" : v]),
    ).toEqual(after)
  })
})

describe.each(["libsql-http", "libsql-embedded"] satisfies TargetName[])(
  "a table whose key is no rowid, on %s",
  (name) => {
    it("is checked through the rowid it copies", async () => {
      const engine = (databases.targets.find((t) => t.name === name) ?? { engine: () => undefined }).engine(
        "d8n-keyed",
      )
      if (!engine) throw new Error(name)
      const keyed = defineRevision({
        id: "d8n000000011",
        parent: null,
        message: "codes",
        upgrade: (op) =>
          op.createTable("d8n_codes", [
            { name: "code", type: String(10), primaryKey: true },
            { name: "amount", type: Text, nullable: true },
          ]),
        downgrade: (op) => op.dropTable("d8n_codes"),
      })
      const numeric = defineRevision({
        id: "d8n000000012",
        parent: "d8n000000011",
        message: "amount a number",
        upgrade: (op) => op.alterColumn("d8n_codes", "amount", { type: Numeric(40, 20) }),
        downgrade: (op) => op.alterColumn("d8n_codes", "amount", { type: Text }),
      })
      await new Migrator(engine, { revisions: [keyed] }).upgrade()
      await engine.execute(
        text("INSERT INTO d8n_codes (code, amount) VALUES ('a', '2.5'), ('b', '0.1000000000000000055511')"),
      )
      const failed = await new Migrator(engine, { revisions: [keyed, numeric] })
        .upgrade()
        .catch((e: Error) => e)
      expect((failed as Error).message).toContain(
        "Changing d8n_codes.amount to NUMERIC(40, 20) would change its values (0.1000000000000000055511 would become 0.10000000000000001)",
      )
    })
  },
)
