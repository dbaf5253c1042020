// Migration errors: each names what failed and what to do. They extend the one hierarchy.
import { DatabaseError, EdgeAlchemyError, InvalidRequestError } from "../errors.ts"
import { NO_COLUMN_HINT, NO_TABLE_HINT } from "../util/schema-hints.ts"

/** The revisions do not form a usable graph, or a revision named on the command line is unknown. */
export class RevisionGraphError extends InvalidRequestError {
  override name = "RevisionGraphError"
}

/** A revision's statements failed; nothing of it was applied (its transaction rolled back). */
export class RevisionFailedError extends EdgeAlchemyError {
  override name = "RevisionFailedError"
  constructor(
    readonly revision: string,
    readonly direction: "upgrade" | "downgrade",
    /** The statement that failed, when known. */
    readonly statement: string | undefined,
    cause: Error,
  ) {
    super(
      `${direction === "upgrade" ? "Upgrade to" : "Downgrade from"} ${revision} failed and was rolled back: ${withoutHints(cause.message)}` +
        (statement ? `\n  in: ${statement}` : ""),
      { cause },
    )
  }
}

/** The database's words without the drivers' advice to run the migrations, which is what failed. */
function withoutHints(message: string): string {
  return message.replace(NO_TABLE_HINT, "").replace(NO_COLUMN_HINT, "")
}

/** Another runner changed the version table between this runner's read and its write, and gave up. */
export class ConcurrentMigrationError extends DatabaseError {
  override name = "ConcurrentMigrationError"
}
