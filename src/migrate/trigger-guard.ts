// The triggers a SQLite rebuild may break. A rebuild drops its tables (their triggers go with them) and
// creates them again: CREATE TRIGGER does not look at the columns a trigger uses, and a trigger on
// another table is not touched at all, so a trigger using a column the rebuild dropped or renamed went
// through and failed only when it fired: the next write to its table failed, in production. SQLite's
// own ALTER TABLE DROP COLUMN refuses this, and so does a rebuild now, inside the revision's
// transaction, with two checks:
//
//   - renaming a scratch table: SQLite's ALTER TABLE ... RENAME parses every trigger and view of the
//     database first (as its DROP COLUMN does), failing with "error in trigger <name>: no such column"
//     and touching no other schema text (its rewriting only concerns the scratch table);
//   - a write that changes no row (INSERT/UPDATE/DELETE ... WHERE false) to each table whose triggers
//     name a rebuilt table, or stand on one: preparing it compiles the triggers it would fire, which
//     also finds what the rename's check passes over (`UPDATE t SET dropped = ...` in a trigger body).
import type { Compiler } from "../sql/compiler/compiler.ts"
import type { DatabaseSchema, TableSchema } from "./schema.ts"
import { folded } from "./sql-names.ts"
import { splitTopLevel, unquote } from "./sqlite-table-sql.ts"

const SCRATCH = "_edgealchemy_trigger_check"
const SCRATCH_RENAMED = `${SCRATCH}_renamed`
/** How the false condition of a compiling write begins: it names the triggers it compiles, for the error. */
const MARK = "'edgealchemy compiles the triggers of "

const literal = (value: string) => `'${value.replaceAll("'", "''")}'`

/** The statements ending a rebuild of `rebuilt`, failing when a trigger no longer compiles. */
export function triggerGuards(
  rebuilt: readonly TableSchema[],
  after: DatabaseSchema,
  compiler: Compiler,
): string[] {
  const q = (name: string) => compiler.quote(name)
  const names = rebuilt.map((t) => folded(t.name))
  const naming = (sql: string) => names.some((name) => folded(sql).includes(name))
  const concerned = [...after.values()].filter(
    (t) => t.triggers?.length && (names.includes(folded(t.name)) || t.triggers.some(naming)),
  )
  const writes = concerned.flatMap((table) => {
    const triggers = (table.triggers ?? []).map((sql) => triggerName(sql) ?? "?").join(", ")
    const mark = `WHERE ${MARK}${literal(`${table.name}: ${triggers}`).slice(1)} IS NULL`
    const columns = table.columns.map((c) => q(c.name))
    return [
      `INSERT INTO ${q(table.name)} (${columns[0]}) SELECT NULL ${mark}`,
      `UPDATE ${q(table.name)} SET ${columns.map((c) => `${c} = ${c}`).join(", ")} ${mark}`,
      `DELETE FROM ${q(table.name)} ${mark}`,
    ]
  })
  return [
    `CREATE TABLE ${q(SCRATCH)} (x)`,
    `ALTER TABLE ${q(SCRATCH)} RENAME TO ${q(SCRATCH_RENAMED)}`,
    `DROP TABLE ${q(SCRATCH_RENAMED)}`,
    ...writes,
    ...viewTriggerWrites(rebuilt, compiler),
  ]
}

const INSTEAD_OF = /\bINSTEAD\s+OF\s+(INSERT|DELETE|UPDATE)\b(?:\s+OF\s+(.+?))?\s+ON\s/is

/**
 * Writes that change no row to each view whose INSTEAD OF triggers name a rebuilt table, one for each
 * trigger (a view takes only the writes it has a trigger for): preparing it compiles the trigger. The
 * scratch rename passes over an INSERT's column list and an UPDATE's SET in a trigger's body.
 */
function viewTriggerWrites(rebuilt: readonly TableSchema[], compiler: Compiler): string[] {
  const q = (name: string) => compiler.quote(name)
  const triggers = new Map<string, { view: string; sql: string }>()
  for (const table of rebuilt)
    for (const trigger of table.viewTriggers ?? []) triggers.set(trigger.sql, trigger)
  return [...triggers.values()].flatMap(({ view, sql }) => {
    const [, event, columns] = INSTEAD_OF.exec(sql) ?? []
    if (event === undefined) return []
    const mark = `WHERE ${MARK}${literal(`${view}: ${triggerName(sql) ?? "?"}`).slice(1)} IS NULL`
    switch (event.toUpperCase()) {
      case "INSERT":
        return [`INSERT INTO ${q(view)} SELECT * FROM ${q(view)} ${mark}`]
      case "DELETE":
        return [`DELETE FROM ${q(view)} ${mark}`]
      default: {
        // An UPDATE OF trigger compiles when a column it lists is set; any other, for any column (a
        // view takes rowid as one).
        const set = columns === undefined ? ["rowid"] : splitTopLevel(columns).map((c) => q(unquote(c)))
        return [`UPDATE ${q(view)} SET ${set.map((c) => `${c} = NULL`).join(", ")} ${mark}`]
      }
    }
  })
}

/**
 * The statements ending a SQLite revision that drops tables: SQLite drops a table that a view or another
 * table's trigger uses (PostgreSQL refuses, naming them), leaving the view failing when read, and every
 * later ALTER TABLE ... RENAME (and rebuild) with it, and the trigger failing the next write that fires
 * it. Checked once the revision is done, so that it may drop the tables in any order, or create one again.
 */
export function droppedTableGuards(
  dropped: readonly TableSchema[],
  after: DatabaseSchema,
  compiler: Compiler,
): string[] {
  return dropped.length === 0 ? [] : triggerGuards(dropped, after, compiler)
}

/**
 * What a failed statement says about a broken trigger, when it is one of triggerGuards': the trigger
 * (or, for a compiling write, the triggers it fires) and the database's words.
 */
export function brokenTrigger(statement: string, message: string): string | undefined {
  if (statement.startsWith("ALTER TABLE") && statement.includes(SCRATCH_RENAMED)) {
    const named = /error in (trigger|view) (.+?): (.*)$/s.exec(message)
    return named
      ? `${named[1]} ${named[2]} no longer compiles (${named[3]})`
      : `a trigger no longer compiles (${message})`
  }
  const at = statement.lastIndexOf(MARK)
  if (at === -1) return undefined
  const written = statement.slice(at + MARK.length, statement.lastIndexOf("' IS NULL"))
  const [table, triggers] = written.replaceAll("''", "'").split(/: (?=[^:]*$)/) as [string, string?]
  return `a trigger on ${table} (${triggers}) no longer compiles (${message})`
}

const NAME = String.raw`(?:"(?:[^"]|"")*"|\[[^\]]*\]|\x60(?:[^\x60]|\x60\x60)*\x60|[^\s.;("\[\x60]+)`
const CREATE_TRIGGER = new RegExp(
  String.raw`^\s*CREATE\s+(?:TEMP(?:ORARY)?\s+)?TRIGGER\s+(?:IF\s+NOT\s+EXISTS\s+)?(?:${NAME}\s*\.\s*)?(${NAME})`,
  "i",
)
const DROP_VIEW = new RegExp(
  String.raw`^\s*DROP\s+VIEW\s+(?:IF\s+EXISTS\s+)?(?:${NAME}\s*\.\s*)?(${NAME})\s*;?\s*$`,
  "i",
)
const DROP_TRIGGER = new RegExp(
  String.raw`^\s*DROP\s+TRIGGER\s+(?:IF\s+EXISTS\s+)?(?:${NAME}\s*\.\s*)?(${NAME})\s*;?\s*$`,
  "i",
)

/** The name a CREATE TRIGGER statement gives. */
export function triggerName(createSql: string): string | undefined {
  const written = CREATE_TRIGGER.exec(createSql)?.[1]
  return written === undefined ? undefined : unquote(written)
}

/**
 * The schema after `op.execute(sql)` when it drops a trigger (or a view, with its triggers): a rebuild
 * later in the revision must not write it again (it writes the triggers it knows of), nor compile it,
 * so that a revision can drop a trigger the change would break, and create it anew after.
 */
export function withoutDroppedTrigger(schema: DatabaseSchema, sql: string): DatabaseSchema {
  const view = DROP_VIEW.exec(sql)?.[1]
  if (view !== undefined) {
    const gone = folded(unquote(view))
    const next = new Map(schema)
    for (const [name, table] of schema) {
      const kept = table.viewTriggers?.filter((t) => folded(t.view) !== gone)
      if (kept && kept.length !== table.viewTriggers?.length) next.set(name, { ...table, viewTriggers: kept })
    }
    return next
  }
  const written = DROP_TRIGGER.exec(sql)?.[1]
  if (written === undefined) return schema
  const dropped = folded(unquote(written))
  const next = new Map(schema)
  const other = (sql: string) => folded(triggerName(sql) ?? "") !== dropped
  for (const [name, table] of schema) {
    const kept = table.triggers?.filter(other)
    const onViews = table.viewTriggers?.filter((t) => other(t.sql))
    if (kept?.length !== table.triggers?.length || onViews?.length !== table.viewTriggers?.length)
      next.set(name, { ...table, ...(kept && { triggers: kept }), ...(onViews && { viewTriggers: onViews }) })
  }
  return next
}
