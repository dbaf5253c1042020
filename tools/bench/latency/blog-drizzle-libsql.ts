// The blog's operations with Drizzle 0.45 over libSQL HTTP (`drizzle-orm/libsql`), written as a Drizzle
// user would: relational queries for reads, `db.batch` for independent reads in one request, and
// `db.transaction` for writes that must be atomic, which Drizzle supports on libSQL. Over HTTP a
// libSQL transaction is interactive: each statement is a request on a stream (the BEGIN travels with
// the first), and the COMMIT one more.
import { and, count, desc, eq, inArray, sql } from "drizzle-orm"
import type { LibSQLDatabase } from "drizzle-orm/libsql"
import {
  sqliteAuditLogs as auditLogs,
  sqliteComments as comments,
  sqlitePosts as posts,
  sqlitePostTags as postTags,
  type sqliteBlogSchema,
  sqliteTags as tags,
  sqliteUsers as users,
} from "./blog-drizzle-schema.ts"
import {
  type Answer,
  type BlogOperations,
  errorAnswer,
  normalizeTagNames,
  postDetailJson,
  postJson,
  userJson,
  type Viewer,
} from "./blog-operations.ts"

type Database = LibSQLDatabase<typeof sqliteBlogSchema>
type Transaction = Parameters<Parameters<Database["transaction"]>[0]>[0]
type Executor = Database | Transaction

const authorColumns = { columns: { id: true, username: true } } as const
const tagNames = { with: { tag: { columns: { name: true } } } } as const

/**
 * A post's comment count for a relational query's `extras`, written out in SQL: Drizzle 0.45 re-aliases
 * every column inside `extras` to the queried table (drizzle-orm issues 3493, 4169, 4836), so
 * `${comments.postId}` renders as "posts"."post_id", and it leaves the queried table's own columns
 * unqualified (issue 4696), so `${post.id}` renders as "id", which inside the subquery is the comment's.
 * `.mapWith(Number)` is not applied to `extras` either: a PostgreSQL count (bigint) arrives as a string.
 */
const commentCount = sql<number>`(select count(*) from "comments" where "comments"."post_id" = "posts"."id")`

/** A guarded UPDATE or DELETE that matched nothing: the transaction is rolled back, then we find out why. */
class NoMatch extends Error {}

export function drizzleLibsqlBlog(db: Database): BlogOperations {
  const postForAnswer = (executor: Executor, id: number) =>
    executor.query.posts.findFirst({
      where: eq(posts.id, id),
      with: { author: authorColumns, postTags: tagNames },
      extras: { commentCount: commentCount.as("comment_count") },
    })

  async function refusal(viewer: Viewer, id: number): Promise<Answer> {
    const post = await db.query.posts.findFirst({
      where: eq(posts.id, id),
      columns: { userId: true, published: true },
    })
    if (!post || (!post.published && post.userId !== viewer.id)) return errorAnswer(404, "not_found")
    if (post.userId !== viewer.id) return errorAnswer(403, "forbidden")
    return errorAnswer(409, "conflict")
  }

  return {
    async createUser(input) {
      const user = await db.transaction(async (tx) => {
        const [created] = await tx.insert(users).values(input).returning()
        if (!created) throw new Error("INSERT ... RETURNING returned no user")
        await tx.insert(auditLogs).values({ entityType: "User", entityId: created.id, action: "create" })
        return created
      })
      return { status: 201, body: userJson(user) }
    },

    async createPost(author, input) {
      const names = normalizeTagNames(input.tags)
      const post = await db.transaction(async (tx) => {
        if (names.length) {
          await tx
            .insert(tags)
            .values(names.map((name) => ({ name })))
            .onConflictDoNothing()
        }
        const [created] = await tx
          .insert(posts)
          .values({
            title: input.title,
            content: input.content,
            published: input.published,
            userId: author.id,
          })
          .returning()
        if (!created) throw new Error("INSERT ... RETURNING returned no post")
        if (names.length) {
          await tx
            .insert(postTags)
            .select(
              tx
                .select({ postId: posts.id, tagId: tags.id })
                .from(posts)
                .innerJoin(tags, inArray(tags.name, names))
                .where(eq(posts.id, created.id)),
            )
        }
        await tx.insert(auditLogs).values({ entityType: "Post", entityId: created.id, action: "create" })
        return created
      })
      return { status: 201, body: postJson(post, author, names, 0) }
    },

    async getPost(id, viewer) {
      const post = await db.query.posts.findFirst({
        where: eq(posts.id, id),
        with: { author: authorColumns, postTags: tagNames, comments: { with: { author: authorColumns } } },
      })
      if (!post || (!post.published && post.userId !== viewer?.id)) return errorAnswer(404, "not_found")
      const names = post.postTags.map((link) => link.tag.name)
      return { status: 200, body: postDetailJson(post, post.author, names, post.comments) }
    },

    async listPosts({ page, pageSize }) {
      const [items, [total]] = await db.batch([
        db.query.posts.findMany({
          where: eq(posts.published, true),
          orderBy: [desc(posts.createdAt), desc(posts.id)],
          limit: pageSize,
          offset: (page - 1) * pageSize,
          with: { author: authorColumns, postTags: tagNames },
          extras: { commentCount: commentCount.as("comment_count") },
        }),
        db.select({ total: count() }).from(posts).where(eq(posts.published, true)),
      ])
      return {
        status: 200,
        body: {
          items: items.map((post) =>
            postJson(
              post,
              post.author,
              post.postTags.map((link) => link.tag.name),
              Number(post.commentCount),
            ),
          ),
          total: total?.total ?? 0,
          page,
          pageSize,
        },
      }
    },

    async updatePost(viewer, id, changes) {
      const names = changes.tags ? normalizeTagNames(changes.tags) : undefined
      try {
        const post = await db.transaction(async (tx) => {
          const [updated] = await tx
            .update(posts)
            .set({
              ...(changes.title !== undefined ? { title: changes.title } : {}),
              version: sql`${posts.version} + 1`,
            })
            .where(and(eq(posts.id, id), eq(posts.userId, viewer.id), eq(posts.version, changes.version)))
            .returning({ id: posts.id })
          if (!updated) throw new NoMatch()
          if (names) {
            await tx.delete(postTags).where(eq(postTags.postId, id))
            if (names.length) {
              await tx
                .insert(tags)
                .values(names.map((name) => ({ name })))
                .onConflictDoNothing()
              await tx
                .insert(postTags)
                .select(
                  tx
                    .select({ postId: posts.id, tagId: tags.id })
                    .from(posts)
                    .innerJoin(tags, inArray(tags.name, names))
                    .where(eq(posts.id, id)),
                )
            }
          }
          await tx.insert(auditLogs).values({ entityType: "Post", entityId: id, action: "update" })
          return postForAnswer(tx, id)
        })
        if (!post) throw new Error(`post ${id} vanished after its update`)
        const answerTags = post.postTags.map((link) => link.tag.name)
        return { status: 200, body: postJson(post, post.author, answerTags, Number(post.commentCount)) }
      } catch (error) {
        if (error instanceof NoMatch) return refusal(viewer, id)
        throw error
      }
    },

    async deletePost(viewer, id) {
      try {
        await db.transaction(async (tx) => {
          const [deleted] = await tx
            .delete(posts)
            .where(and(eq(posts.id, id), eq(posts.userId, viewer.id)))
            .returning({ id: posts.id })
          if (!deleted) throw new NoMatch()
          await tx.insert(auditLogs).values({ entityType: "Post", entityId: id, action: "delete" })
        })
        return { status: 204, body: null }
      } catch (error) {
        if (error instanceof NoMatch) return refusal(viewer, id)
        throw error
      }
    },

    async stats() {
      const [[u], [p], [pub], [c], [t]] = await db.batch([
        db.select({ n: count() }).from(users),
        db.select({ n: count() }).from(posts),
        db.select({ n: count() }).from(posts).where(eq(posts.published, true)),
        db.select({ n: count() }).from(comments),
        db.select({ n: count() }).from(tags),
      ])
      return {
        status: 200,
        body: { users: u?.n, posts: p?.n, publishedPosts: pub?.n, comments: c?.n, tags: t?.n },
      }
    },
  }
}
