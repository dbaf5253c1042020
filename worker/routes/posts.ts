// GET /posts, GET /posts/:id, POST /posts, PATCH /posts/:id, DELETE /posts/:id.
import { Hono } from "hono"
import * as v from "valibot"
import { currentUser, optionalUser, requireUser } from "../auth/require-user.ts"
import type { BlogEnv } from "../http/app-env.ts"
import { notFound } from "../http/errors.ts"
import { commitOnce } from "../http/idempotency.ts"
import { postDetailJson, postJson, postPageJson } from "../http/serializers.ts"
import { idParam, jsonBody, pageQuery, queryParams, storableText } from "../http/validation.ts"
import { Post, tagName } from "../models/index.ts"
import {
  pageOfPosts,
  postForJson,
  postWithEverything,
  publishedPosts,
  taggedWith,
  titleContains,
} from "../queries/posts.ts"
import { normalizeTagNames, tagsFor } from "../queries/tags.ts"
import { deletePost, updatePost } from "./post-edits.ts"
import { newPost, postChanges } from "./post-input.ts"

const listQuery = v.object({
  ...pageQuery,
  tag: v.optional(storableText(1, 50)),
  q: v.optional(storableText(1, 200)),
})

export const posts = new Hono<BlogEnv>()

posts.get("/", queryParams(listQuery), async (c) => {
  const { tag, q, ...paging } = c.req.valid("query")
  const session = c.var.session
  const conditions = [
    ...(tag ? [taggedWith(tagName(tag))] : []),
    ...(q ? [titleContains(q, session.engine.dialect.name)] : []),
  ]
  // The page, its total, and each post's author, tags and comment count: one request.
  return c.json(postPageJson(await pageOfPosts(session, publishedPosts(...conditions), paging)))
})

posts.get("/:id", optionalUser, async (c) => {
  const id = idParam(c.req.param("id"), "post")
  const post = await c.var.session.scalar(postWithEverything(id))
  // An unpublished post exists only for its author: the token's user by id and by name (on SQLite a
  // deleted user's token names an id the next sign-up has).
  const user = c.var.user
  const byAuthor = post?.userId === user?.sub && post?.author.username === user?.name
  if (!post || (!post.published && !byAuthor)) throw notFound(`No post ${id}`)
  return c.json(postDetailJson(post))
})

posts.post("/", requireUser, jsonBody(newPost), async (c) => {
  const body = c.req.valid("json")
  const user = currentUser(c)
  const session = c.var.session
  // Known tags are taken and new ones created by the commit itself (addUnique: an upsert by name).
  const tags = tagsFor(session, normalizeTagNames(body.tags ?? []))
  const post = new Post({
    title: body.title,
    content: body.content,
    published: body.published ?? false,
    userId: user.sub,
    tags,
  })
  session.add(post)
  // The tags, the post, its tag links, its audit entry (and the Idempotency-Key): one request.
  const replayed = await commitOnce(c, {
    created: post,
    content: body,
    answer: async (postId) => {
      const [created, commentCount] = (await session.execute(postForJson(postId))).first() ?? []
      // Only the post this key made: SQLite gave a deleted post's id to the next one (someone's draft)
      // before sqliteAutoincrement (revision 91831570c695), and the check costs nothing.
      return created?.userId === user.sub ? postJson(created, Number(commentCount ?? 0)) : undefined
    },
  })
  return replayed ?? c.json(postJson(post, 0, { id: user.sub, username: user.name }), 201)
})

posts.patch("/:id", requireUser, jsonBody(postChanges), async (c) => {
  const id = idParam(c.req.param("id"), "post")
  const user = currentUser(c)
  const author = { id: user.sub, username: user.name }
  return c.json(await updatePost(c.var.session, author, id, c.req.valid("json")))
})

posts.delete("/:id", requireUser, async (c) => {
  const id = idParam(c.req.param("id"), "post")
  const user = currentUser(c)
  await deletePost(c.var.session, { id: user.sub, username: user.name }, id)
  return c.body(null, 204)
})
