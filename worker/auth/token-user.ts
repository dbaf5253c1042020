// Tokens name their user by id, and are checked without a query. On SQLite a deleted user's id goes to
// the next sign-up (SQLite and the flush both take max(id) + 1), so a token that outlived its user
// would act as the newcomer: its writes pass the foreign key, its drafts are theirs. On SQLite each
// write therefore carries a check, inside its commit, that the token's user still has its id and its
// username; it fails the statement, and so the whole transaction, when not. PostgreSQL never hands out
// a sequence's id twice: there the foreign key is enough (a deleted user's write fails it).
import {
  type AsyncSession,
  caseWhen,
  type Expression,
  exists,
  func,
  literal,
  select,
} from "../../src/index.ts"
import type { AuthorJson } from "../http/serializers.ts"
import { User } from "../models/index.ts"

/** In the error of a failed check: an invalid JSON path, which SQLite's message repeats. */
export const TOKEN_USER_GONE = "token-user-gone"

/**
 * On SQLite, a condition that is true while user `author.id` is still `author.username`, and fails its
 * statement otherwise (json_extract of an invalid path); undefined on PostgreSQL.
 */
export function tokenUserCheck(session: AsyncSession, author: AuthorJson): Expression<boolean> | undefined {
  if (session.engine.dialect.name !== "sqlite") return undefined
  const holds = exists(select(User.id).where(User.id.eq(author.id), User.username.eq(author.username)))
  return func.json_extract(literal("{}"), caseWhen([[holds, "$"]], TOKEN_USER_GONE)).isNotNull()
}

/** The commit's read that carries the check (a statement of the commit's request), if any. */
export function tokenUserRead(session: AsyncSession, author: AuthorJson) {
  const check = tokenUserCheck(session, author)
  return check && select(literal(1)).where(check)
}

/** Whether `error` is a failed check: the token's user no longer exists as the token names it. */
export function isTokenUserGone(error: unknown): boolean {
  return error instanceof Error && error.message.includes(TOKEN_USER_GONE)
}
