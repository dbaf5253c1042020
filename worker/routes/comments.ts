// POST /posts/:id/comments: a comment by the signed-in user on a published post.
import { type Context, Hono } from "hono"
import * as v from "valibot"
import { exists, func, select } from "../../src/index.ts"
import { currentUser, isMissingReference, requireUser, tokenUserIs } from "../auth/require-user.ts"
import type { BlogEnv } from "../http/app-env.ts"
import { characterCount } from "../http/characters.ts"
import { conflict, notFound, userGone } from "../http/errors.ts"
import { commitOnce, isRetry } from "../http/idempotency.ts"
import { commentJson } from "../http/serializers.ts"
import { idParam, jsonBody, storableText } from "../http/validation.ts"
import { Comment, Post, User } from "../models/index.ts"

const newComment = v.strictObject({ content: storableText(1, 5000) })

/**
 * What one post's comments may hold. GET /posts/:id answers every comment (BLOG_API.md) from one
 * database answer, and Neon HTTP and libSQL refuse an answer over 10 MB: about 500 comments of 5,000
 * emoji made a post's page a 500 for good. A character of a comment takes at most 7 bytes of that
 * answer (a control character, escaped as JSON inside the loaded JSON: \\u0001), so 500,000 characters
 * are at most 3.5 MB, with 1,000 comments' ids, dates and authors (about 0.3 MB) and the post itself
 * (60,000 characters, 0.4 MB): well under 10 MB on both databases. Checked with the read of the post
 * before the commit, so comments written at the same moment may pass it by a few (35 KB each at most).
 */
export const COMMENTS_PER_POST = { count: 1_000, characters: 500_000 } as const

/** The number of comments on a post and the characters in them, in the statement that reads the post. */
const commentTotals = [
  select(func.count(Comment.id)).where(Comment.postId.eq(Post.id)).scalarSubquery(),
  select(func.coalesce(func.sum(func.length(Comment.content)), 0))
    .where(Comment.postId.eq(Post.id))
    .scalarSubquery(),
] as const

export const comments = new Hono<BlogEnv>()

comments.post("/:id/comments", requireUser, jsonBody(newComment), async (c) => {
  const id = idParam(c.req.param("id"), "post")
  const user = currentUser(c)
  const session = c.var.session
  const [post, count, characters] =
    (await session.execute(select(Post, ...commentTotals).where(Post.id.eq(id)))).first() ?? []
  // Comments go on published posts only; a draft is not there for anyone to comment on.
  if (!post?.published) throw notFound(`No published post ${id}`)
  const { content } = c.req.valid("json")
  const full =
    Number(count) + 1 > COMMENTS_PER_POST.count ||
    Number(characters) + characterCount(content) > COMMENTS_PER_POST.characters
  // A retry of a comment already made is answered it (one more query, on a full post only).
  if (full && !(await isRetry(c))) {
    throw conflict(
      `Post ${id} holds as many comments as its page can show (at most ${COMMENTS_PER_POST.count} comments ` +
        `and ${COMMENTS_PER_POST.characters} characters in all): this one would pass that`,
    )
  }
  const comment = new Comment({ content, postId: id, userId: user.sub })
  session.add(comment)
  const author = { id: user.sub, username: user.name }
  // With an Idempotency-Key, a retry answers the comment the first request made (../http/idempotency.ts).
  const replayed = await commitOnce(c, {
    created: comment,
    content: c.req.valid("json"),
    answer: async (commentId) => {
      const created = await session.get(Comment, commentId)
      // Only the comment this key made: SQLite gave a deleted comment's id to the next one before
      // sqliteAutoincrement (revision 91831570c695), and the check costs nothing.
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
