// GET /posts, GET /posts/:id, POST /posts, PATCH /posts/:id, DELETE /posts/:id.
import { type Context, Hono } from "hono"
import * as v from "valibot"
import { currentUser, optionalUser, requireUser } from "../auth/require-user.ts"
import type { BlogEnv } from "../http/app-env.ts"
import { conflict, forbidden, notFound } from "../http/errors.ts"
import { commitOnce } from "../http/idempotency.ts"
import { postDetailJson, postJson, postPageJson } from "../http/serializers.ts"
import { idParam, jsonBody, pageQuery, queryParams, storableText } from "../http/validation.ts"
import { Post, Tag } from "../models/index.ts"
import {
  pageOfPosts,
  postForEdit,
  postWithEverything,
  publishedPosts,
  taggedWith,
  titleContains,
} from "../queries/posts.ts"
import { normalizeTagNames, tagsFor } from "../queries/tags.ts"
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
    ...(tag ? [taggedWith(tag.trim().toLowerCase())] : []),
    ...(q ? [titleContains(q, session.engine.dialect.name)] : []),
  ]
  // The page, its total, and each post's author, tags and comment count: one request.
  return c.json(postPageJson(await pageOfPosts(session, publishedPosts(...conditions), paging)))
})

posts.get("/:id", optionalUser, async (c) => {
  const id = idParam(c.req.param("id"), "post")
  const post = await c.var.session.scalar(postWithEverything(id))
  // An unpublished post exists only for its author.
  if (!post || (!post.published && post.userId !== c.var.user?.sub)) throw notFound(`No post ${id}`)
  return c.json(postDetailJson(post))
})

posts.post("/", requireUser, jsonBody(newPost), async (c) => {
  const body = c.req.valid("json")
  const user = currentUser(c)
  const session = c.var.session
  // Known tags are taken and new ones created by the commit itself (addUnique: an upsert by name).
  const tags = normalizeTagNames(body.tags ?? []).map((name) =>
    session.addUnique(new Tag({ name }), ["name"]),
  )
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
      const [created, commentCount] = (await session.execute(postForEdit(postId, []))).first() ?? []
      return created ? postJson(created, Number(commentCount ?? 0)) : undefined
    },
  })
  return replayed ?? c.json(postJson(post, 0, { id: user.sub, username: user.name }), 201)
})

posts.patch("/:id", requireUser, jsonBody(postChanges), async (c) => {
  const id = idParam(c.req.param("id"), "post")
  const { version, tags, ...fields } = c.req.valid("json")
  const session = c.var.session
  const names = tags ? normalizeTagNames(tags) : []
  const { post, commentCount, namedTags } = await editablePost(c, id, names)
  if (post.version !== version) {
    throw conflict(`Post ${id} is at version ${post.version}, not ${version}; reload it and retry`)
  }
  // Every named tag that exists came with the post: the others are new (no query here).
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
    // A change of tags is a change of the post: it gets a new version and updatedAt like any other.
    post.updatedAt = new Date()
    changed = true
  }
  // The UPDATE checks the version again, in the same request: a concurrent edit fails it with 409.
  if (changed) await session.commit()
  return c.json(postJson(post, commentCount))
})

posts.delete("/:id", requireUser, async (c) => {
  const id = idParam(c.req.param("id"), "post")
  const { post } = await editablePost(c, id)
  const session = c.var.session
  await session.delete(post)
  // The DELETE and its audit entry in one request; comments and tag links go by ON DELETE CASCADE.
  await session.commit()
  return c.body(null, 204)
})

/**
 * The post with its tags, author and comment count, and the existing tags among `tagNames`, in one
 * request; if it exists and the signed-in user wrote it.
 */
async function editablePost(c: Context<BlogEnv>, id: number, tagNames: readonly string[] = []) {
  const user = currentUser(c)
  const rows = (await c.var.session.execute(postForEdit(id, tagNames))).all()
  const [post, commentCount] = rows[0] ?? []
  if (!post || (!post.published && post.userId !== user.sub)) throw notFound(`No post ${id}`)
  if (post.userId !== user.sub) throw forbidden(`Post ${id} is not yours`)
  const namedTags = rows.map((row) => row[2]).filter((tag): tag is Tag => tag != null)
  return { post, commentCount: Number(commentCount ?? 0), namedTags }
}

function sameTags(current: readonly Tag[], next: readonly Tag[]): boolean {
  return current.length === next.length && next.every((tag) => current.includes(tag))
}
