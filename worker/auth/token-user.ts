// Tokens name their user by id, and are checked without a query. A token can outlive its user; a
// write naming that user then fails its foreign key (./require-user.ts answers 401). That holds on
// SQLite too only because its users table never gives an id twice (sqliteAutoincrement, revision
// 91831570c695): before, a deleted user's id went to the next sign-up and the token acted as the
// newcomer. Creates and deletes carried a check of the token's user in their commit then (one statement
// more on SQLite); they no longer need it. PATCH keeps it, at no cost: it is a condition of the read
// its commit makes anyway. PostgreSQL never hands out a sequence's id twice: nothing to check there.
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

/** Whether `error` is a failed check: the token's user no longer exists as the token names it. */
export function isTokenUserGone(error: unknown): boolean {
  return error instanceof Error && error.message.includes(TOKEN_USER_GONE)
}
