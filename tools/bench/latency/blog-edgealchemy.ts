// The blog's operations with edgealchemy, as the worker's routes do them (worker/routes/users.ts,
// posts.ts, post-edits.ts, stats.ts), with the worker's own models, queries and serializers: a session
// per request, closed before the answer, as the worker's `dbSession()` middleware gives it. Each function says
// which route it mirrors; the HTTP layer is left out (see ./blog-operations.ts).

import { HttpError } from "../../../src/hono.ts"
import { AsyncSession, type Engine, StaleDataError } from "../../../src/index.ts"
import { notFound } from "../../../worker/http/errors.ts"
import { postDetailJson, postJson, postPageJson, userJson } from "../../../worker/http/serializers.ts"
import { Post, User } from "../../../worker/models/index.ts"
import { pageOfPosts, postWithEverything, publishedPosts } from "../../../worker/queries/posts.ts"
import { blogStats } from "../../../worker/queries/stats.ts"
import { normalizeTagNames, tagsFor } from "../../../worker/queries/tags.ts"
import { deletePost, updatePost } from "../../../worker/routes/post-edits.ts"
import { type Answer, type BlogOperations, errorAnswer } from "./blog-operations.ts"

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
        const tags = tagsFor(session, normalizeTagNames(input.tags))
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
    updatePost: (viewer, id, changes) =>
      request(engine, async (session) => ({
        status: 200,
        body: await updatePost(session, viewer, id, changes),
      })),

    // DELETE /posts/:id
    deletePost: (viewer, id) =>
      request(engine, async (session) => {
        await deletePost(session, viewer, id)
        return { status: 204, body: null }
      }),

    // GET /stats
    stats: () => request(engine, async (session) => ({ status: 200, body: await blogStats(session) })),
  }
}
