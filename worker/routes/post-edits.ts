// PATCH /posts/:id and DELETE /posts/:id by the post's author: one request each when they succeed, as
// the post is not read first. `session.reference` names the row as the client knows it (its id, the
// version it read, and the signed-in user as its author); the UPDATE or DELETE asserts all of them, so a
// stale version, another author's post or a missing one fail it (StaleDataError), and only then does one
// query tell which it was (404, 403 or 409). The latency benchmark runs these same functions.

import type { HttpError } from "../../src/hono.ts"
import { type AsyncSession, StaleDataError, select } from "../../src/index.ts"
import { tokenUserCheck } from "../auth/token-user.ts"
import { conflict, forbidden, notFound, userGone } from "../http/errors.ts"
import { type AuthorJson, postJson } from "../http/serializers.ts"
import { Post } from "../models/index.ts"
import { postForJson } from "../queries/posts.ts"
import { normalizeTagNames, tagsFor } from "../queries/tags.ts"

export interface PostEdit {
  readonly title?: string | undefined
  readonly content?: string | undefined
  readonly published?: boolean | undefined
  readonly tags?: readonly string[] | undefined
  readonly version: number
}

/** The author's edit of post `id` at `version`; answers the post as it is after it. */
export async function updatePost(session: AsyncSession, author: AuthorJson, id: number, edit: PostEdit) {
  const { version, tags, ...fields } = edit
  const changes = Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined))
  if (Object.keys(changes).length === 0 && !tags) {
    // Nothing to write: the post as it is, if its author may edit it at that version (one request).
    const [post, commentCount] = (await session.execute(postForJson(id))).first() ?? []
    // The token's id on another user's account (SQLite gave a deleted user's id to the next one before
    // sqliteAutoincrement, revision 91831570c695): kept, it costs nothing.
    if (post?.userId === author.id && post.author.username !== author.username) throw userGone()
    if (!post || post.userId !== author.id || post.version !== version)
      throw refusal(post, author, id, version)
    return postJson(post, Number(commentCount ?? 0))
  }
  const post = session.reference(Post, { id, version, userId: author.id })
  Object.assign(post, changes) // through the setters: the models' validators run
  if (tags) {
    // Replaces the post's tags, whatever they were: known ones are taken, new ones created (addUnique).
    post.tags = tagsFor(session, normalizeTagNames(tags))
    // A change of tags is a change of the post: it gets a new version and updatedAt like any other.
    post.updatedAt = new Date()
  }
  // The tags, the UPDATE, the links, the audit entry, then the post as the answer shows it: one request.
  // On SQLite the read also checks that the author is still the token's user (../auth/token-user.ts).
  const check = tokenUserCheck(session, author)
  const read = await unlessRefused(session, author, id, version, () =>
    session.commit({ read: check ? postForJson(id).where(check) : postForJson(id) }),
  )
  const [updated, commentCount] = read.one()
  return postJson(updated, Number(commentCount ?? 0))
}

/** The author's deletion of post `id`: its audit entry too; comments and tag links by ON DELETE CASCADE. */
export async function deletePost(session: AsyncSession, author: AuthorJson, id: number): Promise<void> {
  // A deleted user's token names no post of anyone's (ids are not given again): 403 or 404.
  session.delete(session.reference(Post, { id, userId: author.id }))
  await unlessRefused(session, author, id, undefined, () => session.commit())
}

/** Runs `commit`; a stale row becomes the answer that says why (404, 403 or 409), found by one query. */
async function unlessRefused<T>(
  session: AsyncSession,
  author: AuthorJson,
  id: number,
  version: number | undefined,
  commit: () => Promise<T>,
): Promise<T> {
  try {
    return await commit()
  } catch (error) {
    if (!(error instanceof StaleDataError)) throw error
    // The refused changes are still on the session's objects: this query must not flush them again.
    const found = await session.noAutoflush(() =>
      session.execute(select(Post.userId, Post.published, Post.version).where(Post.id.eq(id))),
    )
    const [userId, published, current] = found.first() ?? []
    const post =
      userId === undefined ? undefined : { userId, published: published === true, version: current }
    throw refusal(post, author, id, version)
  }
}

/** Why the author may not write post `id` (at `version`), in the order BLOG_API.md answers it. */
function refusal(
  post: { userId: number; published: boolean; version: number | undefined } | undefined,
  author: AuthorJson,
  id: number,
  version: number | undefined,
): HttpError {
  // An unpublished post exists only for its author.
  if (!post || (!post.published && post.userId !== author.id)) return notFound(`No post ${id}`)
  if (post.userId !== author.id) return forbidden(`Post ${id} is not yours`)
  if (version === undefined || post.version === version)
    return conflict(`Post ${id} changed meanwhile; retry`)
  return conflict(`Post ${id} is at version ${post.version}, not ${version}; reload it and retry`)
}
