// The options of AsyncSession, its begin() and its commit(), from JavaScript callers, JSON or casts. A
// key the session did not know was ignored: `{ autoFlush: false }` (SQLAlchemy's `autoflush` in another
// case) left autoflush on, `{ expire_on_commit: true }` expired nothing, `begin({ isolation_level })`
// opened a transaction at the default level, and `commit({ reed: query })` committed and returned no
// rows. A bad value was ignored too (`isolationLevel: "serializable-ish"` on libSQL) or failed later with
// a TypeError. Refused where they are given, before anything is sent.
import type { TransactionOptions } from "../drivers/transport.ts"
import { InvalidRequestError } from "../errors.ts"
import { Select } from "../sql/select.ts"
import { refuseUnknownOptions } from "../util/known-options.ts"
import type { SessionOptions } from "./session.ts"

const ISOLATION_LEVELS = ["read uncommitted", "read committed", "repeatable read", "serializable"]

/** `new AsyncSession(engine, options)`, and dbSession()'s `session` option, which it is given. */
export function checkSessionOptions(options: SessionOptions, where = "AsyncSession"): void {
  checkFlags(where, options, ["expireOnCommit", "autoflush"])
}

/** `session.begin(options)`. */
export function checkTransactionOptions(options: TransactionOptions): void {
  checkFlags("begin()", options, ["readOnly", "deferrable"], ["isolationLevel"])
  const level = options.isolationLevel
  if (level !== undefined && !ISOLATION_LEVELS.includes(level)) {
    throw new InvalidRequestError(
      `begin(): isolationLevel is one of "${ISOLATION_LEVELS.join('", "')}", got ${JSON.stringify(level)}`,
    )
  }
}

/** `session.commit(options)`: `read` is the select run in the commit's request. */
export function checkCommitOptions(options: { read?: unknown }): void {
  checkFlags("commit()", options, [], ["read"])
  if (options.read !== undefined && !(options.read instanceof Select)) {
    throw new InvalidRequestError(
      `commit(): read is a select() whose rows the commit returns, got ${describe(options.read)}`,
    )
  }
}

/** An options object whose keys are all known and whose `flags` are true, false or left out. */
function checkFlags(where: string, options: unknown, flags: string[], others: string[] = []): void {
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new InvalidRequestError(`${where}: options are an object, got ${describe(options)}`)
  }
  refuseUnknownOptions(where, options, [...flags, ...others])
  for (const flag of flags) {
    const value = (options as Record<string, unknown>)[flag]
    if (value !== undefined && typeof value !== "boolean") {
      throw new InvalidRequestError(`${where}: ${flag} is true or false, got ${describe(value)}`)
    }
  }
}

function describe(value: unknown): string {
  return typeof value === "object" && value !== null
    ? (value.constructor?.name ?? "an object")
    : (JSON.stringify(value) ?? String(value))
}
