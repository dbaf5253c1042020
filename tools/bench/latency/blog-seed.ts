// The latency benchmark's blog data: the blog's tables (from its models, as its migration creates them)
// and a fixed set of users, posts, tags, links and comments, the same in every contender's database so
// that contenders doing the same operations in the same order keep giving the same answers.
import { createAll, type Engine, insert, type Statement, text } from "../../../src/index.ts"
import { Comment, Post, postTags, registry, Tag, User } from "../../../worker/models/index.ts"
import type { Viewer } from "./blog-operations.ts"

const USERS = 40
const POSTS = 120
const COMMENTS_PER_POST = 3
/** The names a new post's tags are drawn from; a round's post also gets one tag that is new. */
export const TAG_NAMES = ["orm", "edge", "sql", "performance", "workers", "postgres", "sqlite", "drizzle"]

/** The signed-in author of every write. */
export const AUTHOR: Viewer = { id: 1, username: "user1" }

/** A published post with comments, for GET /posts/:id. */
export const POST_WITH_COMMENTS = 7

/** Before the run: the seeded times, so that answers can tell them from times the run writes. */
const EPOCH = Date.UTC(2020, 0, 1)
const minutes = (n: number) => new Date(EPOCH + n * 60_000)

export function blogRows() {
  const users = Array.from({ length: USERS }, (_, i) => ({
    id: i + 1,
    username: `user${i + 1}`,
    email: `user${i + 1}@example.com`,
    passwordHash: "pbkdf2-sha256$100000$seeded$seeded",
    bio: i % 3 === 0 ? null : `Writes about topic ${i % 7}.`,
    createdAt: minutes(i),
    isActive: true,
  }))
  const tags = TAG_NAMES.map((name, i) => ({ id: i + 1, name }))
  const posts = Array.from({ length: POSTS }, (_, i) => ({
    id: i + 1,
    title: `Seeded post ${i + 1}`,
    content: `Paragraph ${i + 1} of a seeded post, long enough to look like one. `.repeat(4),
    published: i % 5 !== 4,
    createdAt: minutes(1_000 + i * 10),
    updatedAt: minutes(1_000 + i * 10),
    version: 1,
    userId: (i % USERS) + 1,
  }))
  const links = posts.flatMap((post, i) =>
    [i % tags.length, (i * 3 + 1) % tags.length]
      .filter((tag, n, all) => all.indexOf(tag) === n)
      .map((tag) => ({ postId: post.id, tagId: tag + 1 })),
  )
  const comments = posts.flatMap((post, p) =>
    Array.from({ length: COMMENTS_PER_POST }, (_, c) => ({
      id: p * COMMENTS_PER_POST + c + 1,
      content: `Comment ${c + 1} on post ${post.id}.`,
      createdAt: minutes(5_000 + p * 10 + c),
      userId: ((p + c + 1) % USERS) + 1,
      postId: post.id,
    })),
  )
  return { users, tags, posts, links, comments }
}

/** Creates the blog's tables and rows; on PostgreSQL, moves each id sequence past the seeded ids. */
export async function seedBlog(engine: Engine): Promise<void> {
  const connection = engine.connect()
  try {
    await createAll(registry.metadata, connection)
    const rows = blogRows()
    const statements: Statement[] = [
      insert(User).values(rows.users),
      insert(Tag).values(rows.tags),
      insert(Post).values(rows.posts),
      insert(postTags).values(rows.links),
      insert(Comment).values(rows.comments),
    ]
    if (engine.dialect.name === "postgresql") {
      for (const name of ["users", "tags", "posts", "comments", "audit_logs"]) {
        statements.push(
          text(
            `SELECT setval(pg_get_serial_sequence('${name}', 'id'), (SELECT coalesce(max(id), 0) + 1 FROM ${name}), false)`,
          ),
        )
      }
    }
    await connection.batch(statements)
  } finally {
    await connection.close()
  }
}
