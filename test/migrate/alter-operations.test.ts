// Every alter operation, one revision each, applied over rows that must survive it: on PostgreSQL
// (ALTER TABLE in place) and on SQLite (native ALTER where it can, table rebuilds elsewhere). After
// each step the rows are all there, children still reference their parents, and the foreign keys
// still refuse a dangling row; then every step is undone, checking the same again.
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { IntegrityError, text } from "../../src/index.ts"
import {
  BigInteger,
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

describe.each(["libsql-http", "libsql-embedded"] satisfies TargetName[])(
  "SQLite rebuilds of awkward names on %s",
  (name) => {
    it("copy a referencing table column for column, columns named true and false, a CHECK on any", async () => {
      const target = databases.targets.find((t) => t.name === name)
      if (!target) throw new Error(name)
      const engine = target.engine(`awkward-${name}`)
      const schema = defineRevision({
        id: "a3c000000001",
        parent: null,
        message: "awkward names",
        upgrade(op) {
          op.createTable("owners", [
            { name: "id", type: Integer, primaryKey: true },
            { name: "name", type: Text },
          ])
          // The referencing table has a column of the renamed one's new name, and of its old.
          op.createTable(
            "items",
            [
              { name: "id", type: Integer, primaryKey: true },
              { name: "owner_id", type: Integer },
              { name: "title", type: Text },
              { name: "name", type: Text },
              { name: "true", type: Integer },
              { name: "false", type: Integer },
              { name: "any", type: Integer },
              { name: "a,b)", type: Integer, nullable: true },
            ],
            {
              foreignKeys: [{ columns: ["owner_id"], referencedTable: "owners", referencedColumns: ["id"] }],
              checks: [{ name: "ck_items_any", sql: "any >= 0" }],
              uniques: [{ name: "uq_items_ab", columns: ["a,b)"] }],
            },
          )
          op.bulkInsert("owners", [{ id: 1, name: "ada" }])
          op.bulkInsert("items", [
            { id: 1, owner_id: 1, title: "Hello", name: "item-name", true: 10, false: 20, any: 3 },
          ])
        },
        downgrade(op) {
          op.dropTable("items")
          op.dropTable("owners")
        },
      })
      const renamed = defineRevision({
        id: "a3c000000002",
        parent: "a3c000000001",
        message: "rename owners.name to title",
        upgrade: (op) => op.alterColumn("owners", "name", { newName: "title", type: String(100) }),
        downgrade: (op) => op.alterColumn("owners", "title", { newName: "name", type: Text }),
      })
      const dropped = defineRevision({
        id: "a3c000000003",
        parent: "a3c000000002",
        message: "drop items.any",
        upgrade: (op) => op.dropColumn("items", "any"),
        downgrade: (op) => op.addColumn("items", { name: "any", type: Integer, nullable: true }),
      })
      // The rebuilds above kept the name of a constraint whose column's name holds a comma.
      const unnamed = defineRevision({
        id: "a3c000000004",
        parent: "a3c000000003",
        message: "drop the unique constraint",
        upgrade: (op) => op.dropConstraint("uq_items_ab", "items"),
        downgrade: (op) => op.createUniqueConstraint("uq_items_ab", "items", ["a,b)"]),
      })
      const migrator = new Migrator(engine, { revisions: [schema, renamed, dropped, unnamed] })
      const item = async () =>
        (await engine.execute(text('SELECT title, name, "true", "false" FROM items')))
          .all()
          .map((r) => [...r])
      const row = [["Hello", "item-name", 10n, 20n]]
      await migrator.upgrade("+2")
      expect(await item()).toEqual(row)
      await migrator.upgrade()
      expect(await item()).toEqual(row)
      await migrator.downgrade("-3")
      expect(await item()).toEqual(row)
      await migrator.downgrade("base")
    })
  },
)

describe.each(["libsql-http", "libsql-embedded"] satisfies TargetName[])(
  "SQLite rebuilds that would lose hand-written features on %s",
  (name) => {
    it("are refused before anything is sent, naming the table and what it would lose", async () => {
      const target = databases.targets.find((t) => t.name === name)
      if (!target) throw new Error(name)
      const engine = target.engine(`beyond-ddl-${name}`)
      const schema = defineRevision({
        id: "b0dd00000001",
        parent: null,
        message: "hand-written tables",
        upgrade(op) {
          op.execute("CREATE TABLE parents (id INTEGER PRIMARY KEY, note TEXT)")
          op.execute(
            "CREATE TABLE kids (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parents(id), qty INTEGER, " +
              "twice INTEGER GENERATED ALWAYS AS (qty * 2) STORED)",
          )
          op.execute("CREATE INDEX ix_kids_positive ON kids (qty) WHERE qty > 0")
          op.execute("INSERT INTO parents VALUES (1, NULL)")
          op.execute("INSERT INTO kids (id, parent_id, qty) VALUES (1, 1, 3)")
        },
        downgrade(op) {
          op.execute("DROP TABLE kids")
          op.execute("DROP TABLE parents")
        },
      })
      const change = defineRevision({
        id: "b0dd00000002",
        parent: "b0dd00000001",
        message: "a NOT NULL note",
        upgrade: (op) => op.alterColumn("parents", "note", { nullable: false, default: "" }),
        downgrade: (op) => op.alterColumn("parents", "note", { nullable: true }),
      })
      const migrator = new Migrator(engine, { revisions: [schema, change] })
      await migrator.upgrade("+1")
      await expect(migrator.upgrade()).rejects.toThrow(
        "Changing parents rebuilds table kids, which would lose a generated column: SQLite cannot ALTER this",
      )
      const kids = await engine.execute(text("SELECT id, twice FROM kids"))
      expect(kids.all().map((r) => r.map(Number))).toEqual([[1, 6]])
      expect(await migrator.current()).toEqual(["b0dd00000001"])
      await migrator.downgrade("base")
    })
  },
)

describe.each(["libsql-http", "libsql-embedded"] satisfies TargetName[])(
  "SQLite rebuilds of hand-written schemas on %s",
  (name) => {
    it("rebuild the tables whose foreign keys name the table in another case, or name no columns", async () => {
      const target = databases.targets.find((t) => t.name === name)
      if (!target) throw new Error(name)
      const engine = target.engine(`hand-written-${name}`)
      // Written by hand or by another tool: SQLite matches `Parent` and `PARENT` to `parent`, and a
      // foreign key with no column list to its primary key.
      const adopted = defineRevision({
        id: "4a4d00000001",
        parent: null,
        message: "an adopted schema",
        upgrade(op) {
          op.execute("CREATE TABLE parent (id INTEGER PRIMARY KEY, v TEXT)")
          op.execute(
            "CREATE TABLE child_cascade (id INTEGER PRIMARY KEY, pid INTEGER REFERENCES Parent(ID) ON DELETE CASCADE)",
          )
          op.execute(
            "CREATE TABLE child_set_null (id INTEGER PRIMARY KEY, pid INTEGER REFERENCES PARENT ON DELETE SET NULL)",
          )
          op.execute("INSERT INTO parent VALUES (1, 'a'), (2, 'b')")
          op.execute("INSERT INTO child_cascade VALUES (10, 1), (11, 2)")
          op.execute("INSERT INTO child_set_null VALUES (20, 1), (21, 2)")
        },
        downgrade(op) {
          for (const table of ["child_set_null", "child_cascade", "parent"]) op.dropTable(table)
        },
      })
      // NOT NULL is a rebuild: parent is dropped and created again, and its children with it.
      const rebuilt = defineRevision({
        id: "4a4d00000002",
        parent: "4a4d00000001",
        message: "v required",
        upgrade: (op) => op.alterColumn("parent", "v", { nullable: false }),
        downgrade: (op) => op.alterColumn("parent", "v", { nullable: true }),
      })
      const migrator = new Migrator(engine, { revisions: [adopted, rebuilt] })
      const children = async () =>
        (
          await engine.execute(
            text(
              "SELECT id, pid FROM child_cascade UNION ALL SELECT id, pid FROM child_set_null ORDER BY id",
            ),
          )
        )
          .all()
          .map((row) => row.map((v) => (v === null ? null : Number(v))))
      const all = [
        [10, 1],
        [11, 2],
        [20, 1],
        [21, 2],
      ]
      await migrator.upgrade()
      expect(await children()).toEqual(all)
      await migrator.downgrade("-1")
      expect(await children()).toEqual(all)
      await migrator.upgrade()
      // The foreign keys came back with their actions.
      await engine.execute(text("DELETE FROM parent WHERE id = 1"))
      expect(await children()).toEqual([
        [11, 2],
        [20, null],
        [21, 2],
      ])
      await migrator.downgrade("base")
    })

    it("drop a column with its CHECK, and follow a renamed column into a CHECK", async () => {
      const target = databases.targets.find((t) => t.name === name)
      if (!target) throw new Error(name)
      const engine = target.engine(`checks-${name}`)
      const items = defineRevision({
        id: "c4ec00000001",
        parent: null,
        message: "items",
        upgrade(op) {
          op.createTable("items", [
            { name: "id", type: Integer, primaryKey: true },
            { name: "qty", type: Integer },
            { name: "kind", type: String(10) },
          ])
          op.createCheckConstraint("ck_items_qty", "items", "qty >= 0")
          op.createCheckConstraint("ck_items_kind", "items", "kind IN ('a', 'b')")
          op.bulkInsert("items", [{ id: 1, qty: 2, kind: "a" }])
        },
        downgrade: (op) => op.dropTable("items"),
      })
      // Both are rebuilds on SQLite: the CREATE TABLE they write must not name a column that is gone.
      const changed = defineRevision({
        id: "c4ec00000002",
        parent: "c4ec00000001",
        message: "quantity, no kind",
        upgrade(op) {
          op.alterColumn("items", "qty", { newName: "quantity", type: BigInteger })
          op.dropColumn("items", "kind")
        },
        downgrade(op) {
          op.addColumn("items", { name: "kind", type: String(10), default: "a" })
          op.createCheckConstraint("ck_items_kind", "items", "kind IN ('a', 'b')")
          op.alterColumn("items", "quantity", { newName: "qty", type: Integer })
        },
      })
      const migrator = new Migrator(engine, { revisions: [items, changed] })
      await migrator.upgrade()
      const rows = await engine.execute(text("SELECT id, quantity FROM items"))
      expect(rows.all().map((row) => row.map(Number))).toEqual([[1, 2]])
      await expect(
        engine.execute(text("INSERT INTO items (id, quantity) VALUES (2, -1)")),
      ).rejects.toBeInstanceOf(IntegrityError)
      await migrator.downgrade("-1")
      await expect(
        engine.execute(text("INSERT INTO items (id, qty, kind) VALUES (2, 1, 'c')")),
      ).rejects.toBeInstanceOf(IntegrityError)
      await migrator.downgrade("base")
    })
  },
)
