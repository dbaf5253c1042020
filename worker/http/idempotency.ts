// `Idempotency-Key` on the blog's creates (POST /users, POST /posts, POST /posts/:id/comments): a
// client that lost an answer (a 503 outcome_unknown, a timeout, a dropped connection) retries with the
// same key and gets the first request's result instead of a second copy. Decision (issue 13, item 4):
// the key is stored with the write in the same commit, so a create still costs one round trip; a
// retry's commit is refused whole by the key's unique constraint (nothing is written twice, even by
// two copies racing), and the stored result is answered: its status and the created resource, read
// again. Keys are scoped to the signed-in user (sign-ups share one anonymous scope) and bound to the
// request they first came with (method, path, content): reusing one for another request is 422.
import type { Context } from "hono"
import { IntegrityError, select } from "../../src/index.ts"
import { toBase64Url, utf8 } from "../auth/encoding.ts"
import { currentUser } from "../auth/require-user.ts"
import { IdempotencyKey, idempotencyKeyFor } from "../models/index.ts"
import type { BlogEnv } from "./app-env.ts"
import { badRequest, invalid, notFound } from "./errors.ts"

export const IDEMPOTENCY_HEADER = "Idempotency-Key"
/** 1 to 255 visible ASCII characters: a UUID is the usual choice. */
const KEY = /^[\x21-\x7e]{1,255}$/

export interface Creation<T> {
  /** The object the request creates; it is in the session, to be committed. */
  readonly created: object
  /** What the request asks for beyond method and path; never a secret (its hash is stored). */
  readonly content: unknown
  /** The answer for the resource of this id, read again (undefined if it is gone). */
  readonly answer: (id: number) => Promise<T | undefined>
  /**
   * Whether the retry also carries the secrets the first request set on the resource of this id (a
   * password): what the fingerprint leaves out, checked against the resource itself.
   */
  readonly sameSecrets?: (id: number) => Promise<boolean>
}

/**
 * Commits the session. Without an Idempotency-Key, that is all (undefined: the route answers). With
 * one, the key goes into the same commit; if this key already created something for this request,
 * the answer is that result again, with `Idempotent-Replayed: true`.
 */
export async function commitOnce<T>(
  c: Context<BlogEnv>,
  creation: Creation<T>,
): Promise<Response | undefined> {
  const session = c.var.session
  const key = idempotencyKeyOf(c)
  // A token that outlived its user fails the write's foreign key (../auth/require-user.ts): on SQLite
  // too, whose users table never gives an id twice (sqliteAutoincrement, ../auth/token-user.ts).
  const commit = () => session.commit()
  if (key === undefined) {
    await commit()
    return undefined
  }
  const scope = scopeOf(c)
  const fingerprint = await fingerprintOf([c.req.method, c.req.path, creation.content])
  session.add(idempotencyKeyFor({ scope, key, fingerprint, status: 201 }, creation.created))
  try {
    await commit()
    return undefined
  } catch (error) {
    // A unique key taken: this key's (a retry), or another (a username) when a retry repeats it.
    if (!(error instanceof IntegrityError && error.kind === "unique")) throw error
    await session.rollback()
    const stored = await session.scalar(
      select(IdempotencyKey).where(IdempotencyKey.scope.eq(scope), IdempotencyKey.key.eq(key)),
    )
    if (!stored) throw error
    if (stored.fingerprint !== fingerprint || !((await creation.sameSecrets?.(stored.resourceId)) ?? true)) {
      throw invalid(
        `This ${IDEMPOTENCY_HEADER} was used for another request; use a new key for a new request`,
      )
    }
    const answer = await creation.answer(stored.resourceId)
    if (answer === undefined) throw notFound(`What this ${IDEMPOTENCY_HEADER} created no longer exists`)
    c.header("Idempotent-Replayed", "true")
    return c.json(answer, stored.status as 201)
  }
}

/**
 * Whether this request's Idempotency-Key already made something: a retry, which commitOnce answers
 * with what it made. A route refusing new writes (a post full of comments) lets a retry through.
 */
export async function isRetry(c: Context<BlogEnv>): Promise<boolean> {
  const key = idempotencyKeyOf(c)
  if (key === undefined) return false
  const stored = await c.var.session.scalar(
    select(IdempotencyKey.id).where(IdempotencyKey.scope.eq(scopeOf(c)), IdempotencyKey.key.eq(key)),
  )
  return stored !== undefined && stored !== null
}

/** Whose keys: the signed-in user's, or the anonymous sign-ups'. */
function scopeOf(c: Context<BlogEnv>): string {
  return c.var.user ? `user:${currentUser(c).sub}` : "anonymous"
}

function idempotencyKeyOf(c: Context<BlogEnv>): string | undefined {
  const key = c.req.header(IDEMPOTENCY_HEADER)
  if (key === undefined) return undefined
  if (!KEY.test(key)) throw badRequest(`${IDEMPOTENCY_HEADER} must be 1-255 visible ASCII characters`)
  return key
}

async function fingerprintOf(request: unknown): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", utf8.encode(JSON.stringify(request)))
  return toBase64Url(new Uint8Array(digest))
}
