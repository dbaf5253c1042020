// AsyncSession: unit of work and identity map over one engine connection, planned in round trips.
// Reads without pending changes are one-shot requests. `commit()` with pending changes and no open
// interactive transaction sends the whole flush as one atomic request (see ./flush/). An explicit
// `flush()`, an autoflush, or `beginNested()` opens an interactive transaction instead, which the
// session closes with itself.
import type { TransactionOptions } from "../drivers/transport.ts"
import type { Connection } from "../engine/connection.ts"
import type { Engine } from "../engine/engine.ts"
import { Result } from "../engine/result.ts"
import { EdgeAlchemyError, InvalidRequestError, StaleDataError } from "../errors.ts"
import { Bound } from "../sql/bound.ts"
import { TABLE } from "../sql/dml-target.ts"
import { and, bindparam, type Expression } from "../sql/expression.ts"
import { count as countOf } from "../sql/functions.ts"
import type { Column } from "../sql/schema/column.ts"
import { isGeneratedKey, type Table, type RowOf as TableRowOf } from "../sql/schema/table.ts"
import { Select, select } from "../sql/select.ts"
import { type ItemValue, isEntity, type RowOfItems, type SelectItem } from "../sql/select-items.ts"
import type { RowType, Statement } from "../sql/statement.ts"
import { cached } from "../util/cached.ts"
import type { RelationshipAttribute } from "./attribute.ts"
import { type BulkSession, isBulk, type SynchronizeSession } from "./bulk-sync.ts"
import { type FlushContext, Listeners, type SessionEvent } from "./events.ts"
import { collectChanges } from "./flush/collect.ts"
import { type FlushPlan, keyOf, planFlush } from "./flush/plan.ts"
import { STALE_MARKER } from "./flush/render.ts"
import { flushRendererFor } from "./flush/renderers.ts"
import { hydrateItem } from "./hydrate.ts"
import { IdentityMap } from "./identity-map.ts"
import { setRelationship } from "./instance-accessors.ts"
import type { JsonLoad } from "./json-load.ts"
import type { JoinedLoad, LoadPlan } from "./loading.ts"
import type { Mapper, ModelConstructor, RelationshipProperty } from "./mapper.ts"
import { mapperOf } from "./mapper-of.ts"
import { plugins } from "./plugins.ts"
import { referenceTo } from "./reference.ts"
import { type RelationshipLoad, relationshipLoad } from "./relationship-query.ts"
import { InstanceState, STATE, sameValue, stateOf } from "./state.ts"

/** How `session.execute` runs a statement. */
export interface ExecuteOptions {
  /** Values for `bindparam()` placeholders. */
  params?: readonly unknown[]
  /** Overwrite objects the session already has with the rows' values (their unflushed changes are lost). */
  populateExisting?: boolean
  /**
   * Objects for reading only: built outside the identity map and detached from the session, so a large
   * result costs no tracking and leaves nothing behind. Rows are still one object each within the result.
   */
  readOnly?: boolean
  /** How a bulk UPDATE or DELETE updates objects already in the session (default "auto"). */
  synchronizeSession?: SynchronizeSession
}

/** Where rows of one execution become objects. */
interface Hydration {
  readonly identity: IdentityMap
  readonly session: AsyncSession | undefined
  readonly populateExisting: boolean
}

export interface SessionOptions {
  /** Forget loaded values after commit (default false, as SQLAlchemy recommends for asyncio). */
  expireOnCommit?: boolean
  /** Flush pending changes before a query (default true). */
  autoflush?: boolean
}

type RowOf<S> = RowType<S> extends readonly unknown[] ? RowType<S> : unknown[]

/** Some of a model's column values, by key: what `session.reference` is told about a row. */
type KnownColumns<M> = M extends { readonly [TABLE]: Table<infer C> } ? Partial<TableRowOf<C>> : never

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

/** A savepoint of the session: releasing it keeps its work; rolling back undoes it, objects included. */
export interface SessionSavepoint {
  readonly name: string
  commit(): Promise<void>
  rollback(): Promise<void>
}

let sessionIds = 0

/** A read batch's transaction: one snapshot, no writes. */
const ONE_SNAPSHOT: TransactionOptions = { isolationLevel: "repeatable read", readOnly: true }

export class AsyncSession {
  readonly id = ++sessionIds
  readonly #identity = new IdentityMap()
  readonly #new = new Set<InstanceState>()
  readonly #deleted = new Set<InstanceState>()
  #connection: Connection | undefined
  #autoflush: boolean
  readonly #listeners = new Listeners<SessionEvent, (session: AsyncSession) => void>()
  #closed = false
  /** What flushes inside the open interactive transaction wrote; undone on the objects if it does not commit. */
  #flushed: FlushedInTransaction | undefined

  constructor(
    readonly engine: Engine,
    readonly options: SessionOptions = {},
  ) {
    this.#autoflush = options.autoflush !== false
  }

  /**
   * Adds a new object that may already exist in the database, found by the values of `keys` (columns
   * of a unique constraint), as SQLAlchemy's UniqueObject recipe but with no query: returns the object
   * the session already has for those values if any, else `object`, which the flush inserts or, when a
   * row with those values exists, maps onto that row (INSERT ... ON CONFLICT ... RETURNING), in the
   * flush's one request. `const tag = session.addUnique(new Tag({ name: "orm" }), ["name"])`
   */
  addUnique<T extends object>(object: T, keys: readonly string[]): T {
    const state = stateOf(object)
    if (state.committed !== undefined || keys.length === 0) {
      throw new InvalidRequestError(
        `addUnique takes a new ${state.mapper.name} and the columns of a unique key that find its row`,
      )
    }
    for (const key of keys) {
      state.mapper.table.requireColumn(key)
      if (state.values[key] === undefined || state.values[key] === null) {
        throw new InvalidRequestError(
          `addUnique needs a value for ${state.mapper.name}.${key}, which finds its row`,
        )
      }
    }
    const same = (other: InstanceState) =>
      other.mapper === state.mapper && keys.every((key) => sameValue(other.values[key], state.values[key]))
    for (const known of this.#identity.values()) if (same(stateOf(known))) return known as T
    for (const pending of this.#new) if (pending.uniqueBy && same(pending)) return pending.object as T
    state.uniqueBy = keys
    this.add(object)
    return object
  }

  /** Adds a new object (pending until flushed) or re-attaches a detached one. */
  add(object: object): void {
    const state = stateOf(object)
    this.#requireOpen()
    if (state.session && state.session !== this) {
      throw new InvalidRequestError(`${state.mapper.name} belongs to another session; expunge it there first`)
    }
    state.session = this
    if (state.committed === undefined) this.#new.add(state)
    else if (state.identity) this.#identity.set(state.mapper, state.identity, object)
  }

  addAll(objects: Iterable<object>): void {
    for (const object of objects) this.add(object)
  }

  /**
   * Copies a detached or foreign object's column values onto this session's object for the same row
   * (loading it if needed), or onto a new pending object when the row does not exist; returns that object.
   */
  async merge<T extends object>(object: T): Promise<T> {
    const source = stateOf(object)
    if (source.session === this) return object
    const cls = source.mapper.cls as unknown as new () => T
    const identity = source.identity
    const target = (identity ? await this.get(cls as never, identity) : null) as T | null
    const merged = target ?? (Object.create(cls.prototype as object) as T)
    if (!target) {
      Object.defineProperty(merged, STATE, {
        value: new InstanceState(merged, source.mapper),
        enumerable: false,
      })
    }
    const state = stateOf(merged)
    for (const key of source.mapper.columnKeys) {
      if (source.values[key] !== undefined) state.values[key] = source.values[key]
    }
    if (!target) this.add(merged)
    return merged
  }

  /**
   * The persistent object of a row the application knows, without loading it (SQLAlchemy's
   * `merge(obj, load=False)`): `known` holds its primary key and any columns the caller is sure of. It
   * knows only those (reading another raises NotLoadedError); the flush writes what is set on it, and
   * its UPDATE or DELETE asserts every known column, so a row that no longer has them is stale:
   * `session.reference(Post, { id, version: 3, userId: me }).title = "New"` then `commit()` sends, in one
   * request, `UPDATE posts SET title = $1, version = $2 WHERE posts.id = $3 AND posts.version = $4 AND
   * posts.user_id = $5 RETURNING ...` (SQLite: `?` placeholders), checked to match one row: a changed
   * version or another author fails it with StaleDataError, writing nothing. Its collections are not
   * loaded; assigning one (`post.tags = [...]`) replaces the rows the database has. Ordinary queries
   * leave a reference as it is (their rows do not overwrite objects the session holds); `refresh()`,
   * `commit({ read })` or `populateExisting` load its row.
   */
  reference<M extends ModelConstructor>(model: M, known: KnownColumns<M>): InstanceType<M> {
    const mapper = mapperOf(model)
    mapper.adopt(model)
    this.#requireOpen()
    const values = known as Record<string, unknown>
    const existing = this.#identity.get(
      mapper,
      mapper.primaryKey.map((column) => values[column.key]),
    )
    const state = referenceTo(mapper, values, existing)
    if (!existing) this.add(state.object)
    return state.object as InstanceType<M>
  }

  /** Marks a persistent object for deletion at the next flush; a pending one is simply dropped. */
  delete(object: object): void {
    const state = stateOf(object)
    if (state.session !== this) throw new InvalidRequestError(`${state.mapper.name} is not in this session`)
    if (state.committed === undefined) {
      this.expunge(object)
      return
    }
    state.deleted = true
    this.#deleted.add(state)
  }

  /** The object with this primary key: from the identity map when the session has it, else one query. */
  async get<M extends ModelConstructor>(model: M, key: unknown): Promise<InstanceType<M> | null> {
    const mapper = mapperOf(model)
    mapper.adopt(model)
    const identity = Array.isArray(key) ? key : [key]
    const known = this.#identity.get(mapper, identity)
    if (known) return stateOf(known).deleted ? null : (known as InstanceType<M>)
    if (this.#autoflush && this.#hasChanges()) await this.flush()
    // A one-column key, the commonest, without the pairs and template strings of the general case.
    const values =
      identity.length === 1
        ? { k0: identity[0] }
        : Object.fromEntries(identity.map((value, i) => [`k${i}`, value]))
    const { result } = await this.#executeWithLoads(byKeyPlan(mapper), this.#hydration({}), [], values)
    return (result.first()?.[0] as InstanceType<M> | undefined) ?? null
  }

  /**
   * Runs a statement; mapped entities in its rows (a select's, or an INSERT/UPDATE/DELETE's RETURNING)
   * come back as objects through the identity map. A bulk UPDATE or DELETE also updates the objects
   * the session holds (`synchronizeSession`).
   */
  async execute<S extends Statement>(statement: S, options: ExecuteOptions = {}): Promise<Result<RowOf<S>>> {
    if (this.#autoflush && this.#hasChanges()) await this.flush()
    // Row locks only mean something inside a transaction: FOR UPDATE moves the session onto one.
    const locks = (statement as { state?: { forUpdate?: unknown } }).state?.forUpdate !== undefined
    if (locks && !this.#conn.inTransaction) await this.#conn.begin()
    // Rows an INSERT/UPDATE/DELETE returns are what the statement just wrote: they refresh the objects.
    const writes = statement.kind !== "select" && statement.kind !== "compound_select"
    const hydration = this.#hydration(writes ? { populateExisting: true, ...options } : options)
    const loaderOptions = (statement as { state?: { options?: readonly unknown[] } }).state?.options ?? []
    const plan =
      statement.kind === "select"
        ? planOf(statement as unknown as Select<readonly SelectItem[]>, loaderOptions)
        : undefined
    if (plan && (plan.levels.length > 0 || plan.joined.length > 0)) {
      return (await this.#executeWithLoads(plan, hydration)).result as Result<RowOf<S>>
    }
    // `update()`/`deleteFrom()` of this package install bulk synchronization (./dml.ts).
    const sync = isBulk(statement)
      ? plugins.bulkSync?.(statement, options.synchronizeSession ?? "auto", this.#bulkSession())
      : undefined
    const result = await this.#conn.execute(sync?.statement ?? statement, options.params)
    sync?.apply(result.rows as readonly unknown[][])
    const all = result.rows as readonly unknown[][]
    const own = sync ? all.map((row) => row.slice(0, sync.ownColumns)) : all
    const rows = this.#hydrateRows(statement, own, hydration)
    return new Result(rows as never[], result.columns.slice(0, sync?.ownColumns), result.rowsAffected)
  }

  #hydration(options: ExecuteOptions): Hydration {
    return options.readOnly
      ? { identity: new IdentityMap(), session: undefined, populateExisting: false }
      : { identity: this.#identity, session: this, populateExisting: options.populateExisting === true }
  }

  #bulkSession(): BulkSession {
    return {
      objectsOf: (table) =>
        [...this.#identity.values()].map(stateOf).filter((state) => state.mapper.table === table),
      objectAt: (mapper, identity) => {
        const object = this.#identity.get(mapper, identity)
        return object ? stateOf(object) : undefined
      },
      forget: (state) => this.#forget(state),
    }
  }

  /** Detaches an object whose row is gone (deleted by a flush or by a bulk DELETE). */
  #forget(state: InstanceState): void {
    this.#deleted.delete(state)
    if (state.identity) this.#identity.delete(state.mapper, state.identity)
    state.gone = true
    state.session = undefined
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
    const results = await this.#conn.batch(all, all.length > 1 ? ONE_SNAPSHOT : {})
    return {
      result: this.#landLoads(read, results, hydration),
      extra: results.slice(read.statements.length),
    }
  }

  /**
   * A read's objects and its loads from the results of its statements (first in `results`): the rows
   * become objects, and each level's objects land on the objects of the level above.
   */
  #landLoads(
    { plan, json }: Read,
    results: readonly Result<unknown[]>[],
    hydration: Hydration,
  ): Result<unknown[]> {
    const { statement, levels, joined } = plan
    const first = results[0]
    // The JSON row holds the rows of the query (when it travels in it) and of each level.
    const jsonRow = (json && results[json.names ? 0 : 1]?.rows[0]) || []
    const { dialect } = this.engine
    const queryRows = json?.names
      ? (plugins.loads?.rows(jsonRow, 0, statement, dialect) ?? [])
      : ((first?.rows ?? []) as unknown[][])
    const hydrated = this.#hydrateRows(statement, queryRows, hydration)
    const rows = assignJoined(hydrated, joined, -1, hydration.populateExisting)
    const entityColumn = itemsOf(statement).findIndex(isEntity)
    const loadedByLevel: object[][] = []
    const roots = levels.length > 0 ? distinctObjects(rows.map((row) => row[entityColumn])) : []
    for (const [i, level] of levels.entries()) {
      const raw = plugins.loads?.rows(jsonRow, json?.names ? i + 1 : i, level.load.statement, dialect) ?? []
      const links = raw.map(level.load.linkOf)
      const children = assignJoined(
        this.#hydrateRows(level.load.statement, raw, hydration),
        joined,
        i,
        hydration.populateExisting,
      )
      const owners = level.parent === -1 ? roots : (loadedByLevel[level.parent] ?? [])
      assignLoaded(level.property, level.load.assign(children, links, owners), hydration.populateExisting)
      loadedByLevel.push(distinctObjects(children.map((row) => row[0])))
    }
    // A SELECT's count of rows, where the driver reports one (PostgreSQL), is the query's.
    const affected = json?.names && first?.rowsAffected ? rows.length : (first?.rowsAffected ?? 0)
    return new Result(rows as never[], json?.names ?? first?.columns ?? [], affected)
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
    if (!Number.isInteger(page) || page < 1)
      throw new InvalidRequestError(`page must be an integer from 1, got ${page}`)
    if (!Number.isInteger(pageSize) || pageSize < 1) {
      throw new InvalidRequestError(`pageSize must be a positive integer, got ${pageSize}`)
    }
    if (this.#autoflush && this.#hasChanges()) await this.flush()
    const paged = query.limit(pageSize).offset((page - 1) * pageSize) as unknown as Select<
      readonly SelectItem[]
    >
    const unordered = new Select({
      ...query.state,
      orderBy: [],
      limit: undefined,
      offset: undefined,
      options: [],
    })
    const count = select(countOf()).selectFrom(unordered.subquery("paginated"))
    const plan = planOf(paged, query.state.options ?? [])
    const { result, extra } = await this.#executeWithLoads(plan, this.#hydration(options), [count])
    const total = Number(extra[0]?.scalar() ?? 0)
    const single = query.state.items.length === 1
    const items = result.rows.map((row) => (single ? row[0] : row)) as PageItem<Items>[]
    return { items, total, page, pageSize }
  }

  /** Replaces the entity values of rows (in place) by objects from the identity map. */
  #hydrateRows(statement: Statement, rows: readonly unknown[][], hydration: Hydration): unknown[][] {
    const items = itemsOf(statement)
    for (const [i, item] of items.entries()) {
      if (!isEntity(item)) continue
      const mapper = mapperOf(item)
      if (typeof item === "function") mapper.adopt(item as unknown as ModelConstructor)
      const { identity, session, populateExisting } = hydration
      hydrateItem(mapper, rows as unknown[][], i, identity, session, populateExisting)
    }
    return rows as unknown[][]
  }

  /**
   * Reloads an object's columns from the database and loads the relationships named in `attributes`
   * (`await session.refresh(user, ["posts"])`), all in one request.
   */
  async refresh(object: object, attributes?: readonly string[]): Promise<void> {
    const state = stateOf(object)
    if (state.session !== this || !state.identity) {
      throw new InvalidRequestError(
        `${state.mapper.name} is not persistent in this session; nothing to refresh`,
      )
    }
    const mapper = state.mapper
    const keys = attributes ?? mapper.columnKeys
    const relationshipKeys = keys.filter((key) => mapper.relationshipSpecs.has(key))
    const columnKeys = keys.filter((key) => !mapper.relationshipSpecs.has(key))
    const statements: Statement[] = []
    if (columnKeys.length > 0) {
      const values = Object.fromEntries(state.identity.map((value, i) => [`k${i}`, value]))
      statements.push(new Bound(byKey(mapper), values))
    }
    const loads = relationshipKeys.map((key) => relationshipLoad(mapper.relationship(key), [object]))
    statements.push(...loads.map((load) => load.statement))
    const results = await this.#readAll(statements)
    const [reloaded] = statements
    if (columnKeys.length > 0 && reloaded && results[0]) {
      this.#hydrateRows(reloaded, results[0], { ...this.#hydration({}), populateExisting: true })
    }
    loads.forEach((load, i) => {
      const property = mapper.relationship(relationshipKeys[i] as string)
      this.#assignLoad(load, property, results[i + (columnKeys.length > 0 ? 1 : 0)] ?? [], [object])
    })
  }

  /** Loads one relationship for many objects in one query: `await session.load(users, User.posts)`. */
  async load(objects: readonly object[], attribute: RelationshipAttribute<unknown>): Promise<void> {
    if (objects.length === 0) return
    const property = attribute.property
    const load = relationshipLoad(property, objects)
    const [rows = []] = await this.#readAll([load.statement])
    this.#assignLoad(load, property, rows, objects)
  }

  /** Runs reads together: one statement alone, several as one batch (one request over HTTP). */
  async #readAll(statements: readonly Statement[]): Promise<unknown[][][]> {
    if (this.#autoflush && this.#hasChanges()) await this.flush()
    const results =
      statements.length === 1
        ? [await this.#conn.execute(statements[0] as Statement)]
        : await this.#conn.batch(statements)
    return results.map((result) => result.rows as unknown[][])
  }

  /** A relationship's rows, as decoded, to objects given to their parents. */
  #assignLoad(
    load: RelationshipLoad,
    property: RelationshipProperty,
    rows: unknown[][],
    parents: readonly object[],
  ) {
    const links = rows.map(load.linkOf)
    const objects = this.#hydrateRows(load.statement, rows, this.#hydration({}))
    assignLoaded(property, load.assign(objects, links, parents))
  }

  async scalars<S extends Statement>(statement: S, options?: ExecuteOptions) {
    return (await this.execute(statement, options)).scalars()
  }

  async scalar<S extends Statement>(statement: S, options?: ExecuteOptions) {
    return (await this.execute(statement, options)).scalar()
  }

  /** Writes pending changes inside an interactive transaction, which stays open until commit. */
  async flush(): Promise<void> {
    if (!this.#hasChanges()) return
    const connection = this.#conn
    if (!connection.inTransaction) await connection.begin()
    await this.#writeChanges(connection)
  }

  /**
   * Makes the changes durable. With pending changes and no interactive transaction open, the whole
   * flush and its COMMIT travel as one atomic request.
   *
   * `read` is a query to answer with, read after the writes in the same transaction and the same
   * request (with its loader options' statements): its rows refresh the session's objects, as any
   * query with `populateExisting`, and it comes back as the result of `execute()` would.
   * `const [post, comments] = (await session.commit({ read: select(Post, commentCount).where(Post.id.eq(id)) })).one()`
   * On Neon HTTP: `BEGIN; <flush>; SELECT ...; <loads>; COMMIT` as one transaction request; on libSQL one
   * batch (BEGIN IMMEDIATE ... COMMIT). The reads see the transaction's writes, each statement at its
   * isolation level (READ COMMITTED on PostgreSQL, serializable on SQLite).
   */
  async commit(): Promise<void>
  async commit<S extends Select<readonly SelectItem[]>>(options: { read: S }): Promise<Result<RowOf<S>>>
  async commit(options?: { read?: Select<readonly SelectItem[]> }): Promise<unknown> {
    const connection = this.#conn
    const read = options?.read && readOf(planOf(options.read, options.read.state.options ?? []))
    const reads = read?.statements ?? []
    let results: Result<unknown[]>[] = []
    if (connection.inTransaction) {
      results = await this.#writeChanges(connection, reads)
      await connection.commit()
    } else if (this.#hasChanges()) {
      results = await this.#writeChanges(connection, reads)
    } else if (read) {
      results = await connection.batch(reads, reads.length > 1 ? ONE_SNAPSHOT : {})
    }
    this.#afterCommit()
    return read && this.#landLoads(read, results, this.#hydration({ populateExisting: true }))
  }

  /** Listens to this session's flushes and transactions: `session.on("afterCommit", ...)`. */
  on(event: SessionEvent, listener: (session: AsyncSession) => void): () => void {
    return this.#listeners.add(event, listener)
  }

  /**
   * Ends the interactive transaction, if any, and drops every change not committed: unflushed new
   * objects are expunged, objects marked for deletion stay, persistent objects get back what the
   * database has (changed relationships unloaded), and what the transaction flushed is undone.
   */
  async rollback(): Promise<void> {
    if (this.#connection?.inTransaction) await this.#connection.rollback()
    this.#fire("afterRollback")
    for (const state of this.#new) state.session = undefined
    this.#new.clear()
    for (const state of this.#deleted) state.deleted = false
    this.#deleted.clear()
    for (const object of this.#identity.values()) discardUnflushed(stateOf(object))
  }

  /**
   * Opens the interactive transaction now, with an isolation level or read-only mode; it stays open
   * until commit or rollback. Without options the session opens one only when it needs to.
   */
  async begin(options: TransactionOptions = {}): Promise<void> {
    if (this.#conn.inTransaction) throw new InvalidRequestError("This session already has a transaction open")
    await this.#conn.begin(options)
  }

  /**
   * A savepoint in an interactive transaction (opened if needed), flushing pending changes first. Its
   * `rollback()` also puts the session's objects back as they were at the savepoint; objects added
   * since then are expunged, as in SQLAlchemy.
   */
  async beginNested(): Promise<SessionSavepoint> {
    await this.flush()
    const savepoint = await this.#conn.beginNested()
    const states = [...this.#new, ...[...this.#identity.values()].map(stateOf)]
    const snapshot = new Map(
      states.map((state) => [
        state,
        { values: { ...state.values }, committed: state.committed, deleted: state.deleted },
      ]),
    )
    return {
      name: savepoint.name,
      commit: () => savepoint.commit(),
      rollback: async () => {
        // Objects go back to the savepoint when this undoes its work, or a failed statement did; not
        // when it was released, or ended with an enclosing savepoint or transaction (no-op, as SQLAlchemy).
        const undone = savepoint.state === "active" || savepoint.state === "failed"
        await savepoint.rollback()
        if (!undone) return
        for (const object of [...this.#identity.values()]) {
          const state = stateOf(object)
          // Its row went with the savepoint.
          if (!snapshot.has(state)) this.#makeNewAgain(state)
        }
        for (const state of [...this.#new]) if (!snapshot.has(state)) this.expunge(state.object)
        for (const [state, saved] of snapshot) {
          for (const key of Object.keys(state.values)) if (!(key in saved.values)) delete state.values[key]
          Object.assign(state.values, saved.values)
          state.committed = saved.committed
          state.deleted = saved.deleted
        }
      },
    }
  }

  inTransaction(): boolean {
    return this.#connection?.inTransaction ?? false
  }

  isModified(object: object): boolean {
    const state = stateOf(object)
    return state.committed === undefined || state.modifiedColumns().length > 0
  }

  /** Detaches an object: the session forgets it. */
  expunge(object: object): void {
    const state = stateOf(object)
    this.#new.delete(state)
    this.#deleted.delete(state)
    if (state.identity) this.#identity.delete(state.mapper, state.identity)
    state.session = undefined
  }

  expungeAll(): void {
    for (const object of [...this.#identity.values()]) stateOf(object).session = undefined
    for (const state of this.#new) state.session = undefined
    this.#identity.clear()
    this.#new.clear()
    this.#deleted.clear()
  }

  /** Runs `work` without autoflush: queries inside it see the database, not pending changes. */
  async noAutoflush<T>(work: () => Promise<T>): Promise<T> {
    const saved = this.#autoflush
    this.#autoflush = false
    try {
      return await work()
    } finally {
      this.#autoflush = saved
    }
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

  #hasChanges(): boolean {
    if (this.#new.size > 0 || this.#deleted.size > 0) return true
    for (const object of this.#identity.values()) {
      const state = stateOf(object)
      if (state.modifiedColumns().length > 0 || relationshipsChanged(state)) return true
    }
    return false
  }

  /**
   * Plans and sends the flush; on failure every object is as it was before it. Mapper listeners run
   * while planning; whatever they add or change is planned again, so it is written in the same request.
   * `reads` go in the same request after the flush; their results are returned.
   */
  async #writeChanges(
    connection: Connection,
    reads: readonly Statement[] = [],
  ): Promise<Result<unknown[]>[]> {
    this.#fire("beforeFlush")
    const saved = new Map<InstanceState, SavedState>()
    const context: FlushContext = { session: this, keyOf: (object) => primaryKeyOf(object) }
    const notified = { before: new Set<InstanceState>(), after: new Set<InstanceState>() }
    const earlier = this.#flushed
    try {
      let plan: FlushPlan | undefined
      for (let round = 0; !plan; round++) {
        if (round > 20)
          throw new InvalidRequestError("Flush listeners keep adding changes; a listener may loop")
        const changes = collectChanges(this, this.#new, this.#identity, this.#deleted)
        for (const state of changes.all) {
          if (!saved.has(state)) saved.set(state, { values: { ...state.values }, committed: state.committed })
        }
        const candidate = planFlush(changes, changes.order)
        if (notify(candidate, "before", notified.before, context)) continue
        if (notify(candidate, "after", notified.after, context)) continue
        plan = candidate
      }
      if (plan.steps.length === 0) return await connection.batch(reads)
      const rendered = flushRendererFor(this.engine.dialect).render(plan.steps)
      const results = await connection.batch([...rendered.map((r) => r.statement), ...reads])
      for (const [i, r] of rendered.entries()) r.apply(results[i]?.rows ?? [])
      if (connection.inTransaction) this.#recordFlushed(plan, saved)
      this.#afterFlush(plan.inserted, plan.deleted)
      this.#fire("afterFlush")
      return results.slice(rendered.length)
    } catch (error) {
      for (const [state, { values, committed }] of saved) {
        for (const key of Object.keys(state.values)) if (!(key in values)) delete state.values[key]
        Object.assign(state.values, values)
        state.committed = committed
      }
      // The failure ended the transaction, which undid its earlier flushes before this flush's objects
      // were put back above: undo them again over that (undoing is idempotent).
      if (earlier && this.#flushed !== earlier) this.#undoFlushed(earlier)
      if (!connection.inTransaction) this.#fire("afterRollback")
      throw staleOrSame(error)
    }
  }

  #afterFlush(inserted: readonly InstanceState[], deleted: readonly InstanceState[]): void {
    for (const state of inserted) {
      this.#new.delete(state)
      state.uniqueBy = undefined
      if (state.identity) this.#identity.set(state.mapper, state.identity, state.object)
    }
    for (const state of deleted) this.#forget(state)
    for (const object of this.#identity.values()) snapshotCollections(stateOf(object))
  }

  /** Notes what a flush inside an interactive transaction wrote, as it was before the transaction. */
  #recordFlushed(plan: FlushPlan, saved: ReadonlyMap<InstanceState, SavedState>): void {
    this.#flushed ??= { inserted: new Set(), before: new Map() }
    const flushed = this.#flushed
    for (const state of plan.inserted) flushed.inserted.add(state)
    for (const state of [...plan.updated, ...plan.deleted]) {
      const before = saved.get(state)
      if (before && !flushed.inserted.has(state) && !flushed.before.has(state))
        flushed.before.set(state, before)
    }
  }

  /** The interactive transaction ended: forget what it flushed if it committed, else undo it. */
  #transactionEnded(committed: boolean): void {
    const flushed = this.#flushed
    this.#flushed = undefined
    if (flushed && !committed) this.#undoFlushed(flushed)
  }

  /**
   * Puts the objects a transaction that did not commit had written back to what the database has, as
   * SQLAlchemy's rollback does: objects it inserted are transient again (without generated keys),
   * objects it deleted persistent again, and updated or deleted ones get their column values from
   * before it and their relationships unloaded (`refresh()` loads them), as SQLAlchemy expires them.
   */
  #undoFlushed(flushed: FlushedInTransaction): void {
    for (const state of flushed.inserted) this.#makeNewAgain(state)
    for (const [state, before] of flushed.before) {
      const committed = before.committed ?? {}
      for (const key of state.mapper.columnKeys) {
        if (key in committed) state.values[key] = committed[key]
        else delete state.values[key]
      }
      state.committed = before.committed
      for (const key of [...state.loaded]) unload(state, key)
      state.deleted = false
      state.gone = false
      this.#deleted.delete(state)
      state.session = this
      if (state.identity) this.#identity.set(state.mapper, state.identity, state.object)
    }
  }

  /** An object whose row was rolled back: transient again, without the keys the database gave it. */
  #makeNewAgain(state: InstanceState): void {
    this.expunge(state.object)
    state.committed = undefined
    for (const column of state.mapper.primaryKey) {
      if (isGeneratedKey(column)) delete state.values[column.key]
    }
  }

  #fire(event: SessionEvent): void {
    for (const listener of this.#listeners.get(event)) listener(this)
  }

  #afterCommit(): void {
    this.#fire("afterCommit")
    if (!this.options.expireOnCommit) return
    for (const object of this.#identity.values()) stateOf(object).loaded.clear()
  }

  get #conn(): Connection {
    this.#requireOpen()
    if (!this.#connection) {
      this.#connection = this.engine.connect()
      this.#connection.onTransactionEnd = (committed) => this.#transactionEnded(committed)
    }
    return this.#connection
  }

  #requireOpen(): void {
    if (this.#closed) throw new InvalidRequestError("This session is closed; open a new one")
  }
}

/** Runs before* or after* mapper listeners for the rows of a plan not yet told; true if any ran. */
function notify(
  plan: FlushPlan,
  when: "before" | "after",
  told: Set<InstanceState>,
  context: FlushContext,
): boolean {
  let ran = false
  const groups = [
    [plan.inserted, "Insert"],
    [plan.updated, "Update"],
    [plan.deleted, "Delete"],
  ] as const
  for (const [states, what] of groups) {
    for (const state of states) {
      if (told.has(state)) continue
      told.add(state)
      const listeners = state.mapper.listeners.get(`${when}${what}`)
      for (const listener of listeners) listener(state.object, context)
      ran ||= listeners.length > 0
    }
  }
  return ran
}

/** Per mapper: `select(Model)` by primary key, its values as `bindparam`s k0, k1..., made once. */
const byKeySelects = new WeakMap<Mapper, Select<readonly SelectItem[]>>()
const byKeyPlans = new WeakMap<Mapper, LoadPlan>()

function byKey(mapper: Mapper): Select<readonly SelectItem[]> {
  return cached(byKeySelects, mapper, () => {
    const conditions = mapper.primaryKey.map((column, i) => column.eq(bindparam(`k${i}`, column.type)))
    return select(mapper.cls as never).where(and(...conditions)) as Select<readonly SelectItem[]>
  })
}

/**
 * `session.get`'s plan for a mapper: by primary key, with the loads its relationships ask for by
 * default. Mappers do not change once their relationships are resolved, so neither does the plan; its
 * SQL is compiled once per dialect (../sql/bound.ts).
 */
function byKeyPlan(mapper: Mapper): LoadPlan {
  return cached(byKeyPlans, mapper, () => planOf(byKey(mapper), []))
}

/** A query with its loads, as the statements that read them: the query and a JSON load, or one of them. */
interface Read {
  readonly plan: LoadPlan
  readonly json: JsonLoad | undefined
  readonly statements: readonly Statement[]
}

/** The statements of a plan: one JSON statement carrying the query, or the query and the JSON of its loads. */
function readOf(plan: LoadPlan, values?: Readonly<Record<string, unknown>>): Read {
  const json = plan.levels.length > 0 ? plugins.loads?.json(plan) : undefined
  const own = json ? (json.names ? [json.statement] : [plan.statement, json.statement]) : [plan.statement]
  return { plan, json, statements: own.map((s) => (values ? new Bound(s, values) : s)) }
}

/** The statements a select runs as, with the loads it asks for (none when nothing can ask: ./plugins.ts). */
function planOf(query: Select<readonly SelectItem[]>, options: readonly unknown[]): LoadPlan {
  return plugins.loads?.plan(query, options) ?? { statement: query, levels: [], joined: [] }
}

/** A primary key for listeners: the value, or the KeyRef of a row the flush inserts. */
function primaryKeyOf(object: object): number | Expression<number> {
  const state = stateOf(object)
  const [column] = state.mapper.primaryKey
  return keyOf(object, column as Column<unknown>) as number | Expression<number>
}

/**
 * Stores loaded relationship values on their parents, as what the database has. Loader options leave
 * alone a relationship the object already has loaded (it may hold unflushed changes); refresh and
 * load overwrite.
 */
function assignLoaded(property: RelationshipProperty, loaded: Map<object, object[]>, overwrite = true): void {
  for (const [parent, items] of loaded) {
    const state = stateOf(parent)
    if (!overwrite && state.loaded.has(property.key)) continue
    setRelationship(state, property, property.uselist ? items : (items[0] ?? null))
    state.committedCollections.set(property.key, new Set(property.uselist ? items : items.slice(0, 1)))
    // A loaded one-to-many also tells each child its parent (the many-to-one side), with no query.
    const back = property.direction === "one-to-many" ? property.backPopulates : undefined
    if (!back) continue
    for (const item of items) {
      const child = stateOf(item)
      if (child.loaded.has(back)) continue
      setRelationship(child, child.mapper.relationship(back), parent)
      child.committedCollections.set(back, new Set([parent]))
    }
  }
}

/**
 * Gives each row's owner its joined-in many-to-one (unless it has it loaded already) and takes the
 * joined columns off the rows, which then look as the statement before the joins.
 */
function assignJoined(
  rows: unknown[][],
  joined: readonly JoinedLoad[],
  owner: number,
  overwrite: boolean,
): unknown[][] {
  const here = joined.filter((load) => load.owner === owner)
  if (here.length === 0) return rows
  for (const load of here) {
    const loaded = new Map<object, object[]>()
    for (const row of rows) {
      const parent = row[load.ownerItem] as object
      const target = row[load.item] as object | null
      if (parent) loaded.set(parent, target ? [target] : [])
    }
    assignLoaded(load.property, loaded, overwrite)
  }
  const keep = Math.min(...here.map((load) => load.item))
  return rows.map((row) => row.slice(0, keep))
}

/** What a statement's rows hold: a select's items, or an INSERT/UPDATE/DELETE's RETURNING. */
function itemsOf(statement: Statement): readonly unknown[] {
  const state = (statement as { state?: { items?: readonly unknown[]; returning?: readonly unknown[] } })
    .state
  return state?.items ?? state?.returning ?? []
}

function distinctObjects(values: readonly unknown[]): object[] {
  return [...new Set(values.filter((v): v is object => typeof v === "object" && v !== null))]
}

/** After a flush, relationships as they are now are what the database has. */
function snapshotCollections(state: InstanceState): void {
  for (const key of state.loaded) state.committedCollections.set(key, new Set(related(state, key)))
}

/** A relationship's objects: the collection, or the one related object (none for null). */
function related(state: InstanceState, key: string): object[] {
  const value = state.values[key]
  return Array.isArray(value) ? (value as object[]) : value ? [value as object] : []
}

/** Whether a loaded relationship differs from what the database has (unknown counts as changed). */
function relationshipsChanged(state: InstanceState): boolean {
  for (const key of state.loaded) if (relationshipChanged(state, key)) return true
  return false
}

function relationshipChanged(state: InstanceState, key: string): boolean {
  const before = state.committedCollections.get(key)
  const now = related(state, key)
  return !before || before.size !== now.length || now.some((item) => !before.has(item))
}

/** Forgets a loaded relationship's value: reading it raises NotLoadedError until it is loaded again. */
function unload(state: InstanceState, key: string): void {
  delete state.values[key]
  state.committedCollections.delete(key)
  state.loaded.delete(key)
}

/**
 * Drops an object's unflushed changes, as SQLAlchemy's rollback does by expiring it: columns go back to
 * what the database has, and changed relationships are unloaded.
 */
function discardUnflushed(state: InstanceState): void {
  const committed = state.committed ?? {}
  for (const key of state.modifiedColumns()) {
    if (key in committed) state.values[key] = committed[key]
    else delete state.values[key]
  }
  for (const key of [...state.loaded]) if (relationshipChanged(state, key)) unload(state, key)
}

/** A failed version or row-count check becomes StaleDataError; anything else stays as it is. */
function staleOrSame(error: unknown): unknown {
  if (!(error instanceof EdgeAlchemyError)) return error
  const text = `${error.message} ${(error as { sql?: string }).sql ?? ""}`
  if (!text.includes(STALE_MARKER)) return error
  return new StaleDataError(
    "A row changed or vanished since it was loaded (its version, its key, or a column a reference asserts no longer matches); nothing was written. Reload it and try again.",
    { cause: error },
  )
}

/** A factory of sessions configured alike, as SQLAlchemy's `sessionmaker`: `const Session = sessionmaker(engine)`. */
export function sessionmaker(engine: Engine, options: SessionOptions = {}): () => AsyncSession {
  return () => new AsyncSession(engine, options)
}

/** An object's values and committed state, as saved before a flush. */
interface SavedState {
  readonly values: Record<string, unknown>
  readonly committed: Record<string, unknown> | undefined
}

/** What the flushes of one interactive transaction wrote. */
interface FlushedInTransaction {
  /** Objects whose rows it inserted. */
  readonly inserted: Set<InstanceState>
  /** Objects it updated or deleted, as they were before its first flush that wrote them. */
  readonly before: Map<InstanceState, SavedState>
}
