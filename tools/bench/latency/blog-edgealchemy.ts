// The blog's operations with edgealchemy, as the worker's routes do them (worker/routes/users.ts,
// posts.ts, stats.ts), with the worker's own models, queries and serializers: a session per request,
// closed before the answer, as the worker's `dbSession()` middleware gives it. Each function says
// which route it mirrors; the HTTP layer is left out (see ./blog-operations.ts).

import { HttpError } from "../../../src/hono.ts"
import {
  AsyncSession,
  type Engine,
  type Expression,
  func,
  StaleDataError,
  select,
} from "../../../src/index.ts"
import { conflict, forbidden, notFound } from "../../../worker/http/errors.ts"
import { postDetailJson, postJson, postPageJson, userJson } from "../../../worker/http/serializers.ts"
import { Comment, Post, Tag, User } from "../../../worker/models/index.ts"
import {
  pageOfPosts,
  postForEdit,
  postWithEverything,
  publishedPosts,
} from "../../../worker/queries/posts.ts"
import { normalizeTagNames, tagsFor } from "../../../worker/queries/tags.ts"
import { type Answer, type BlogOperations, errorAnswer, type Viewer } from "./blog-operations.ts"

/** A request's session, closed at its end; an HttpError or a stale version becomes the error answer. */
async function request(engine: Engine, handle: (session: AsyncSession) => Promise<Answer>): Promise<Answer> {
  const session = new AsyncSession(engine)
  try {
    return await handle(session)
  } catch (error) {
    if (error instanceof HttpError) return errorAnswer(error.status, error.code)
    if (error instanceof StaleDataError) return errorAnswer(409, "conflict")
    throw error
  } finally {
    await session.close()
  }
}

/** worker/routes/posts.ts `editablePost`: the post with what editing it touches, in one request. */
async function editablePost(
  session: AsyncSession,
  viewer: Viewer,
  id: number,
  tagNames: readonly string[] = [],
) {
  const rows = (await session.execute(postForEdit(id, tagNames))).all()
  const [post, commentCount] = rows[0] ?? []
  if (!post || (!post.published && post.userId !== viewer.id)) throw notFound(`No post ${id}`)
  if (post.userId !== viewer.id) throw forbidden(`Post ${id} is not yours`)
  const namedTags = rows.map((row) => row[2]).filter((tag): tag is Tag => tag != null)
  return { post, commentCount: Number(commentCount ?? 0), namedTags }
}

const sameTags = (current: readonly Tag[], next: readonly Tag[]) =>
  current.length === next.length && next.every((tag) => current.includes(tag))

const countOf = (
  model: typeof User | typeof Post | typeof Comment | typeof Tag,
  where?: Expression<boolean>,
) =>
  select(func.count())
    .selectFrom(model)
    .where(...(where ? [where] : []))
    .scalarSubquery()

export function edgealchemyBlog(engine: Engine): BlogOperations {
  return {
    // POST /users
    createUser: (input) =>
      request(engine, async (session) => {
        const user = new User({ ...input })
        session.add(user)
        await session.commit()
        return { status: 201, body: userJson(user) }
      }),

    // POST /posts
    createPost: (author, input) =>
      request(engine, async (session) => {
        const tags = normalizeTagNames(input.tags).map((name) =>
          session.addUnique(new Tag({ name }), ["name"]),
        )
        const post = new Post({
          title: input.title,
          content: input.content,
          published: input.published,
          userId: author.id,
          tags,
        })
        session.add(post)
        await session.commit()
        return { status: 201, body: postJson(post, 0, { id: author.id, username: author.username }) }
      }),

    // GET /posts/:id
    getPost: (id, viewer) =>
      request(engine, async (session) => {
        const post = await session.scalar(postWithEverything(id))
        if (!post || (!post.published && post.userId !== viewer?.id)) throw notFound(`No post ${id}`)
        return { status: 200, body: postDetailJson(post) }
      }),

    // GET /posts
    listPosts: (paging) =>
      request(engine, async (session) => ({
        status: 200,
        body: postPageJson(await pageOfPosts(session, publishedPosts(), paging)),
      })),

    // PATCH /posts/:id
    updatePost: (viewer, id, { version, tags, ...fields }) =>
      request(engine, async (session) => {
        const names = tags ? normalizeTagNames(tags) : []
        const { post, commentCount, namedTags } = await editablePost(session, viewer, id, names)
        if (post.version !== version) {
          throw conflict(`Post ${id} is at version ${post.version}, not ${version}; reload it and retry`)
        }
        const nextTags = tags ? tagsFor(session, names, [...post.tags, ...namedTags]) : post.tags
        let changed = false
        for (const [key, value] of Object.entries(fields) as [keyof typeof fields, never][]) {
          if (value !== undefined && post[key] !== value) {
            post[key] = value
            changed = true
          }
        }
        if (!sameTags(post.tags, nextTags)) {
          post.tags = nextTags
          post.updatedAt = new Date()
          changed = true
        }
        if (changed) await session.commit()
        return { status: 200, body: postJson(post, commentCount) }
      }),

    // DELETE /posts/:id
    deletePost: (viewer, id) =>
      request(engine, async (session) => {
        const { post } = await editablePost(session, viewer, id)
        await session.delete(post)
        await session.commit()
        return { status: 204, body: null }
      }),

    // GET /stats
    stats: () =>
      request(engine, async (session) => {
        const row = (
          await session.execute(
            select(
              countOf(User),
              countOf(Post),
              countOf(Post, Post.published.eq(true)),
              countOf(Comment),
              countOf(Tag),
            ),
          )
        ).one()
        const [users, posts, publishedPosts, comments, tags] = row.map((value) => Number(value ?? 0))
        return { status: 200, body: { users, posts, publishedPosts, comments, tags } }
      }),
  }
}
