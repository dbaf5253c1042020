// The blog's revision 91831570c695 gives users, posts and comments SQLite's AUTOINCREMENT (their ids
// leave the database: tokens, URLs, the audit log, idempotent replays). On SQLite it rebuilds them,
// and the tables referencing them, with rows: every row, id and the hand-made unique index on
// lower(username) must come through upgrade, downgrade and upgrade again, and afterwards a deleted
// post's id is not given to the next post. Before it (and on the old models), SQLite gave it again.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"
import { revisions } from "../../migrations/index.ts"
import { AsyncSession, type Engine, text } from "../../src/index.ts"
import { Migrator } from "../../src/migrate.ts"
import { Post, registry } from "../../worker/models/index.ts"
import {
  type MigrationDatabases,
  migrationDatabases,
  type Target,
  type TargetName,
} from "../migrate/databases.ts"

const BEFORE = "8b47bb32eb4a"

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
  (await engine.execute(text(sql))).all().map((row) => [...row].map((v) => `${v}`))

/** Every row of the blog's tables, as stored. */
async function contents(engine: Engine): Promise<Record<string, string[][]>> {
  const tables = ["users", "posts", "comments", "tags", "post_tags", "audit_logs"]
  return Object.fromEntries(
    await Promise.all(
      tables.map(async (t) => [t, await rows(engine, `SELECT rowid, * FROM ${t} ORDER BY rowid`)] as const),
    ),
  )
}

const NOW = "'2026-12-07T10:00:00.000Z'"

describe.each(["libsql-http", "libsql-embedded"] satisfies TargetName[])("on %s", (name) => {
  it("rebuilds the tables with their rows; ids are not given again after it", async () => {
    const engine = target(name).engine("r6a-blog")
    const migrator = new Migrator(engine, { revisions })
    await migrator.upgrade(BEFORE)
    await run(
      engine,
      `INSERT INTO users (id, username, email, password_hash, bio, created_at, is_active) VALUES (1, 'ann', 'ann@x.io', 'h', NULL, ${NOW}, 1), (2, 'bob', 'bob@x.io', 'h', 'hi', ${NOW}, 0), (3, 'cy', 'cy@x.io', 'h', NULL, ${NOW}, 1)`,
      `INSERT INTO posts (id, title, title_folded, content, published, created_at, updated_at, version, user_id) VALUES (1, 'One', 'one', 'a', 1, ${NOW}, ${NOW}, 1, 1), (2, 'Two', NULL, 'b', 0, ${NOW}, ${NOW}, 3, 2), (3, 'Three', 'three', 'c', 1, ${NOW}, ${NOW}, 1, 1)`,
      `INSERT INTO comments (id, content, created_at, user_id, post_id) VALUES (5, 'c5', ${NOW}, 2, 1), (7, 'c7', ${NOW}, 1, 3)`,
      "INSERT INTO tags (id, name) VALUES (1, 'edge'), (2, 'sql')",
      "INSERT INTO post_tags (post_id, tag_id) VALUES (1, 2), (3, 1), (1, 1)",
      `INSERT INTO audit_logs (entity_type, entity_id, action, timestamp) VALUES ('Post', 3, 'create', ${NOW}), ('User', 3, 'create', ${NOW})`,
      // The newest user deleted before the revision: its token may live on for a day.
      "DELETE FROM users WHERE id = 3",
    )
    const before = await contents(engine)

    await migrator.upgrade()
    expect(await contents(engine)).toEqual(before)
    expect(await migrator.compare(registry.metadata)).toEqual([])
    for (const table of ["users", "posts", "comments"])
      expect((await rows(engine, `SELECT sql FROM sqlite_master WHERE name = '${table}'`))[0]?.[0]).toMatch(
        /^CREATE TABLE \w+ \(id INTEGER PRIMARY KEY AUTOINCREMENT, /,
      )
    // The deleted user's id is not given to the next sign-up, though no row holds it any more.
    expect(
      await rows(
        engine,
        `INSERT INTO users (username, email, password_hash, created_at, is_active) VALUES ('dee', 'dee@x.io', 'h', ${NOW}, 1) RETURNING id`,
      ),
    ).toEqual([["4"]])
    await run(engine, "DELETE FROM users WHERE id = 4")
    const refused = await run(
      engine,
      `INSERT INTO users (username, email, password_hash, created_at, is_active) VALUES ('ANN', 'a2@x.io', 'h', ${NOW}, 1)`,
    ).catch((e: unknown) => e)
    expect((refused as Error).message).toMatch(/UNIQUE constraint failed/)

    // The last post deleted: the next post the worker's models write takes 4, not 3 again.
    await run(engine, "DELETE FROM posts WHERE id = 3")
    {
      await using session = new AsyncSession(engine)
      const post = new Post({ title: "Four", content: "d", userId: 1 })
      session.add(post)
      await session.commit()
      expect(post.id).toBe(4)
    }
    await run(engine, "DELETE FROM posts WHERE id = 4")
    const after = await contents(engine)

    await migrator.downgrade(BEFORE)
    expect(await contents(engine)).toEqual(after)
    expect((await rows(engine, "SELECT sql FROM sqlite_master WHERE name = 'posts'"))[0]?.[0]).toMatch(
      /^CREATE TABLE posts \(id INTEGER PRIMARY KEY, /,
    )
    await migrator.upgrade()
    expect(await contents(engine)).toEqual(after)
    expect(await migrator.compare(registry.metadata)).toEqual([])
    expect(
      await rows(engine, "SELECT name FROM sqlite_master WHERE name = 'uq_users_username_lower'"),
    ).toEqual([["uq_users_username_lower"]])
  })
})

describe("on PostgreSQL", () => {
  it("runs the revision with rows and changes none of them", async () => {
    const engine = target("neon-http").engine("r6a-blog-pg")
    const migrator = new Migrator(engine, { revisions })
    await migrator.upgrade(BEFORE)
    const users = await rows(
      engine,
      `INSERT INTO users (username, email, password_hash, created_at, is_active) VALUES ('ann', 'ann@x.io', 'h', ${NOW}, true), ('bob', 'bob@x.io', 'h', ${NOW}, true) RETURNING id`,
    )
    const [, newest] = users.map((row) => row[0])
    await run(
      engine,
      `INSERT INTO audit_logs (entity_type, entity_id, action, timestamp) SELECT 'User', id, 'create', ${NOW} FROM users`,
      `DELETE FROM users WHERE id = ${newest}`,
    )
    const before = await rows(engine, "SELECT id, username FROM users ORDER BY id")
    await migrator.upgrade()
    expect(await rows(engine, "SELECT id, username FROM users ORDER BY id")).toEqual(before)
    expect(await migrator.compare(registry.metadata)).toEqual([])
    const next = await rows(
      engine,
      `INSERT INTO users (username, email, password_hash, created_at, is_active) VALUES ('cy', 'cy@x.io', 'h', ${NOW}, true) RETURNING id`,
    )
    expect(Number(next[0]?.[0])).toBe(Number(newest) + 1)
    await migrator.downgrade(BEFORE)
    await migrator.upgrade()
  })
})
