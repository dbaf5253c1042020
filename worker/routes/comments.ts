// POST /posts/:id/comments: a comment by the signed-in user on a published post.
import { Hono } from "hono"
import * as v from "valibot"
import { currentUser, requireUser } from "../auth/require-user.ts"
import type { BlogEnv } from "../http/app-env.ts"
import { notFound } from "../http/errors.ts"
import { commentJson } from "../http/serializers.ts"
import { idParam, jsonBody, storableText } from "../http/validation.ts"
import { Comment, Post } from "../models/index.ts"

const newComment = v.strictObject({ content: storableText(1, 5000) })

export const comments = new Hono<BlogEnv>()

comments.post("/:id/comments", requireUser, jsonBody(newComment), async (c) => {
  const id = idParam(c.req.param("id"), "post")
  const user = currentUser(c)
  const session = c.var.session
  const post = await session.get(Post, id)
  // Comments go on published posts only; a draft is not there for anyone to comment on.
  if (!post?.published) throw notFound(`No published post ${id}`)
  const comment = new Comment({ content: c.req.valid("json").content, postId: id, userId: user.sub })
  session.add(comment)
  await session.commit()
  return c.json(commentJson(comment, { id: user.sub, username: user.name }), 201)
})
