// Bulk UPDATE and DELETE through the session (`session.execute(update(User).where(...).values(...))`)
// keep the objects the session already holds in step with the rows, as SQLAlchemy's
// `synchronize_session`:
// - "evaluate" runs the WHERE clause and the new values in memory against the objects (see
//   ./evaluate.ts), before the statement runs, so it costs nothing on the wire;
// - "fetch" adds RETURNING of the keys (and, for UPDATE, the new values) to the same statement, so it
//   costs no extra round trip either;
// - "auto" (the default) evaluates when it can and fetches otherwise; `false` leaves the objects alone.
import { InvalidRequestError } from "../errors.ts"
import type { Delete } from "../sql/delete.ts"
import type { Expression } from "../sql/expression.ts"
import type { Column } from "../sql/schema/column.ts"
import { type Table, withClientDefaults } from "../sql/schema/table.ts"
import type { SelectItem } from "../sql/select-items.ts"
import type { Statement } from "../sql/statement.ts"
import type { SqlType } from "../sql/types.ts"
import type { Update } from "../sql/update.ts"
import { followReferences, type Moved, type RelinkSession, relinkMoved, setCommitted } from "./bulk-relink.ts"
import { type Evaluator, evaluator, isExpression, matches, rowValues, Unevaluable } from "./evaluate.ts"
import type { IdentityMap } from "./identity-map.ts"
import type { Mapper } from "./mapper.ts"
import { type InstanceState, stateOf } from "./state.ts"

export type SynchronizeSession = "auto" | "evaluate" | "fetch" | false

/** What the session does around a bulk statement: the statement to run, then the objects to touch. */
export interface BulkSync {
  readonly statement: Statement
  /** How many leading columns of each row are the caller's own RETURNING items. */
  readonly ownColumns: number
  /** Applies the statement's effect to the session's objects, given the rows it returned. */
  apply(rows: readonly (readonly unknown[])[]): void
  /**
   * Then, once the objects whose keys changed are found by their new keys, brings the loaded
   * relationships over the changed columns in line with the rows (./bulk-relink.ts).
   */
  relink(): void
}

/** What bulk synchronization needs of the session. */
export interface BulkSession extends RelinkSession {
  /** The session's persistent objects of a table. */
  objectsOf(table: Table): InstanceState[]
  /** The session's object for a row, by its mapper and primary key (the identity map's lookup). */
  objectAt(mapper: Mapper, identity: readonly unknown[]): InstanceState | undefined
  /**
   * The database compares timestamps as the text it holds (SQLite): a row another program wrote as
   * `2024-01-02T00:00:00Z` or with an offset sorts otherwise than its instant, which is all memory has.
   */
  readonly textTimestamps: boolean
}

/** The BulkSession of a session's identity map; `forget` and `touch` as the session does them. */
export function bulkSession(
  identity: IdentityMap,
  forget: (state: InstanceState) => void,
  touch: (state: InstanceState) => void,
  textTimestamps: boolean,
): BulkSession {
  return {
    textTimestamps,
    held: () => identity.values().map(stateOf),
    objectsOf: (table) =>
      identity
        .values()
        .map(stateOf)
        .filter((state) => state.mapper.table === table),
    objectAt: (mapper, key) => {
      const object = identity.get(mapper, key)
      return object ? stateOf(object) : undefined
    },
    forget,
    touch,
  }
}

type Bulk = Update<never, readonly SelectItem[]> | Delete<never, readonly SelectItem[]>

export function isBulk(statement: Statement): statement is Bulk {
  return statement.kind === "update" || statement.kind === "delete"
}

export function bulkSync(
  statement: Bulk,
  mode: SynchronizeSession,
  session: BulkSession,
): BulkSync | undefined {
  if (mode === false) return undefined
  const { table } = statement.state
  const objects = session.objectsOf(table)
  if (objects.length === 0) return undefined
  const values =
    statement.kind === "update" ? withClientDefaults(table, statement.state.values, "onUpdate") : {}
  const run = statement.kind === "update" ? (statement as Update<never>).values(values as never) : statement
  if (mode !== "fetch") {
    // An expired object (a commit with expireOnCommit, a rollback) may hold another row than its row is
    // now (another program's change, or what the rollback undid): "auto" has the statement return the
    // rows it took, and "evaluate" leaves such objects alone, as SQLAlchemy's (the next read reloads them).
    const current = objects.filter((state) => !state.expired)
    const ask = mode === "auto" && current.length < objects.length && !updatesKey(table, values)
    const changes = ask
      ? undefined
      : tryEvaluate(statement, values, current, mode === "evaluate", session.textTimestamps)
    if (changes) return evaluateSync(run, changes, session)
  }
  return fetchSync(run as Bulk, values, (objects[0] as InstanceState).mapper, session)
}

/** Whether an UPDATE's values change the primary key, whose rows "fetch" cannot tell apart. */
function updatesKey(table: Table, values: Readonly<Record<string, unknown>>): boolean {
  return Object.keys(values).some((key) => table.primaryKey.includes(table.requireColumn(key)))
}

/** An object the statement matches, with the new values it gets (none for DELETE). */
type Change = readonly [InstanceState, readonly (readonly [string, unknown])[]]

/**
 * The objects the statement matches and their new values, all computed before it runs (afterwards
 * the new values could match differently), or undefined when memory cannot compute them faithfully.
 */
function tryEvaluate(
  statement: Bulk,
  values: Record<string, unknown>,
  objects: readonly InstanceState[],
  required: boolean,
  textTimestamps: boolean,
): Change[] | undefined {
  const { table, where } = statement.state
  try {
    // In the WHERE, and in a value the UPDATE computes (`early: Visit.at.lt(noon)`), which compares alike.
    const computed = Object.values(values).filter(isExpression)
    if (textTimestamps && [...where, ...computed].some(mentionsTimestamp))
      throw new Unevaluable("SQLite compares timestamps as the text a row holds, which memory does not know")
    const matching = matches(where as readonly Expression<unknown>[], table)
    const setters = Object.entries(values).map(
      ([key, value]) => [key, valueEvaluator(value, table, key)] as const,
    )
    // Against the row as the database holds it (`committed`), not the object's unflushed changes (with
    // autoflush off): the database matches and computes from its own values. A reference's unknown
    // columns are unknown, not NULL: evaluating them would guess (./evaluate.ts).
    return objects
      .map((state) => [state, rowValues(state.committed ?? state.values, state.mapper.name)] as const)
      .filter(([, known]) => matching(known))
      .map(([state, known]) => [state, setters.map(([key, compute]) => [key, compute(known)] as const)])
  } catch (error) {
    if (!(error instanceof Unevaluable) || !required) return undefined
    throw new InvalidRequestError(
      `synchronizeSession "evaluate" cannot be used here: ${error.message}. Use "fetch" (RETURNING) instead`,
    )
  }
}

function mentionsTimestamp(node: Expression<unknown>): boolean {
  return node.type?.kind === "datetime" || (node.children ?? []).some(mentionsTimestamp)
}

function valueEvaluator(value: unknown, table: Table, key: string): Evaluator {
  const { type } = table.requireColumn(key)
  if (isExpression(value)) {
    const compute = evaluator(value, table, true)
    return (values) => storedForm(assigned(compute(values), type), type)
  }
  const stored = storedForm(value, type)
  return () => stored
}

/** What each column kind takes from an expression as it is; the database converts anything else. */
const ASSIGNABLE: Partial<Record<SqlType<unknown>["kind"], (value: unknown) => boolean>> = {
  integer: (value) => typeof value === "bigint" || Number.isInteger(value),
  smallint: (value) => typeof value === "bigint" || Number.isInteger(value),
  bigint: (value) => typeof value === "bigint" || Number.isInteger(value),
  float: (value) => typeof value === "number" || typeof value === "bigint",
  boolean: (value) => typeof value === "boolean",
  datetime: (value) => value instanceof Date,
  binary: (value) => value instanceof Uint8Array,
}

/**
 * An expression's value set in a column of `type` (`big: User.age`): a whole number or a string as it
 * is, a 64-bit integer in a Float as a double; refused when the database would convert it its own way
 * (a fraction into an Integer rounds on PostgreSQL and stays on SQLite; a timestamp into a day).
 */
function assigned(value: unknown, type: SqlType<unknown>): unknown {
  if (value === null) return null
  const takes = ASSIGNABLE[type.kind] ?? ((v: unknown) => typeof v === "string")
  if (!takes(value)) throw new Unevaluable(`the database converts this value to ${type.kind} its own way`)
  return type.kind === "float" ? Number(value) : value
}

/**
 * A value the UPDATE writes, as the database reads it back, as a flush's RETURNING gives it: a bigint
 * in a BigInteger given a number, a number in an Integer given a bigint, 0 for a Float's -0. Numeric
 * text reads back in the database's form (with the column's scale, `"12.5"` as `"12.50"`; without
 * one, PostgreSQL's as written and SQLite's shortest), which only the database knows: it is read back;
 * so is a JSON document.
 */
function storedForm(value: unknown, type: SqlType<unknown>): unknown {
  if (value === null || value === undefined) return null
  switch (type.kind) {
    case "numeric":
    case "json":
      // A document reads back as its JSON (a Date in it as text, jsonb's own key order).
      throw new Unevaluable(`a ${type.kind} value reads back in the database's form`)
    case "bigint":
      return typeof value === "number" && Number.isSafeInteger(value) ? BigInt(value) : value
    case "integer":
    case "smallint":
      return typeof value === "bigint" ? Number(value) : value
    case "float":
      return value === 0 ? 0 : value
    default:
      return value
  }
}

function evaluateSync(statement: Statement, changes: readonly Change[], session: BulkSession): BulkSync {
  let moved: Moved[] = []
  return {
    statement,
    ownColumns: Infinity,
    apply() {
      const deleted: InstanceState[] = []
      for (const [state, values] of changes) {
        session.touch(state)
        if (statement.kind === "delete") {
          session.forget(state)
          deleted.push(state)
        } else {
          moved.push([state, state.committed])
          for (const [key, value] of values) setCommitted(state, key, value)
        }
      }
      moved = followReferences(moved, session, deleted)
    },
    relink: () => relinkMoved(moved, session),
  }
}

function fetchSync(
  statement: Bulk,
  values: Readonly<Record<string, unknown>>,
  mapper: Mapper,
  session: BulkSession,
): BulkSync {
  const { table, returning } = statement.state
  const keyColumns = table.primaryKey as readonly Column<unknown>[]
  const valueColumns = Object.keys(values).map((key) => table.requireColumn(key))
  if (updatesKey(table, values)) {
    // RETURNING gives the rows' new keys only: the objects they were cannot be told.
    throw new InvalidRequestError(
      `synchronizeSession "fetch" cannot follow an UPDATE of ${table.name}'s primary key; use "evaluate", or false and reload`,
    )
  }
  const fetched = [...returning, ...keyColumns, ...valueColumns]
  const run = (statement as Update<never>).returning(...(fetched as SelectItem[]))
  let moved: Moved[] = []
  return {
    statement: run,
    ownColumns: returning.length,
    apply(rows) {
      const deleted: InstanceState[] = []
      for (const row of rows) {
        const state = session.objectAt(
          mapper,
          row.slice(returning.length, returning.length + keyColumns.length),
        )
        if (!state) continue
        session.touch(state)
        if (statement.kind === "delete") {
          session.forget(state)
          deleted.push(state)
          continue
        }
        moved.push([state, state.committed])
        valueColumns.forEach((column, i) => {
          setCommitted(state, column.key, row[returning.length + keyColumns.length + i])
        })
      }
      moved = followReferences(moved, session, deleted)
    },
    relink: () => relinkMoved(moved, session),
  }
}
