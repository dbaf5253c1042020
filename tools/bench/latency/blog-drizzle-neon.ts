// The blog's operations with Drizzle 0.45 over Neon HTTP (`drizzle-orm/neon-http`), written as a Drizzle
// user would: relational queries for reads, `db.batch` to send independent statements in one request.
//
// Drizzle refuses transactions on Neon HTTP (`db.transaction` throws "No transactions support in
// neon-http driver"). What it offers instead is `db.batch([...])`: one request, run as one transaction,
// but no statement can use an earlier one's result. So a write whose later statements need a key the
// database generates (the new post's id for its tag links and audit entry) takes two requests, and the
// two are not atomic together; a versioned update must learn whether its UPDATE matched before it
// touches the tags. Each operation says where its requests go and what is atomic.
import { and, count, desc, eq, inArray, sql } from "drizzle-orm"
import type { NeonHttpDatabase } from "drizzle-orm/neon-http"
import {
  pgAuditLogs as auditLogs,
  pgComments as comments,
  type pgBlogSchema,
  pgPosts as posts,
  pgPostTags as postTags,
  pgTags as tags,
  pgUsers as users,
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

type Database = NeonHttpDatabase<typeof pgBlogSchema>

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

export function drizzleNeonBlog(db: Database): BlogOperations {
  /** The post as PATCH answers it, with its author, tag names and comment count: one statement. */
  const postForAnswer = (id: number) =>
    db.query.posts.findFirst({
      where: eq(posts.id, id),
      with: { author: authorColumns, postTags: tagNames },
      extras: { commentCount: commentCount.as("comment_count") },
    })

  /** Why a guarded UPDATE or DELETE matched nothing: one more request, only on that path. */
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
    // Two requests, not atomic together: the audit entry needs the new user's id.
    async createUser(input) {
      const [user] = await db.insert(users).values(input).returning()
      if (!user) throw new Error("INSERT ... RETURNING returned no user")
      await db.insert(auditLogs).values({ entityType: "User", entityId: user.id, action: "create" })
      return { status: 201, body: userJson(user) }
    },

    // Two requests, not atomic together: (1) the new tags, the post, and the ids of its tags;
    // (2) the tag links and the audit entry, which need the post's id.
    async createPost(author, input) {
      const names = normalizeTagNames(input.tags)
      const newPost = db
        .insert(posts)
        .values({ title: input.title, content: input.content, published: input.published, userId: author.id })
        .returning()
      const [post, postTags_] = names.length
        ? await db
            .batch([
              db
                .insert(tags)
                .values(names.map((name) => ({ name })))
                .onConflictDoNothing(),
              newPost,
              db.select({ id: tags.id }).from(tags).where(inArray(tags.name, names)),
            ])
            .then(([, [created], found]) => [created, found] as const)
        : [(await newPost)[0], []]
      if (!post) throw new Error("INSERT ... RETURNING returned no post")
      const audit = db.insert(auditLogs).values({ entityType: "Post", entityId: post.id, action: "create" })
      if (postTags_.length) {
        await db.batch([
          db.insert(postTags).values(postTags_.map((tag) => ({ postId: post.id, tagId: tag.id }))),
          audit,
        ])
      } else await audit
      return { status: 201, body: postJson(post, author, names, 0) }
    },

    // One request: a relational query (one statement).
    async getPost(id, viewer) {
      const post = await db.query.posts.findFirst({
        where: eq(posts.id, id),
        with: { author: authorColumns, postTags: tagNames, comments: { with: { author: authorColumns } } },
      })
      if (!post || (!post.published && post.userId !== viewer?.id)) return errorAnswer(404, "not_found")
      const names = post.postTags.map((link) => link.tag.name)
      return { status: 200, body: postDetailJson(post, post.author, names, post.comments) }
    },

    // One request: the page (a relational query) and the total, batched.
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

    // Two requests, not atomic together: (1) the UPDATE guarded by author and version, which tells
    // whether to go on; (2) the tag links replaced, the audit entry, and the post as answered.
    async updatePost(viewer, id, changes) {
      const [updated] = await db
        .update(posts)
        .set({
          ...(changes.title !== undefined ? { title: changes.title } : {}),
          version: sql`${posts.version} + 1`,
        })
        .where(and(eq(posts.id, id), eq(posts.userId, viewer.id), eq(posts.version, changes.version)))
        .returning({ id: posts.id })
      if (!updated) return refusal(viewer, id)
      const names = changes.tags ? normalizeTagNames(changes.tags) : undefined
      const relink = names
        ? [
            db.delete(postTags).where(eq(postTags.postId, id)),
            ...(names.length
              ? [
                  db
                    .insert(tags)
                    .values(names.map((name) => ({ name })))
                    .onConflictDoNothing(),
                  db
                    .insert(postTags)
                    .select(
                      db
                        .select({ postId: posts.id, tagId: tags.id })
                        .from(posts)
                        .innerJoin(tags, inArray(tags.name, names))
                        .where(eq(posts.id, id)),
                    ),
                ]
              : []),
          ]
        : []
      const results = await db.batch([
        db.insert(auditLogs).values({ entityType: "Post", entityId: id, action: "update" }),
        ...relink,
        postForAnswer(id),
      ])
      const post = results[results.length - 1] as Awaited<ReturnType<typeof postForAnswer>>
      if (!post) throw new Error(`post ${id} vanished after its update`)
      const answerTags = post.postTags.map((link) => link.tag.name)
      return { status: 200, body: postJson(post, post.author, answerTags, Number(post.commentCount)) }
    },

    // Two requests, not atomic together: the DELETE guarded by author, then its audit entry.
    async deletePost(viewer, id) {
      const [deleted] = await db
        .delete(posts)
        .where(and(eq(posts.id, id), eq(posts.userId, viewer.id)))
        .returning({ id: posts.id })
      if (!deleted) return refusal(viewer, id)
      await db.insert(auditLogs).values({ entityType: "Post", entityId: id, action: "delete" })
      return { status: 204, body: null }
    },

    // One request: five counts, batched.
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
