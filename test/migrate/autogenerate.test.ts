// Autogenerate between two versions of the blog models, over rows: added and removed tables and
// columns, changed types, nullability and defaults, indexes, unique and foreign-key constraints. The
// written revision upgrades to the new models and downgrades back to the old ones exactly (a compare
// after each finds nothing), and a dropped column next to an added one is flagged as a maybe-rename.
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import {
  Boolean,
  column,
  DateTime,
  Enum,
  func,
  Integer,
  index,
  MetaData,
  Numeric,
  String,
  Text,
  table,
  text,
} from "../../src/index.ts"
import type { Change } from "../../src/migrate.ts"
import { registry } from "./blog-models.ts"
import { type MigrationDatabases, migrationDatabases, type TargetName } from "./databases.ts"
import { type RevisionFolder, revisionFolder } from "./revision-folder.ts"

let databases: MigrationDatabases
const folders: RevisionFolder[] = []
beforeAll(async () => {
  databases = await migrationDatabases()
})
afterAll(async () => {
  await databases.stop()
  for (const folder of folders) folder.remove()
})

/** The blog models, next version: what a developer changed since the first revision. */
function nextModels(): MetaData {
  const metadata = new MetaData()
  table(
    "users",
    {
      id: column(Integer, { primaryKey: true }),
      username: column(String(50), { unique: true, index: true }),
      email: column(String(150), { unique: true }), // longer
      nickname: column(String(30), { nullable: true }), // added; bio removed
      created_at: column(DateTime, { serverDefault: func.now() }),
      is_active: column(Boolean, { serverDefault: false }), // default changed
    },
    { metadata },
  )
  table(
    "posts",
    {
      id: column(Integer, { primaryKey: true }),
      title: column(String(200), { index: true }), // indexed
      content: column(Text, { nullable: true }), // now nullable
      status: column(Enum("draft", "published"), { serverDefault: "draft" }),
      rating: column(Numeric(4, 2), { nullable: true }),
      user_id: column(Integer, { foreignKey: { references: "users.id", onDelete: "CASCADE" } }),
    },
    { metadata }, // ix_posts_user_status dropped
  )
  table(
    "comments",
    {
      id: column(Integer, { primaryKey: true }),
      content: column(Text),
      post_id: column(Integer, { foreignKey: { references: "posts.id", onDelete: "CASCADE" } }),
      // The foreign key now sets NULL when its user goes.
      user_id: column(Integer, {
        nullable: true,
        foreignKey: { references: "users.id", onDelete: "SET NULL" },
      }),
    },
    { metadata },
  )
  table("tags", { id: column(Integer, { primaryKey: true }), name: column(String(50)) }, { metadata }) // no longer unique
  table(
    "post_tags",
    {
      post_id: column(Integer, {
        primaryKey: true,
        foreignKey: { references: "posts.id", onDelete: "CASCADE" },
      }),
      tag_id: column(Integer, {
        primaryKey: true,
        foreignKey: { references: "tags.id", onDelete: "CASCADE" },
      }),
    },
    { metadata },
  )
  // audit_log dropped; likes added.
  table(
    "likes",
    {
      user_id: column(Integer, { primaryKey: true, foreignKey: "users.id" }),
      post_id: column(Integer, { primaryKey: true, foreignKey: "posts.id" }),
    },
    { metadata, indexes: [index("ix_likes_post", ["post_id"])] },
  )
  return metadata
}

const describeChange = (change: Change) =>
  change.upgrade.map(
    (op) =>
      `${op.kind} ${"table" in op ? op.table : ""}${"name" in op ? ` ${op.name}` : ""}${op.kind === "dropColumn" || op.kind === "alterColumn" ? ` ${op.column}` : ""}${op.kind === "addColumn" ? ` ${op.column.name}` : ""}`,
  )

describe.each(["neon-http", "libsql-http"] satisfies TargetName[])("autogenerate on %s", (name) => {
  it("writes a revision that moves between two model versions and back, over rows", async () => {
    const target = databases.targets.find((t) => t.name === name)
    if (!target) throw new Error(name)
    const engine = target.engine(`autogen-${name}`)
    const folder = revisionFolder(engine)
    folders.push(folder)
    const { migrator } = folder
    const write = (metadata: MetaData, message: string) => folder.write(metadata, message)
    await write(registry.metadata, "blog")
    await migrator().upgrade()
    await engine.execute(text("INSERT INTO users (id, username, email) VALUES (1, 'ann', 'ann@example.com')"))
    await engine.execute(
      text("INSERT INTO posts (id, title, content, user_id) VALUES (1, 'hello', 'text', 1)"),
    )
    await engine.execute(
      text("INSERT INTO comments (id, content, post_id, user_id) VALUES (1, 'nice', 1, 1)"),
    )

    const next = nextModels()
    const second = await write(next, "next models")
    const described = second.changes.flatMap(describeChange)
    expect(described).toEqual(
      expect.arrayContaining([
        "createTable likes",
        "createIndex likes ix_likes_post",
        "dropTable audit_log",
        "addColumn users nickname",
        "dropColumn users bio",
        "alterColumn users email",
        "alterColumn users is_active",
        "alterColumn posts content",
        "createIndex posts ix_posts_title",
        "dropIndex posts ix_posts_user_status",
        "dropConstraint tags uq_tags_name",
        "dropConstraint comments fk_comments_user_id_users",
        "createForeignKey comments",
      ]),
    )
    expect(described).toHaveLength(13)
    const bio = second.changes.find((c) => c.upgrade.some((op) => op.kind === "dropColumn"))
    expect(bio?.comment).toContain(
      'if it was renamed to nickname, use op.alterColumn("users", "bio", { newName }) instead',
    )

    await migrator().upgrade()
    expect(await migrator().compare(next)).toEqual([])
    const rows = async () => ({
      users: (await engine.execute(text("SELECT id, username FROM users")))
        .all()
        .map((r) => [Number(r[0]), r[1]]),
      comments: (await engine.execute(text("SELECT id, user_id FROM comments")))
        .all()
        .map((r) => r.map(Number)),
    })
    expect(await rows()).toEqual({ users: [[1, "ann"]], comments: [[1, 1]] })

    await migrator().downgrade("-1")
    expect(await migrator().compare(registry.metadata)).toEqual([])
    expect(await rows()).toEqual({ users: [[1, "ann"]], comments: [[1, 1]] })
    await migrator().downgrade("base")
  })
})
