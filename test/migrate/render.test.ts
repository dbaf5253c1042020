// The SQL operations render to on each dialect, and what the revision writer writes: no database.
import { describe, expect, it } from "vitest"
import { postgresql, sqlite } from "../../src/index.ts"
import { comparableDefault, readDefault, stripped } from "../../src/migrate/defaults.ts"
import { renderOperation } from "../../src/migrate/render.ts"
import type { DatabaseSchema, TableSchema } from "../../src/migrate/schema.ts"
import { tableConstraints } from "../../src/migrate/sqlite-table-sql.ts"
import { canonicalType, typeSource } from "../../src/migrate/types.ts"
import {
  defineRevision,
  func,
  Integer,
  literalColumn,
  Migrator,
  type Operation,
  String,
  writeRevision,
} from "../../src/migrate.ts"

const column = (name: string, type: string, extra: Partial<TableSchema["columns"][number]> = {}) => ({
  name,
  type,
  nullable: false,
  default: undefined,
  autoincrement: false,
  ...extra,
})

const users: TableSchema = {
  name: "users",
  columns: [column("id", "INTEGER", { autoincrement: true }), column("name", "VARCHAR(50)")],
  primaryKey: ["id"],
  foreignKeys: [],
  uniques: [],
  checks: [],
  indexes: [{ name: "ix_users_name", columns: ["name"], unique: false }],
}
const posts: TableSchema = {
  name: "posts",
  columns: [column("id", "INTEGER", { autoincrement: true }), column("user_id", "INTEGER")],
  primaryKey: ["id"],
  foreignKeys: [
    {
      name: "fk_posts_user",
      columns: ["user_id"],
      referencedTable: "users",
      referencedColumns: ["id"],
      onDelete: "CASCADE",
    },
  ],
  uniques: [],
  checks: [],
  indexes: [],
}
const schema: DatabaseSchema = new Map([
  ["users", users],
  ["posts", posts],
])
const alter: Operation = {
  kind: "alterColumn",
  table: "users",
  column: "name",
  changes: { type: String(100), nullable: true, default: "anon" },
}

describe("alterColumn", () => {
  it("is ALTER TABLE in place on PostgreSQL, one statement per change", () => {
    // The old default goes before the type changes (ALTER TYPE would cast it, and may not be able to).
    expect(renderOperation(alter, schema, postgresql)).toEqual([
      'ALTER TABLE "users" ALTER COLUMN "name" DROP DEFAULT',
      // A value the new length would cut fails the revision, naming it (render-postgres.ts valuesKeptGuard).
      expect.stringMatching(
        /^DO \$edgealchemy\$ .*"name"::text IS DISTINCT FROM "name"::VARCHAR\(100\)::text/,
      ),
      'ALTER TABLE "users" ALTER COLUMN "name" TYPE VARCHAR(100)',
      'ALTER TABLE "users" ALTER COLUMN "name" DROP NOT NULL',
      `ALTER TABLE "users" ALTER COLUMN "name" SET DEFAULT 'anon'`,
    ])
  })

  it("rebuilds on SQLite, taking the tables that reference it along so no row is cascaded or orphaned", () => {
    expect(renderOperation(alter, schema, sqlite)).toEqual([
      "PRAGMA defer_foreign_keys = ON",
      "CREATE TABLE _edgealchemy_copy_users AS SELECT id AS c0, name AS c1 FROM users",
      "CREATE TABLE _edgealchemy_copy_posts AS SELECT id AS c0, user_id AS c1 FROM posts",
      "DROP TABLE posts",
      "DROP TABLE users",
      "CREATE TABLE users (id INTEGER PRIMARY KEY, name VARCHAR(100) DEFAULT 'anon')",
      "CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL, CONSTRAINT fk_posts_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE)",
      "INSERT INTO users (id, name) SELECT c0, c1 FROM _edgealchemy_copy_users",
      "INSERT INTO posts (id, user_id) SELECT c0, c1 FROM _edgealchemy_copy_posts",
      `SELECT json('foreign key broken in ' || "table") FROM (SELECT "table" FROM pragma_foreign_key_check('users') UNION ALL SELECT "table" FROM pragma_foreign_key_check('posts')) WHERE (SELECT foreign_keys FROM pragma_foreign_keys) = 1`,
      "PRAGMA defer_foreign_keys = OFF",
      "DROP TABLE _edgealchemy_copy_users",
      "DROP TABLE _edgealchemy_copy_posts",
      "CREATE INDEX ix_users_name ON users (name)",
      "SELECT count(*) FROM sqlite_master v JOIN pragma_table_info(v.name) WHERE v.type = 'view' AND (v.sql LIKE '%users%' OR v.sql LIKE '%posts%')",
      // Renaming a table makes SQLite parse every trigger; neither table has one to compile by a write.
      "CREATE TABLE _edgealchemy_trigger_check (x)",
      "ALTER TABLE _edgealchemy_trigger_check RENAME TO _edgealchemy_trigger_check_renamed",
      "DROP TABLE _edgealchemy_trigger_check_renamed",
    ])
  })

  it("renames in place on SQLite when renaming is all it does", () => {
    const rename: Operation = {
      kind: "alterColumn",
      table: "users",
      column: "name",
      changes: { newName: "full_name" },
    }
    expect(renderOperation(rename, schema, sqlite)).toEqual([
      "ALTER TABLE users RENAME COLUMN name TO full_name",
    ])
  })
})

it("points the referencing tables' foreign keys at a key column a SQLite rebuild renames", () => {
  const renameKey: Operation = {
    kind: "alterColumn",
    table: "users",
    column: "id",
    changes: { newName: "user_id", type: "INTEGER" },
  }
  const statements = renderOperation(renameKey, schema, sqlite)
  expect(statements).toContain(
    "CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL, CONSTRAINT fk_posts_user FOREIGN KEY (user_id) REFERENCES users (user_id) ON DELETE CASCADE)",
  )
  expect(statements).toContain("INSERT INTO users (user_id, name) SELECT c0, c1 FROM _edgealchemy_copy_users")
})

it("adds a nullable column in place on SQLite, and rebuilds for a NOT NULL one without default", () => {
  const nullable: Operation = {
    kind: "addColumn",
    table: "posts",
    column: { name: "note", type: "TEXT", nullable: true },
  }
  expect(renderOperation(nullable, schema, sqlite)).toEqual(["ALTER TABLE posts ADD COLUMN note TEXT"])
  const required: Operation = { kind: "addColumn", table: "posts", column: { name: "rank", type: Integer } }
  expect(renderOperation(required, schema, sqlite)[0]).toBe("PRAGMA defer_foreign_keys = ON")
})

it("writes bulk inserts with escaped literals in each dialect's spelling", () => {
  const insert: Operation = {
    kind: "bulkInsert",
    table: "users",
    rows: [{ id: 1, name: "O'Brien", active: true }],
  }
  // On PostgreSQL, identity and serial sequences then move past the keys given.
  expect(renderOperation(insert, schema, postgresql)).toEqual([
    `INSERT INTO "users" ("id", "name", "active") VALUES (1, 'O''Brien', true)`,
    expect.stringMatching(
      /^DO \$edgealchemy\$ .*ARRAY\['id', 'name', 'active'\].*pg_get_serial_sequence\('"users"', c\)/,
    ),
  ])
  expect(renderOperation(insert, schema, sqlite)).toEqual([
    "INSERT INTO users (id, name, active) VALUES (1, 'O''Brien', 1)",
  ])
})

it("writes a readable revision with the reviewer's checks as comments", () => {
  const source = writeRevision({
    id: "0123456789ab",
    parent: "ba9876543210",
    message: "rename?",
    importFrom: "edgealchemy/migrate",
    changes: [
      {
        upgrade: [{ kind: "dropColumn", table: "users", column: "bio" }],
        downgrade: [
          { kind: "addColumn", table: "users", column: { name: "bio", type: "TEXT", nullable: true } },
        ],
        comment: 'Column "users.bio" is not in the models',
      },
      { upgrade: [alter], downgrade: [{ ...alter, changes: { type: String(50) } } as Operation] },
    ],
  })
  expect(source).toBe(`// rename?
//
// Revision 0123456789ab, after ba9876543210.
// Written by autogenerate: review it (renames show as a drop and an add) before applying.
import { defineRevision, String, Text } from "edgealchemy/migrate"

export default defineRevision({
  id: "0123456789ab",
  parent: "ba9876543210",
  message: "rename?",
  upgrade(op) {
    // CHECK: Column "users.bio" is not in the models
    op.dropColumn("users", "bio")
    op.alterColumn("users", "name", { type: String(100), nullable: true, default: "anon" })
  },
  downgrade(op) {
    op.alterColumn("users", "name", { type: String(50) })
    op.addColumn("users", { name: "bio", type: Text, nullable: true })
  },
})
`)
})

it("reads constraint names and CHECK conditions from SQLite's CREATE TABLE text", () => {
  const sql = `CREATE TABLE "t" (id INTEGER PRIMARY KEY, "a,b" TEXT DEFAULT 'x,(y', CONSTRAINT "uq t" UNIQUE ("a,b"), CONSTRAINT ck_t CHECK (length("a,b") > 0 AND id IN (1, 2)), FOREIGN KEY (id) REFERENCES o (id))`
  expect(tableConstraints(sql)).toEqual([
    { kind: "unique", name: "uq t", body: '"a,b"' },
    { kind: "check", name: "ck_t", body: 'length("a,b") > 0 AND id IN (1, 2)' },
    { kind: "foreign_key", name: undefined, body: "id" },
  ])
})

it("compares types and defaults as the databases give them back", () => {
  expect(canonicalType("character varying(50)")).toBe("VARCHAR(50)")
  expect(canonicalType("numeric(10,2)")).toBe("NUMERIC(10, 2)")
  expect(typeSource("TIMESTAMP WITH TIME ZONE")).toBe("DateTime")
  expect(typeSource("tsvector")).toBe('"TSVECTOR"')
  expect(stripped("'draft'::character varying")).toBe("'draft'")
  // A number column's quoted number is its number; a text column's stays text.
  expect(comparableDefault("'-1'::integer", "INTEGER")).toBe(comparableDefault("-1", "INTEGER"))
  expect(comparableDefault("'-1'::text", "TEXT")).toBe("'-1'")
  expect(stripped("(now())")).toBe("now()")
  expect(readDefault("'it''s'::text", "TEXT")).toBe("it's")
  expect(readDefault("1", "BOOLEAN")).toBe(true)
  expect(readDefault("'-1'::integer", "INTEGER")).toBe(-1)
  expect(readDefault("now()", "TIMESTAMP WITH TIME ZONE")).toEqual(func.now())
  expect(readDefault("strftime('%Y-%m-%d %H:%M:%f', 'now')", "DATETIME")).toEqual(func.now())
  expect(readDefault("CURRENT_DATE", "DATE")).toEqual(literalColumn("CURRENT_DATE"))
})

it("names the revision whose operations cannot be rendered, before sending anything", async () => {
  const broken = defineRevision({
    id: "0badc0de0001",
    parent: null,
    message: "alters a table it never made",
    upgrade: (op) => op.dropColumn("ghosts", "name"),
    downgrade() {},
  })
  const sql = new Migrator(sqlite, { revisions: [broken] }).sql("upgrade", "head")
  await expect(sql).rejects.toThrow(
    'Revision 0badc0de0001 ("alters a table it never made") cannot upgrade, nothing was sent: Table "ghosts" is not in the database',
  )
})

it("prints a SQLite rebuild offline from a revision, against the schema the earlier revisions build", async () => {
  const first = defineRevision({
    id: "0ff11e000001",
    parent: null,
    message: "users",
    upgrade: (op) =>
      op.createTable("users", [
        { name: "id", type: Integer, primaryKey: true, autoincrement: true },
        { name: "name", type: String(50), nullable: true },
      ]),
    downgrade: (op) => op.dropTable("users"),
  })
  const second = defineRevision({
    id: "0ff11e000002",
    parent: "0ff11e000001",
    message: "names required",
    upgrade: (op) => op.alterColumn("users", "name", { nullable: false, default: "anon" }),
    downgrade: (op) => op.alterColumn("users", "name", { nullable: true, default: null }),
  })
  const lines = await new Migrator(sqlite, { revisions: [first, second] }).sql(
    "upgrade",
    "head",
    "0ff11e000001",
  )
  expect(lines).toContain("-- upgrade 0ff11e000002: names required")
  expect(lines).toContain(
    "CREATE TABLE users (id INTEGER PRIMARY KEY, name VARCHAR(50) NOT NULL DEFAULT 'anon');",
  )
  expect(lines).not.toContain("-- upgrade 0ff11e000001: users")
})
