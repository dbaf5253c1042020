// Why a revision's request failed, as an error that names the revision and the statement. libSQL
// says which statement of a batch failed; Neon does not, so the statement is found by replaying
// prefixes of the revision, each in a batch ending with a statement that always fails: every probe
// rolls back, so nothing of the revision is ever kept (a handful of requests, on the failure path only).
import type { Connection } from "../engine/connection.ts"
import { DatabaseError, EdgeAlchemyError } from "../errors.ts"
import { text } from "../sql/text.ts"
import { ConcurrentMigrationError, RevisionFailedError } from "./errors.ts"
import type { Step } from "./plan.ts"
import { isForeignKeyGuard, isValueGuard, isViewGuard } from "./rebuild.ts"
import { brokenTrigger } from "./trigger-guard.ts"
import type { VersionTable } from "./version-table.ts"

const PROBE_FUNCTION = "edgealchemy_probe_always_fails"

export async function explainFailure(
  connection: Connection,
  step: Step,
  statements: readonly string[],
  error: unknown,
  versionTable: VersionTable,
): Promise<Error> {
  const cause = error instanceof Error ? error : new EdgeAlchemyError(String(error))
  let statement = error instanceof DatabaseError ? error.sql : undefined
  if (statement === undefined && error instanceof DatabaseError && statements.length > 1) {
    statement = await locateFailure(connection, statements).catch(() => undefined)
  }
  if (error instanceof DatabaseError && statement !== undefined && isVersionGuard(statement, versionTable)) {
    return new ConcurrentMigrationError(
      `Revision ${step.revision}: the version table does not say what this runner read (another runner, or a stamp?); run the command again`,
      { sql: statement, cause: error },
    )
  }
  if (statement !== undefined && isForeignKeyGuard(statement)) {
    const reason = new EdgeAlchemyError(
      "rows of a table SQLite rebuilds break its foreign keys (PRAGMA foreign_key_check lists them: rows " +
        "written while foreign keys were off, or that a key this revision adds refuses); mend or delete them first",
      { cause },
    )
    return new RevisionFailedError(step.revision, step.direction, statement, reason)
  }
  if (statement !== undefined && isValueGuard(statement)) {
    const said = /bad JSON path: '(.*)'\s*$/s.exec(cause.message)?.[1]?.replaceAll("''", "'")
    const reason = new EdgeAlchemyError(
      `${said ?? "a column's type change would change its values"}, which SQLite does without an error: mend ` +
        'those rows first (op.execute("UPDATE ...")), or convert them with op.execute() if that is the change wanted',
      { cause },
    )
    return new RevisionFailedError(step.revision, step.direction, statement, reason)
  }
  if (statement !== undefined && isViewGuard(statement)) {
    const reason = new EdgeAlchemyError(
      `a view over a table SQLite rebuilds no longer reads (${cause.message}): it uses a column the revision ` +
        "drops or renames, which SQLite's ALTER TABLE and PostgreSQL refuse too; drop the view first " +
        '(op.execute("DROP VIEW ...")) and create it again after the change',
      { cause },
    )
    return new RevisionFailedError(step.revision, step.direction, statement, reason)
  }
  // SQLite lets a table's key point at columns that are not its parent's key or unique (a column the
  // revision dropped, renamed or made not unique), and fails only the next write to the table.
  const mismatch = /foreign key mismatch - "(.+?)" referencing "(.+?)"/.exec(cause.message)
  if (mismatch) {
    const [, child, parent] = mismatch
    const reason = new EdgeAlchemyError(
      `a foreign key of ${child} no longer points at ${parent}'s primary key or unique columns (${cause.message}): ` +
        `the revision drops, renames or un-uniques a column it references, which PostgreSQL refuses too, or adds ` +
        `one to columns that are not unique; drop or change that key in the revision first (op.dropConstraint)`,
      { cause },
    )
    return new RevisionFailedError(step.revision, step.direction, statement, reason)
  }
  // The tables exist, but the version table does not record the revision that creates them: a database
  // made by createAll (as the README's first examples do) or by hand.
  const existing = /^(?:table (\S+)|relation "(.+?)") already exists/.exec(
    cause.message.replace(/^.*?SQLite error: /, ""),
  )
  if (existing && step.direction === "upgrade" && statement?.startsWith("CREATE TABLE")) {
    const reason = new EdgeAlchemyError(
      `${cause.message}, though the version table does not record this revision (a database made by createAll ` +
        `or by hand): if its tables are the revision's, record it as applied without running it ` +
        `(npx edgealchemy migrate stamp ${step.revision}, or Migrator's stamp(); \`migrate check\` then lists what ` +
        `differs from the models), or drop ${existing[1] ?? existing[2]}`,
      { cause },
    )
    return new RevisionFailedError(step.revision, step.direction, statement, reason)
  }
  const trigger = statement === undefined ? undefined : brokenTrigger(statement, cause.message)
  if (trigger !== undefined) {
    const kind = trigger.startsWith("view ") ? "VIEW" : "TRIGGER"
    const reason = new EdgeAlchemyError(
      `after a SQLite rebuild or DROP TABLE, ${trigger}: it uses a table or column the revision drops or ` +
        `renames, and would fail ${kind === "VIEW" ? "when read, as would every later ALTER TABLE ... RENAME" : "the next write that fires it"} ` +
        `(SQLite's ALTER TABLE DROP COLUMN and PostgreSQL refuse this too); drop the ${kind.toLowerCase()} ` +
        `in the revision before the change (op.execute("DROP ${kind} ...")) and create it again after it, as it should now read`,
      { cause },
    )
    return new RevisionFailedError(step.revision, step.direction, statement, reason)
  }
  return new RevisionFailedError(step.revision, step.direction, statement, cause)
}

function isVersionGuard(statement: string, versionTable: VersionTable): boolean {
  return statement.includes(versionTable.quoted) && !statement.startsWith("CREATE TABLE")
}

async function locateFailure(
  connection: Connection,
  statements: readonly string[],
): Promise<string | undefined> {
  const probe = `SELECT ${PROBE_FUNCTION}()`
  let low = 1
  let high = statements.length
  // Invariant: the first `high` statements fail; the first `low - 1` do not.
  while (low < high) {
    const middle = Math.floor((low + high) / 2)
    try {
      await connection.batch([...statements.slice(0, middle), probe].map((sql) => text(sql)))
    } catch (error) {
      const failedAtProbe = error instanceof DatabaseError && error.message.includes(PROBE_FUNCTION)
      if (failedAtProbe) low = middle + 1
      else high = middle
    }
  }
  return statements[high - 1]
}
