// SQLite gives a deleted row's id to the next insert: an INTEGER PRIMARY KEY without AUTOINCREMENT takes
// max(rowid) + 1, so deleting the last post and writing a new one hands the new post the old id (an
// audit log, a cache, a URL or another service holding it then meets another row). SQLAlchemy's answer
// is the table option sqlite_autoincrement=True; edgealchemy's is `sqliteAutoincrement: true`, end to
// end: createAll writes AUTOINCREMENT on SQLite (and nothing else on PostgreSQL, whose identity never
// gives a number twice), introspection reads it, autogenerate reports it gained or lost, the revision
// writes it, and a rebuild keeps it and its sqlite_sequence number (DROP TABLE deletes that number, and
// copying the rows back would set it to their highest id: the deleted tail's ids would come back).
// A rebuild of a table with AUTOINCREMENT was refused before ("would lose AUTOINCREMENT").
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"
import {
  column,
  createStatements,
  type Engine,
  Integer,
  MetaData,
  model,
  postgresql,
  Registry,
  sqlite,
  table,
  text,
  String as Varchar,
} from "../../src/index.ts"
import {
  type MigrationDatabases,
  migrationDatabases,
  type Target,
  type TargetName,
} from "../migrate/databases.ts"
import { revisionFolder } from "../migrate/revision-folder.ts"

function blog(options: { autoincrement: boolean; nameNullable?: boolean }): MetaData {
  const metadata = new MetaData()
  const sqliteAutoincrement = options.autoincrement
  table(
    "r6a_users",
    {
      id: column(Integer, { primaryKey: true }),
      name: column(Varchar(40), { nullable: options.nameNullable === true }),
    },
    { metadata, sqliteAutoincrement },
  )
  table(
    "r6a_posts",
    {
      id: column(Integer, { primaryKey: true }),
      user_id: column(Integer, { foreignKey: { references: "r6a_users.id", onDelete: "CASCADE" } }),
    },
    { metadata, sqliteAutoincrement },
  )
  return metadata
}

const sqlOf = (metadata: MetaData, dialect: typeof postgresql | typeof sqlite) =>
  createStatements(metadata, dialect).map((statement) => statement.compile(dialect).sql)

describe("the option in models and DDL", () => {
  it("writes AUTOINCREMENT on SQLite and the identity alone on PostgreSQL", () => {
    expect(sqlOf(blog({ autoincrement: true }), sqlite).slice(0, 2)).toEqual([
      "CREATE TABLE IF NOT EXISTS r6a_users (id INTEGER PRIMARY KEY AUTOINCREMENT, name VARCHAR(40) NOT NULL)",
      "CREATE TABLE IF NOT EXISTS r6a_posts (id INTEGER PRIMARY KEY AUTOINCREMENT, user_id INTEGER NOT NULL, CONSTRAINT fk_r6a_posts_user_id_r6a_users FOREIGN KEY (user_id) REFERENCES r6a_users (id) ON DELETE CASCADE)",
    ])
    expect(sqlOf(blog({ autoincrement: true }), postgresql)).toEqual(
      sqlOf(blog({ autoincrement: false }), postgresql),
    )
  })

  it("is a model option", () => {
    const registry = new Registry()
    class Note extends model(
      "r6a_notes",
      { id: column(Integer, { primaryKey: true }), body: column(Varchar(10)) },
      { registry, sqliteAutoincrement: true },
    ) {}
    expect(Note.c.id.name).toBe("id")
    expect(sqlOf(registry.metadata, sqlite)).toEqual([
      "CREATE TABLE IF NOT EXISTS r6a_notes (id INTEGER PRIMARY KEY AUTOINCREMENT, body VARCHAR(10) NOT NULL)",
    ])
  })

  it("is a table() option, and SQLAlchemy's spelling is refused naming it", () => {
    const metadata = new MetaData()
    table("r6a_core", { id: column(Integer, { primaryKey: true }) }, {
      metadata,
      sqlite_autoincrement: true,
    } as never)
    for (const dialect of [sqlite, postgresql]) {
      expect(() => createStatements(metadata, dialect)).toThrow(
        'table "r6a_core": unknown option "sqlite_autoincrement" (did you mean sqliteAutoincrement?); it takes metadata, primaryKey, constraints, indexes, sqliteAutoincrement',
      )
    }
  })

  it("is refused where SQLite cannot take it, on both databases, naming why", () => {
    const refusal = (columns: Parameters<typeof table>[1], options: object = {}) => {
      const metadata = new MetaData()
      table("r6a_bad", columns, { metadata, sqliteAutoincrement: true, ...options })
      const messages = [sqlite, postgresql].map((dialect) => {
        try {
          createStatements(metadata, dialect)
          return "accepted"
        } catch (error) {
          return (error as Error).message
        }
      })
      expect(messages[1]).toBe(messages[0])
      return messages[0]
    }
    const needs =
      'table "r6a_bad": sqliteAutoincrement needs a primary key of one integer column the database generates, and'
    expect(refusal({ id: column(Varchar(36), { primaryKey: true }) })).toBe(
      `${needs} its key "id" is no integer: remove the option`,
    )
    expect(
      refusal({ a: column(Integer, { primaryKey: true }), b: column(Integer, { primaryKey: true }) }),
    ).toBe(`${needs} its primary key has 2 columns (a, b): remove the option`)
    expect(refusal({ id: column(Integer, { primaryKey: true, autoincrement: false }) })).toBe(
      `${needs} its key "id" says autoincrement: false: remove the option`,
    )
    expect(refusal({ v: column(Integer) })).toBe(`${needs} it has no primary key: remove the option`)
    expect(refusal({ id: column(Integer, { primaryKey: true }) }, { sqliteAutoincrement: "yes" })).toBe(
      'table "r6a_bad": sqliteAutoincrement is true or false, got "yes"',
    )
  })
})

let databases: MigrationDatabases
beforeAll(async () => {
  databases = await migrationDatabases()
})
beforeEach(() => databases.reset())
afterAll(() => databases.stop())

const target = (name: TargetName): Target => databases.targets.find((t) => t.name === name) as Target

async function run(engine: Engine, ...statements: string[]): Promise<void> {
  const connection = engine.connect()
  try {
    await connection.batch(statements.map((sql) => text(sql)))
  } finally {
    await connection.close()
  }
}

const rows = async (engine: Engine, sql: string) =>
  (await engine.execute(text(sql))).all().map((row) => [...row].map(String))

/** Inserts a row and gives its id. */
async function insert(engine: Engine, sql: string): Promise<string | undefined> {
  return (await rows(engine, `${sql} RETURNING id`))[0]?.[0]
}

describe("PostgreSQL", () => {
  it("sees nothing to change for the option", async () => {
    const engine = target("neon-http").engine("r6a-pg")
    const folder = revisionFolder(engine)
    try {
      await folder.write(blog({ autoincrement: false }), "tables")
      await folder.migrator().upgrade()
      expect(await folder.migrator().compare(blog({ autoincrement: true }))).toEqual([])
    } finally {
      folder.remove()
    }
  })
})

describe.each(["libsql-http", "libsql-embedded"] satisfies TargetName[])("SQLite on %s", (name) => {
  it("createAll's tables never give an id twice", async () => {
    const engine = target(name).engine("r6a-create")
    const connection = engine.connect()
    try {
      await connection.batch(createStatements(blog({ autoincrement: true }), sqlite))
    } finally {
      await connection.close()
    }
    expect(await insert(engine, "INSERT INTO r6a_users (name) VALUES ('a')")).toBe("1")
    await run(engine, "DELETE FROM r6a_users WHERE id = 1")
    expect(await insert(engine, "INSERT INTO r6a_users (name) VALUES ('b')")).toBe("2")
  })

  it("autogenerate gains and loses it; rebuilds keep it and the sequence; rows stay", async () => {
    const engine = target(name).engine("r6a-migrate")
    const folder = revisionFolder(engine)
    const users = "SELECT id, name FROM r6a_users ORDER BY id"
    const posts = "SELECT id, user_id FROM r6a_posts ORDER BY id"
    const created = (table: string) =>
      rows(engine, `SELECT sql FROM sqlite_master WHERE name = '${table}'`).then((r) => r[0]?.[0])
    try {
      await folder.write(blog({ autoincrement: false }), "tables")
      await folder.migrator().upgrade()
      await run(
        engine,
        "INSERT INTO r6a_users (id, name) VALUES (1, 'ann'), (2, 'bob'), (3, 'cy')",
        "INSERT INTO r6a_posts (id, user_id) VALUES (1, 1), (2, 2), (3, 3)",
        "DELETE FROM r6a_users WHERE id = 3",
      )
      // The cause: without AUTOINCREMENT the deleted user's id is given to the next one.
      expect(await insert(engine, "INSERT INTO r6a_users (name) VALUES ('dee')")).toBe("3")
      await run(engine, "DELETE FROM r6a_users WHERE id = 3")

      const gained = await folder.write(blog({ autoincrement: true }), "ids never reused")
      expect(gained.changes.map((c) => c.upgrade)).toEqual([
        [{ kind: "alterColumn", table: "r6a_users", column: "id", changes: { sqliteAutoincrement: true } }],
        [{ kind: "alterColumn", table: "r6a_posts", column: "id", changes: { sqliteAutoincrement: true } }],
      ])
      await folder.migrator().upgrade()
      expect(await created("r6a_users")).toBe(
        "CREATE TABLE r6a_users (id INTEGER PRIMARY KEY AUTOINCREMENT, name VARCHAR(40) NOT NULL)",
      )
      expect(await created("r6a_posts")).toMatch(
        /^CREATE TABLE r6a_posts \(id INTEGER PRIMARY KEY AUTOINCREMENT, /,
      )
      expect(await folder.migrator().compare(blog({ autoincrement: true }))).toEqual([])
      expect(await rows(engine, users)).toEqual([
        ["1", "ann"],
        ["2", "bob"],
      ])
      expect(await rows(engine, posts)).toEqual([
        ["1", "1"],
        ["2", "2"],
      ])
      // From now on a deleted id stays deleted.
      expect(await insert(engine, "INSERT INTO r6a_users (name) VALUES ('eve')")).toBe("3")
      expect(await insert(engine, "INSERT INTO r6a_posts (user_id) VALUES (3)")).toBe("3")
      await run(engine, "DELETE FROM r6a_users WHERE id = 3")
      expect(await rows(engine, posts)).toEqual([
        ["1", "1"],
        ["2", "2"],
      ])

      // A rebuild for another change (users.name nullable) rebuilds users and posts, which references
      // it: both keep AUTOINCREMENT and their sequence (3), so id 3 is not given again.
      const other = await folder.write(blog({ autoincrement: true, nameNullable: true }), "name optional")
      expect(other.changes.flatMap((c) => c.upgrade.map((op) => op.kind))).toEqual(["alterColumn"])
      await folder.migrator().upgrade()
      expect(
        await rows(engine, "SELECT name, seq FROM sqlite_sequence WHERE name LIKE 'r6a%' ORDER BY name"),
      ).toEqual([
        ["r6a_posts", "3"],
        ["r6a_users", "3"],
      ])
      expect(await insert(engine, "INSERT INTO r6a_users (name) VALUES ('fay')")).toBe("4")
      expect(await insert(engine, "INSERT INTO r6a_posts (user_id) VALUES (4)")).toBe("4")
      await run(engine, "DELETE FROM r6a_users WHERE id = 4")

      // Downgrade: the rebuild back keeps the sequence; then AUTOINCREMENT goes, as it came.
      await folder.migrator().downgrade(gained.id)
      expect(await insert(engine, "INSERT INTO r6a_users (name) VALUES ('gus')")).toBe("5")
      await run(engine, "DELETE FROM r6a_users WHERE id = 5")
      await folder.migrator().downgrade("-1")
      expect(await created("r6a_users")).toBe(
        "CREATE TABLE r6a_users (id INTEGER PRIMARY KEY, name VARCHAR(40) NOT NULL)",
      )
      expect(await folder.migrator().compare(blog({ autoincrement: false }))).toEqual([])
      // The numbers stay in sqlite_sequence, unused by tables without AUTOINCREMENT, for an upgrade back
      // (test/review-day8-migrate/autoincrement-downgrade.test.ts).
      expect(
        await rows(engine, "SELECT name, seq FROM sqlite_sequence WHERE name LIKE 'r6a%' ORDER BY name"),
      ).toEqual([
        ["r6a_posts", "4"],
        ["r6a_users", "5"],
      ])
      expect(await rows(engine, users)).toEqual([
        ["1", "ann"],
        ["2", "bob"],
      ])

      // And up again, to the head.
      await folder.migrator().upgrade()
      expect(await folder.migrator().compare(blog({ autoincrement: true, nameNullable: true }))).toEqual([])
      expect(await rows(engine, users)).toEqual([
        ["1", "ann"],
        ["2", "bob"],
      ])
      // Past every id AUTOINCREMENT gave before the downgrade (eve 3, fay 4, gus 5).
      expect(await insert(engine, "INSERT INTO r6a_users (name) VALUES ('hal')")).toBe("6")
      await run(engine, "DELETE FROM r6a_users WHERE id = 6")
      expect(await insert(engine, "INSERT INTO r6a_users (name) VALUES ('ivy')")).toBe("7")
    } finally {
      folder.remove()
    }
  })

  it("a hand-made AUTOINCREMENT table is read as such, and rebuilt", async () => {
    const engine = target(name).engine("r6a-hand")
    await run(
      engine,
      'CREATE TABLE r6a_users ("id" integer NOT NULL, name VARCHAR(40), PRIMARY KEY (id AUTOINCREMENT))',
      "CREATE TABLE r6a_posts (id INTEGER PRIMARY KEY AUTOINCREMENT, user_id INTEGER NOT NULL REFERENCES r6a_users (id) ON DELETE CASCADE)",
      "INSERT INTO r6a_users (name) VALUES ('a'), ('b'), ('c')",
      "DELETE FROM r6a_users WHERE id = 3",
    )
    const folder = revisionFolder(engine)
    try {
      const { changes } = await folder.write(blog({ autoincrement: true }), "name required")
      expect(changes.flatMap((c) => c.upgrade)).toEqual([
        { kind: "alterColumn", table: "r6a_users", column: "name", changes: { nullable: false } },
      ])
      await folder.migrator().upgrade()
      expect(await insert(engine, "INSERT INTO r6a_users (name) VALUES ('d')")).toBe("4")
    } finally {
      folder.remove()
    }
  })

  it("revisions refuse it on a key SQLite cannot give it to", async () => {
    const engine = target(name).engine("r6a-refuse")
    const folder = revisionFolder(engine)
    try {
      await folder.write(blog({ autoincrement: false }), "tables")
      await folder.migrator().upgrade()
    } finally {
      folder.remove()
    }
    const { Migrator, defineRevision } = await import("../../src/migrate.ts")
    const bad = defineRevision({
      id: "a6a000000001",
      parent: null,
      message: "bad",
      upgrade(op) {
        op.alterColumn("r6a_users", "name", { sqliteAutoincrement: true })
      },
      downgrade() {},
    })
    const refused = await new Migrator(engine, { revisions: [bad], versionTable: "r6a_versions" })
      .upgrade()
      .catch((e: unknown) => e)
    expect((refused as Error).message).toMatch(/sqliteAutoincrement is for the table's only key/)
  })
})
