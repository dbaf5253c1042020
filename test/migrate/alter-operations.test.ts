// Every alter operation, one revision each, applied over rows that must survive it: on PostgreSQL
// (ALTER TABLE in place) and on SQLite (native ALTER where it can, table rebuilds elsewhere). After
// each step the rows are all there, children still reference their parents, and the foreign keys
// still refuse a dangling row; then every step is undone, checking the same again.
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { IntegrityError, text } from "../../src/index.ts"
import {
  defineRevision,
  Integer,
  Migrator,
  type Operations,
  type Revision,
  String,
  Text,
} from "../../src/migrate.ts"
import { type MigrationDatabases, migrationDatabases, type TargetName } from "./databases.ts"

let databases: MigrationDatabases
beforeAll(async () => {
  databases = await migrationDatabases()
})
afterAll(() => databases.stop())

const steps: [string, (op: Operations) => void, (op: Operations) => void][] = [
  [
    "add a nullable column",
    (op) => op.addColumn("users", { name: "bio", type: Text, nullable: true }),
    (op) => op.dropColumn("users", "bio"),
  ],
  [
    "add a NOT NULL column with a default",
    (op) => op.addColumn("users", { name: "score", type: Integer, default: 0 }),
    (op) => op.dropColumn("users", "score"),
  ],
  [
    "change a type",
    (op) => op.alterColumn("users", "name", { type: String(100) }),
    (op) => op.alterColumn("users", "name", { type: String(50) }),
  ],
  [
    "make a column NOT NULL",
    (op) => op.alterColumn("users", "age", { nullable: false }),
    (op) => op.alterColumn("users", "age", { nullable: true }),
  ],
  [
    "set a default",
    (op) => op.alterColumn("users", "age", { default: 18 }),
    (op) => op.alterColumn("users", "age", { default: null }),
  ],
  [
    "rename a column",
    (op) => op.alterColumn("users", "bio", { newName: "about" }),
    (op) => op.alterColumn("users", "about", { newName: "bio" }),
  ],
  [
    "rename a column and change its type together",
    (op) => op.alterColumn("users", "name", { newName: "display_name", type: String(120) }),
    (op) => op.alterColumn("users", "display_name", { newName: "name", type: String(100) }),
  ],
  [
    "add a unique constraint",
    (op) => op.createUniqueConstraint("uq_users_display_name", "users", ["display_name"]),
    (op) => op.dropConstraint("uq_users_display_name", "users"),
  ],
  [
    "add a check constraint",
    (op) => op.createCheckConstraint("ck_users_age", "users", "age >= 0"),
    (op) => op.dropConstraint("ck_users_age", "users"),
  ],
  [
    "add a column and a foreign key on it",
    (op) => {
      op.addColumn("posts", { name: "editor_id", type: Integer, nullable: true })
      op.createForeignKey("fk_posts_editor_id_users", "posts", "users", ["editor_id"], ["id"], {
        onDelete: "SET NULL",
      })
      // Every later rebuild of users must keep these: dropping users with rows would SET NULL them.
      op.execute("UPDATE posts SET editor_id = 2")
    },
    (op) => {
      op.dropConstraint("fk_posts_editor_id_users", "posts")
      op.dropColumn("posts", "editor_id")
    },
  ],
  [
    "create an index",
    (op) => op.createIndex("ix_users_age", "users", ["age"]),
    (op) => op.dropIndex("ix_users_age", "users"),
  ],
  [
    "drop a column",
    (op) => op.dropColumn("users", "score"),
    (op) => op.addColumn("users", { name: "score", type: Integer, default: 0 }),
  ],
  [
    "rename the parent table",
    (op) => op.renameTable("users", "members"),
    (op) => op.renameTable("members", "users"),
  ],
]

const EDITOR_STEP = steps.findIndex(([message]) => message === "add a column and a foreign key on it")

const initial = defineRevision({
  id: "000000000001",
  parent: null,
  message: "users and posts with rows",
  upgrade(op) {
    op.createTable("users", [
      { name: "id", type: Integer, primaryKey: true, autoincrement: true },
      { name: "name", type: String(50) },
      { name: "age", type: Integer, nullable: true },
    ])
    op.createIndex("ix_users_name", "users", ["name"])
    op.createTable(
      "posts",
      [
        { name: "id", type: Integer, primaryKey: true, autoincrement: true },
        { name: "user_id", type: Integer },
        { name: "title", type: String(100) },
      ],
      {
        foreignKeys: [
          { columns: ["user_id"], referencedTable: "users", referencedColumns: ["id"], onDelete: "CASCADE" },
        ],
      },
    )
    op.bulkInsert("users", [
      { id: 1, name: "ann", age: 31 },
      { id: 2, name: "bob", age: 42 },
      { id: 3, name: "cy", age: 27 },
    ])
    op.bulkInsert("posts", [
      { id: 1, user_id: 1, title: "first" },
      { id: 2, user_id: 1, title: "second" },
      { id: 3, user_id: 2, title: "third" },
      { id: 4, user_id: 3, title: "it's fourth" },
    ])
  },
  downgrade(op) {
    op.dropTable("posts")
    op.dropTable("users")
  },
})

const revisions: Revision[] = [
  initial,
  ...steps.map(([message, upgrade, downgrade], i) =>
    defineRevision({
      id: `${i + 2}`.padStart(12, "0"),
      parent: `${i + 1}`.padStart(12, "0"),
      message,
      upgrade,
      downgrade,
    }),
  ),
]

describe.each(["neon-http", "libsql-http", "libsql-embedded"] satisfies TargetName[])(
  "alter operations on %s",
  (name) => {
    it("keeps every row and foreign key through each operation and its undoing", async () => {
      const target = databases.targets.find((t) => t.name === name)
      if (!target) throw new Error(name)
      const engine = target.engine(`alter-${name}`)
      const migrator = new Migrator(engine, { revisions })
      const usersTable = (applied: number) => (applied > steps.length ? "members" : "users")

      const expectRowsIntact = async (applied: number, context: string) => {
        const users = usersTable(applied)
        const userIds = (await engine.execute(text(`SELECT id FROM ${users} ORDER BY id`)))
          .all()
          .map((r) => Number(r[0]))
        const posts = (await engine.execute(text("SELECT id, user_id, title FROM posts ORDER BY id"))).all()
        expect(userIds, context).toEqual([1, 2, 3])
        expect(
          posts.map((r) => [Number(r[0]), Number(r[1]), r[2]]),
          context,
        ).toEqual([
          [1, 1, "first"],
          [2, 1, "second"],
          [3, 2, "third"],
          [4, 3, "it's fourth"],
        ])
        if (applied >= EDITOR_STEP + 2) {
          const edited = await engine.execute(text("SELECT count(*) FROM posts WHERE editor_id = 2"))
          expect(Number(edited.scalar()), `${context}: editors kept`).toBe(4)
        }
        await expect(
          engine.execute(text("INSERT INTO posts (id, user_id, title) VALUES (99, 99, 'orphan')")),
          `${context}: the foreign key still refuses a dangling row`,
        ).rejects.toBeInstanceOf(IntegrityError)
      }

      await migrator.upgrade("+1")
      await expectRowsIntact(1, "initial")
      for (let i = 0; i < steps.length; i++) {
        const events = await migrator.upgrade("+1")
        expect(events.map((e) => e.message)).toEqual([steps[i]?.[0]])
        await expectRowsIntact(i + 2, `after "${steps[i]?.[0]}"`)
      }
      for (let i = steps.length - 1; i >= 0; i--) {
        await migrator.downgrade("-1")
        await expectRowsIntact(i + 1, `after undoing "${steps[i]?.[0]}"`)
      }
      // The cascade survived every rebuild: deleting a user takes its posts.
      await engine.execute(text("DELETE FROM users WHERE id = 1"))
      expect(Number((await engine.execute(text("SELECT count(*) FROM posts"))).scalar())).toBe(2)
      await migrator.downgrade("base")
    })
  },
)

describe.each(["libsql-http", "libsql-embedded"] satisfies TargetName[])("SQLite rebuilds on %s", (name) => {
  it("keep the rows of a self-referencing table whose foreign key cascades, and its triggers", async () => {
    const target = databases.targets.find((t) => t.name === name)
    if (!target) throw new Error(name)
    const engine = target.engine(`self-${name}`)
    const tree = defineRevision({
      id: "5e1f00000001",
      parent: null,
      message: "a tree",
      upgrade(op) {
        op.createTable(
          "categories",
          [
            { name: "id", type: Integer, primaryKey: true },
            { name: "parent_id", type: Integer, nullable: true },
            { name: "name", type: Text },
          ],
          {
            foreignKeys: [
              {
                columns: ["parent_id"],
                referencedTable: "categories",
                referencedColumns: ["id"],
                onDelete: "CASCADE",
              },
            ],
          },
        )
        op.execute(
          "CREATE TRIGGER trg_categories_upper AFTER INSERT ON categories BEGIN UPDATE categories SET name = upper(name) WHERE id = NEW.id; END",
        )
        // Children before their parent in rowid order: the copy back must not check row by row.
        op.bulkInsert("categories", [
          { id: 1, parent_id: 3, name: "leaf" },
          { id: 2, parent_id: 3, name: "leaf 2" },
          { id: 3, parent_id: null, name: "root" },
        ])
      },
      downgrade: (op) => op.dropTable("categories"),
    })
    const constrained = defineRevision({
      id: "5e1f00000002",
      parent: "5e1f00000001",
      message: "names not empty",
      upgrade: (op) => op.createCheckConstraint("ck_categories_name", "categories", "length(name) > 0"),
      downgrade: (op) => op.dropConstraint("ck_categories_name", "categories"),
    })
    const migrator = new Migrator(engine, { revisions: [tree, constrained] })
    const rows = async () =>
      (await engine.execute(text("SELECT id, parent_id FROM categories ORDER BY id")))
        .all()
        .map((r) => r.map((v) => (v === null ? null : Number(v))))
    const tree3 = [
      [1, 3],
      [2, 3],
      [3, null],
    ]
    await migrator.upgrade()
    expect(await rows()).toEqual(tree3)
    await expect(
      engine.execute(text("INSERT INTO categories (id, name) VALUES (4, '')")),
    ).rejects.toBeInstanceOf(IntegrityError)
    // The trigger came back with the rebuilt table.
    await engine.execute(text("INSERT INTO categories (id, parent_id, name) VALUES (4, 3, 'shout')"))
    const shouted = await engine.execute(text("SELECT name FROM categories WHERE id = 4"))
    expect(shouted.scalar()).toBe("SHOUT")
    await engine.execute(text("DELETE FROM categories WHERE id = 4"))
    await migrator.downgrade("-1")
    expect(await rows()).toEqual(tree3)
    await migrator.downgrade("base")
  })
})
