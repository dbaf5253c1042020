// POST /posts/:id/comments: a comment by the signed-in user on a published post.
import { type Context, Hono } from "hono"
import * as v from "valibot"
import { exists, select } from "../../src/index.ts"
import { currentUser, isMissingReference, requireUser, tokenUserIs } from "../auth/require-user.ts"
import type { BlogEnv } from "../http/app-env.ts"
import { notFound, userGone } from "../http/errors.ts"
import { commitOnce } from "../http/idempotency.ts"
import { commentJson } from "../http/serializers.ts"
import { idParam, jsonBody, storableText } from "../http/validation.ts"
import { Comment, Post, User } from "../models/index.ts"

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
  const author = { id: user.sub, username: user.name }
  // With an Idempotency-Key, a retry answers the comment the first request made (../http/idempotency.ts).
  const replayed = await commitOnce(c, {
    created: comment,
    content: c.req.valid("json"),
    answer: async (commentId) => {
      const created = await session.get(Comment, commentId)
      // On SQLite a deleted comment's id goes to the next comment, which may be someone else's.
      return created?.userId === user.sub && created.postId === id ? commentJson(created, author) : undefined
    },
  }).catch(async (error: unknown) => {
    // The post or the token's user was deleted after the read above: a foreign key fails. That is
    // a missing post (404) or a token for nobody (401), not a conflict; one query tells which.
    if (!isMissingReference(error)) throw error
    const [postThere, userThere] = await stillThere(c, id)
    if (!userThere) throw userGone()
    if (!postThere) throw notFound(`No published post ${id}`)
    throw error
  })
  return replayed ?? c.json(commentJson(comment, author), 201)
})

/** Whether post `id` and the token's user exist; on a connection of its own, apart from the failed session. */
async function stillThere(c: Context<BlogEnv>, id: number): Promise<[boolean, boolean]> {
  const found = await c.var.session.engine.execute(
    select(exists(select(Post.id).where(Post.id.eq(id))), exists(select(User.id).where(tokenUserIs(c)))),
  )
  const [post, user] = found.one()
  return [Boolean(post), Boolean(user)]
}
