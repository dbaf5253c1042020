// ReadSession: the reading half of a session, an identity map over one engine connection with no unit
// of work. AsyncSession (./session.ts) extends it with add, delete, flush and commit. A worker that only
// reads uses this class and its bundle carries none of the write path (the flush planner and its
// renderers, references, INSERT/UPDATE/DELETE rendering): about 9 KB less gzipped (`npm run bench:size`).
import type { TransactionOptions } from "../drivers/transport.ts"
import type { Connection } from "../engine/connection.ts"
import type { Engine } from "../engine/engine.ts"
import { Result } from "../engine/result.ts"
import { InvalidRequestError } from "../errors.ts"
import { Bound } from "../sql/bound.ts"
import { RawSql } from "../sql/expression.ts"
import { Select, select } from "../sql/select.ts"
import type { ItemValue, RowOfItems, SelectItem } from "../sql/select-items.ts"
import type { RowType, Statement } from "../sql/statement.ts"
import { Integer } from "../sql/types.ts"
import type { RelationshipAttribute } from "./attribute.ts"
import type { SynchronizeSession } from "./bulk-sync.ts"
import { IdentityMap } from "./identity-map.ts"
import type { LoadPlan } from "./loading.ts"
import type { Mapper, ModelConstructor } from "./mapper.ts"
import { mapperOf } from "./mapper-of.ts"
import { plugins } from "./plugins.ts"
import {
  byKey,
  byKeyPlan,
  byKeyValues,
  type Hydration,
  hydrateRows,
  landRead,
  ONE_SNAPSHOT,
  planOf,
  readOf,
} from "./session-reads.ts"
import { hasState, stateOf } from "./state.ts"

/**
 * How `session.execute` runs a statement. Each option may be `undefined`, meaning not given, as under
 * `exactOptionalPropertyTypes` (which `tsc --init` turns on) a value read from a request or env is.
 */
export interface ExecuteOptions {
  /** Values for `bindparam()` placeholders. */
  params?: readonly unknown[] | undefined
  /** Overwrite objects the session already has with the rows' values (their unflushed changes are lost). */
  populateExisting?: boolean | undefined
  /**
   * Objects for reading only: built outside the identity map and detached from the session, so a large
   * result costs no tracking and leaves nothing behind. Rows are still one object each within the result.
   */
  readOnly?: boolean | undefined
  /** How a bulk UPDATE or DELETE updates objects already in the session (default "auto"). */
  synchronizeSession?: SynchronizeSession | undefined
}

export type RowOf<S> = RowType<S> extends readonly unknown[] ? RowType<S> : unknown[]

/** A page's items: the objects (or values) of a one-item select, else its rows as tuples. */
type PageItem<Items extends readonly unknown[]> = Items extends readonly [infer Only]
  ? ItemValue<Only>
  : RowOfItems<Items>

/** A page of results and the total count of the query it pages through. */
export interface Page<T> {
  readonly items: T[]
  readonly total: number
  readonly page: number
  readonly pageSize: number
}

let sessionIds = 0

/**
 * The values of the key get() was given, in the key's order: one value, an array of them, or an object
 * naming each key attribute (`{ id: 5 }`), as SQLAlchemy's get() takes a dict, and as it does, names
 * that are not the key's are ignored. Refused when they do not make the key, before anything is sent.
 */
export function keyValues(mapper: Mapper, key: unknown): readonly unknown[] {
  const names = mapper.primaryKey.map((column) => column.key)
  const named = (key as object | null)?.constructor === Object && (key as Record<string, unknown>)
  // A name missing from the object stands for itself there, which no key value is: refused below.
  const values = Array.isArray(key)
    ? key
    : named
      ? names.map((name) => (name in named ? named[name] : names))
      : [key]
  if (values.length !== names.length || values.includes(names)) {
    throw new InvalidRequestError(
      `${mapper.name} is found by ${names} (${names.length} value(s)); get() was given ${named ? Object.keys(named) : values.length}`,
    )
  }
  return values
}

/**
 * A session for reading: `get`, `execute`, `scalars`, `scalar`, `paginate`, `refresh`, `load`, with an
 * identity map (one object per row), read transactions (`begin()`, `FOR UPDATE`, `rollback()`) and
 * no unit of work. Objects it loads can be changed in memory, but it never writes them; a worker that
 * writes uses AsyncSession, which is a ReadSession with `add`, `delete`, `flush` and `commit`.
 *
 * ```ts
 * await using session = new ReadSession(createEngine(env.DATABASE_URL))
 * const post = await session.get(Post, id) // SELECT ... FROM posts WHERE posts.id = $1 (SQLite: ?)
 * const latest = await session.scalars(select(Post).orderBy(Post.createdAt.desc()).limit(10))
 * ```
 */
export class ReadSession {
  readonly id = ++sessionIds
  /** One object per row: what queries hydrate into. */
  protected readonly identityMap = new IdentityMap()
  #connection: Connection | undefined
  #closed = false

  constructor(readonly engine: Engine) {}

  /** The object with this primary key: from the identity map when the session has it, else one query. */
  async get<M extends ModelConstructor>(model: M, key: unknown): Promise<InstanceType<M> | null> {
    const mapper = mapperOf(model)
    mapper.adopt(model)
    const identity = keyValues(mapper, key)
    // No row has a NULL key: a missing key (a request field left out) finds nothing, and nothing is sent,
    // as SQLAlchemy's get(Model, None) returns None (it was bound as NULL, a query that matched nothing).
    if (identity.some((part) => part == null)) return null
    const known = this.identityMap.get(mapper, identity)
    const held = known && stateOf(known)
    // An expired object is read again (the columns changed since keep their values), unless marked for
    // deletion: SQLAlchemy's get() returns that one as held until the flush sends its DELETE.
    if (held && (held.deleted || !held.expired)) return known as InstanceType<M>
    const flushing = this.autoflush()
    if (flushing) await flushing
    const { result } = await this.#executeWithLoads(
      byKeyPlan(mapper),
      this.hydration({}),
      [],
      byKeyValues(identity),
    )
    return (result.first()?.[0] as InstanceType<M> | undefined) ?? null
  }

  /**
   * Runs a statement; mapped entities in its rows (a select's, or an INSERT/UPDATE/DELETE's RETURNING)
   * come back as objects through the identity map. (AsyncSession also keeps the objects it holds in
   * step with a bulk UPDATE or DELETE: `synchronizeSession`.)
   */
  async execute<S extends Statement>(statement: S, options: ExecuteOptions = {}): Promise<Result<RowOf<S>>> {
    const flushing = this.autoflush()
    if (flushing) await flushing
    // Row locks only mean something inside a transaction: FOR UPDATE moves the session onto one.
    // (`?.`: anything else, undefined included, is refused by the connection, saying what it was.)
    const locks =
      (statement as { state?: { forUpdate?: unknown } } | undefined)?.state?.forUpdate !== undefined
    // Compiled first: a database without FOR UPDATE (SQLite) refuses it before a transaction is opened
    // for it, which would keep the write lock until the session closes.
    if (locks) {
      statement.compile(this.engine.dialect)
      await this.connection.ensureTransaction()
    }
    // Rows an INSERT/UPDATE/DELETE returns are what the statement just wrote: they refresh the objects.
    const writes = statement?.kind !== "select" && statement?.kind !== "compound_select"
    const hydration = this.hydration(writes ? { populateExisting: true, ...options } : options)
    const loaderOptions =
      (statement as { state?: { options?: readonly unknown[] } } | undefined)?.state?.options ?? []
    const plan =
      statement?.kind === "select"
        ? planOf(statement as unknown as Select<readonly SelectItem[]>, loaderOptions)
        : undefined
    if (plan && (plan.levels.length > 0 || plan.joined.length > 0)) {
      const { result } = await this.#executeWithLoads(plan, hydration)
      // Named by the statement asked for: the plan's has the joined loads' items, which rows do not.
      return new Result(result.rows as never[], result.columns, result.rowsAffected, statement)
    }
    const result = await this.connection.execute(statement, options.params)
    // Its rows become objects in place: the connection's result is the session's.
    hydrateRows(statement, result.rows as readonly unknown[][], hydration)
    if (statement.kind === "delete") this.deletedRows(result.rows as readonly unknown[][])
    return result as Result<RowOf<S>>
  }

  async scalars<S extends Statement>(statement: S, options?: ExecuteOptions) {
    return (await this.execute(statement, options)).scalars()
  }

  async scalar<S extends Statement>(statement: S, options?: ExecuteOptions) {
    return (await this.execute(statement, options)).scalar()
  }

  /**
   * A page of a query and the total it pages through, in one request:
   * `await session.paginate(select(Post).orderBy(Post.createdAt.desc()), { page: 2, pageSize: 10 })`.
   * Items are the objects of a `select(Post)`, or the rows of a select of several items
   * (`select(Post, commentCount)` gives `[post, count]` tuples); `page` starts at 1.
   */
  async paginate<Items extends readonly SelectItem[]>(
    query: Select<Items>,
    { page, pageSize, ...options }: { page: number; pageSize: number } & ExecuteOptions,
  ): Promise<Page<PageItem<Items>>> {
    for (const [name, value] of Object.entries({ page, pageSize })) {
      if (!Number.isInteger(value) || value < 1)
        throw new InvalidRequestError(`${name} must be a whole number from 1, got ${value} (${typeof value})`)
    }
    const flushing = this.autoflush()
    if (flushing) await flushing
    // Within the query's own window: after its OFFSET, and no further than its LIMIT.
    const { limit = Infinity, offset = 0 } = query.state as {
      limit?: number
      offset?: number
    }
    // A bindparam() (an object) there makes the sum a string.
    if (typeof (limit + offset) !== "number")
      throw new InvalidRequestError("paginate() needs numbers in LIMIT and OFFSET")
    const skipped = (page - 1) * pageSize
    const paged = query
      .limit(Math.max(0, Math.min(pageSize, limit - skipped)))
      .offset(offset + skipped) as unknown as Select<readonly SelectItem[]>
    const unordered = new Select({ ...query.state, orderBy: [], options: [] })
    // count(*) written as SQL (the same text count() renders): count() would bring the SQL function
    // nodes (../sql/functions.ts) into every read worker for this one use.
    const count = select(new RawSql<number>("count(*)", Integer)).selectFrom(unordered.subquery("paginated"))
    const plan = planOf(paged, query.state.options ?? [])
    const { result, extra } = await this.#executeWithLoads(plan, this.hydration(options), [count])
    const total = Number(extra[0]?.scalar() ?? 0)
    const single = query.state.items.length === 1
    const items = result.rows.map((row) => (single ? row[0] : row)) as PageItem<Items>[]
    return { items, total, page, pageSize }
  }

  /**
   * Reloads an object's columns from the database and loads the relationships named in `attributes`
   * (`await session.refresh(user, ["posts"])`), all in one request.
   */
  async refresh(object: object, attributes?: readonly string[]): Promise<void> {
    const state = stateOf(object)
    const identity = state.identity
    if (state.session !== this || !identity) {
      throw new InvalidRequestError(`${state.mapper.name} is not persistent in this session`)
    }
    const mapper = state.mapper
    const keys = attributes ?? mapper.columnKeys
    const relationshipKeys = keys.filter((key) => mapper.relationshipSpecs.has(key))
    // A column among `keys` reloads the row, by its key.
    const reloaded =
      relationshipKeys.length < keys.length ? new Bound(byKey(mapper), byKeyValues(identity)) : undefined
    // Relationship keys exist only once `relationship()` installed the plugin that loads them.
    const loads = plugins.relationships?.loads(mapper, relationshipKeys, [object])
    const results = await this.#readAll([...(reloaded ? [reloaded] : []), ...(loads?.statements ?? [])])
    if (reloaded && results[0]) {
      if (results[0].length === 0) {
        throw new InvalidRequestError(
          `Could not refresh ${mapper.name} ${identity.join(", ")}: its row no longer exists`,
        )
      }
      hydrateRows(reloaded, results[0], this.hydration({ populateExisting: true }))
    }
    loads?.land(results.slice(reloaded ? 1 : 0), this.hydration({}))
  }

  /** Loads one relationship for many objects in one query: `await session.load(users, User.posts)`. */
  async load(objects: readonly object[], attribute: RelationshipAttribute<unknown>): Promise<void> {
    // A RelationshipAttribute exists only once `relationship()` installed the plugin that loads it.
    const relationships = plugins.relationships
    if (objects.length === 0 || !relationships) return
    // Pending changes first: the load finds children by their parents' keys, which it may give them.
    await this.autoflush()
    const loads = relationships.loads(attribute.mapper, [attribute.key], objects)
    loads.land(await this.#readAll(loads.statements), this.hydration({}))
  }

  /**
   * Opens the interactive transaction now, with an isolation level or read-only mode; it stays open
   * until rollback (or AsyncSession's commit) or close. Without options the session opens one only
   * when it needs to (a `FOR UPDATE` query; AsyncSession's flush).
   */
  async begin(options: TransactionOptions = {}): Promise<void> {
    await this.connection.begin(options)
  }

  /** Ends the interactive transaction, if any (a read session has nothing else to undo). */
  async rollback(): Promise<void> {
    if (this.#connection?.inTransaction) await this.#connection.rollback()
  }

  inTransaction(): boolean {
    return this.#connection?.inTransaction ?? false
  }

  /** Detaches an object: the session forgets it. */
  expunge(object: object): void {
    const state = stateOf(object)
    // Only its own entry: a new object may carry the key of a row the session holds as another.
    const identity = state.identity
    if (identity && this.identityMap.get(state.mapper, identity) === object)
      this.identityMap.delete(state.mapper, identity)
    state.session = undefined
  }

  expungeAll(): void {
    for (const object of this.identityMap.values()) stateOf(object).session = undefined
    this.identityMap.clear()
  }

  /** Rolls back what is open, releases the connection and detaches every object. */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    try {
      await this.#connection?.close()
    } finally {
      this.expungeAll()
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close()
  }

  /** What runs before a query: AsyncSession flushes pending changes there; a read session has none. */
  protected autoflush(): Promise<void> | undefined {
    return undefined
  }

  /**
   * The objects of rows a DELETE returned (`deleteFrom(User).where(...).returning(User)`): their rows are
   * gone, so they leave the session, and get() asks the database for their keys instead of answering
   * with them. (AsyncSession keeps them as deleted, as its flush does: ./session.ts.)
   */
  protected deletedRows(rows: readonly (readonly unknown[])[]): void {
    for (const row of rows) for (const value of row) if (hasState(value)) this.expunge(value)
  }

  /** The connection's interactive transaction ended (AsyncSession settles what it flushed there). */
  protected transactionEnded(_committed: boolean): void {}

  protected hydration(options: ExecuteOptions): Hydration {
    return options.readOnly
      ? { identity: new IdentityMap(), session: undefined, populateExisting: false }
      : { identity: this.identityMap, session: this, populateExisting: options.populateExisting === true }
  }

  /** The session's connection, opened on first use. */
  protected get connection(): Connection {
    this.requireOpen()
    if (!this.#connection) {
      this.#connection = this.engine.connect()
      this.#connection.onTransactionEnd = (committed) => this.transactionEnded(committed)
    }
    return this.#connection
  }

  protected requireOpen(): void {
    if (this.#closed) throw new InvalidRequestError("This session is closed; open a new one")
  }

  protected get closed(): boolean {
    return this.#closed
  }

  /**
   * A query and the relationships its options load, in one statement (./json-load.ts), or the query
   * beside the statement of its loads; loads land on objects that do not have them loaded. `extra`
   * statements (a count) ride along, their results given back as they are; `values` are for the
   * plan's `bindparam()`s (a cached plan: its SQL is compiled once).
   */
  async #executeWithLoads(
    plan: LoadPlan,
    hydration: Hydration,
    extra: readonly Statement[] = [],
    values?: Readonly<Record<string, unknown>>,
  ): Promise<{ result: Result<unknown[]>; extra: Result<unknown[]>[] }> {
    const read = readOf(plan, values)
    const all = [...read.statements, ...extra]
    // Statements apart must see one snapshot (REPEATABLE READ on PostgreSQL; SQLite's transactions are
    // serializable), or a concurrent write could give the levels other parents than the query's rows.
    // A batch even of one: over Neon's WebSocket it is then one simple-protocol message.
    const results = await this.connection.batch(all, all.length > 1 ? ONE_SNAPSHOT : {})
    return {
      result: landRead(read, results, hydration, this.engine.dialect),
      extra: results.slice(read.statements.length),
    }
  }

  /** Runs reads together: one statement alone, several as one batch (one request over HTTP). */
  async #readAll(statements: readonly Statement[]): Promise<unknown[][][]> {
    const flushing = this.autoflush()
    if (flushing) await flushing
    const results =
      statements.length === 1
        ? [await this.connection.execute(statements[0] as Statement)]
        : await this.connection.batch(statements)
    return results.map((result) => result.rows as unknown[][])
  }
}
