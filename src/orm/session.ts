// AsyncSession: a ReadSession (./read-session.ts) with a unit of work, planned in round trips. Reads
// without pending changes are one-shot requests. `commit()` with pending changes and no open interactive
// transaction sends the whole flush as one atomic request (see ./flush/). An explicit `flush()`, an
// autoflush, or `beginNested()` opens an interactive transaction instead, which the session closes with
// itself.

import { CLOSE_TIMEOUT_MS, type TransactionOptions } from "../drivers/transport.ts"
import { type Connection, mayWrite } from "../engine/connection.ts"
import type { Engine } from "../engine/engine.ts"
import { Result } from "../engine/result.ts"
import { beginNested, rollbackFailedWork, type Savepoint } from "../engine/savepoints.ts"
import { DataError, InvalidRequestError, PendingRollbackError, UnknownOutcomeError } from "../errors.ts"
import { TABLE } from "../sql/dml-target.ts"
import { requireRestricted } from "../sql/dml-where.ts"
import { isGeneratedKey, type Table, type RowOf as TableRowOf } from "../sql/schema/table.ts"
import type { Select } from "../sql/select.ts"
import type { SelectItem } from "../sql/select-items.ts"
import type { Statement } from "../sql/statement.ts"
import { cached } from "../util/cached.ts"
import { settledWithin } from "../util/settle-within.ts"
import { relinkMoved } from "./bulk-relink.ts"
import { bulkSession, isBulk } from "./bulk-sync.ts"
import { relationshipWrites } from "./collection.ts"
import { described } from "./described.ts"
import { type FlushContext, Listeners, SESSION_EVENTS, type SessionEvent } from "./events.ts"
import { dropExpiredSets, expire, expireColumns } from "./expired-sets.ts"
import { collectChanges, detachedThroughDelete, reachedByAdd } from "./flush/collect.ts"
import { ListenerGrowth } from "./flush/listener-growth.ts"
import { type FlushPlan, planFlush } from "./flush/plan.ts"
import { flushRendererFor } from "./flush/renderers.ts"
import {
  committedButUnreadable,
  insertedWithoutRows,
  readReturned,
  readRows,
  undecoded,
} from "./flush/returned.ts"
import { changedSinceFlush, flushScope, listened, storedMembersOfNew } from "./flush/scope.ts"
import { type Mapper, type ModelConstructor, relationshipOf } from "./mapper.ts"
import { mapperOf } from "./mapper-of.ts"
import { mergeInto } from "./merge.ts"
import { plugins } from "./plugins.ts"
import { type ExecuteOptions, keyValues, ReadSession, type RowOf } from "./read-session.ts"
import { referenceTo } from "./reference.ts"
import { membersBeforeRefresh, showPendingLinks } from "./refresh-pending-links.ts"
import { noteRolledBack, reloadRolledBackVersions } from "./rolled-back-versions.ts"
import {
  callListener,
  discardUnflushed,
  type FlushedInTransaction,
  keepLateChanges,
  lateChanges,
  nothingFlushed,
  notify,
  primaryKeyOf,
  recordFlushed,
  relationshipsChanged,
  restoreSaved,
  restoreSnapshot,
  revertToCommitted,
  type SavedState,
  type Snapshot,
  saveOf,
  snapshotCollections,
  snapshotOf,
  staleOrSame,
  unload,
  unloadRelationships,
} from "./session-changes.ts"
import { checkCommitOptions, checkSessionOptions, checkTransactionOptions } from "./session-options.ts"
import { hydrateRows, landRead, ONE_SNAPSHOT, planOf, readOf } from "./session-reads.ts"
import {
  hasState,
  type InstanceState,
  loadedOf,
  refuseForeign,
  relatedOf,
  sameValue,
  stateOf,
} from "./state.ts"

/** Each may be `undefined`, meaning not given (as under `exactOptionalPropertyTypes`). */
export interface SessionOptions {
  /**
   * Expire objects at commit (default false, as SQLAlchemy recommends for asyncio): relationships are
   * unloaded, and the next query or `get` that reaches an object's row reloads its columns. There is no
   * implicit I/O: until then it keeps the values it had, and a column set meanwhile is written by the next
   * flush even if equal to the value it had (the row may hold another by now), as SQLAlchemy's.
   */
  expireOnCommit?: boolean | undefined
  /** Flush pending changes before a query (default true). */
  autoflush?: boolean | undefined
}

/** Some of a model's column values, by key: what `session.reference` is told about a row. */
type KnownColumns<M> = M extends { readonly [TABLE]: Table<infer C> } ? Partial<TableRowOf<C>> : never

/** A savepoint of the session: releasing it keeps its work; rolling back undoes it, objects included. */
export interface SessionSavepoint {
  readonly name: string
  commit(): Promise<void>
  rollback(): Promise<void>
}

/**
 * The session of SQLAlchemy's ORM: a ReadSession (identity map, queries, loads) with a unit of work.
 * Objects added, changed or deleted are written by the next flush, and `commit()` sends the flush and
 * its COMMIT as one request when no interactive transaction is open.
 *
 * ```ts
 * await using session = new AsyncSession(createEngine(env.DATABASE_URL))
 * session.add(new User({ username: "ada" }))
 * await session.commit() // INSERT INTO users (username) VALUES ($1) RETURNING ... (SQLite: ?), COMMIT
 * ```
 */
/**
 * Counts objects entering or leaving any AsyncSession and flushes begun or ended: with
 * relationshipWrites, whether what add() last reached (`#reached`) may have changed since.
 */
let sessionChanges = 0

interface Reached {
  readonly objects: Set<InstanceState>
  sessions: number
  readonly removals: number
  from: number
}

export class AsyncSession extends ReadSession {
  readonly #new = new Set<InstanceState>()
  /**
   * The objects outside the session earlier add() calls reached (each walk went through all of them,
   * checked every object at its edge, attached the detached ones), while no object entered or left any
   * AsyncSession (`sessions`) and no relationship lost a link (`removals`) since; the links gained since
   * are relationshipWrites.gained from `from` on. A walk from the next object added goes through those
   * gained links only, where it comes to one of them: the rest it would find as it was. Without this,
   * adding each of N new books linked to one new author, which the flush adds, walked the author and all
   * its books each time, N times N. Kept for the synchronous run of code it was made in: what an await
   * lets happen (a flush's end, a rollback) is not counted.
   */
  #reached: Reached | undefined
  readonly #deleted = new Set<InstanceState>()
  /**
   * Objects whose rows the open interactive transaction deleted (a flush, a bulk DELETE, a row found
   * gone): "deleted", still this session's (`deletedIn`), until it ends, as SQLAlchemy's.
   */
  readonly #deletedInTransaction = new Set<InstanceState>()
  #autoflush: boolean
  readonly #listeners = new Listeners<SessionEvent, (session: AsyncSession) => void>(
    SESSION_EVENTS,
    "session.on(...)",
  )
  /** What flushes inside the open interactive transaction wrote; undone on the objects if it does not commit. */
  #flushed: FlushedInTransaction | undefined
  /** The flush, commit or rollback under way; the next one waits for it (`#oneAtATime`). */
  #writing: Promise<unknown> | undefined
  /** A failure ended the interactive transaction: nothing is written until `rollback()`. */
  #pendingRollback: PendingRollbackError | undefined
  /**
   * A flush the database refused inside this savepoint, which undid its work (the transaction goes on),
   * and the objects it was writing, whose changes are pending again: while one still is, nothing is
   * written until the application rolls the savepoint back (or the whole transaction), as SQLAlchemy's
   * session refuses work after a failed flush. Else the next commit wrote them outside the savepoint,
   * without its earlier work, or failed the whole transaction the same way.
   */
  #flushFailedIn:
    | { savepoint: Savepoint; objects: readonly InstanceState[]; refusal: PendingRollbackError }
    | undefined
  /** Versioned objects a transaction that did not commit expired: the next flush reads their versions. */
  readonly #rolledBackVersioned = new Set<InstanceState>()
  /** Set while the application's own rollback() or close() ends the transaction. */
  #rollingBack = false
  /** The afterCommit or afterRollback listeners running now: they may not flush, commit, roll back or begin. */
  #ending: SessionEvent | undefined
  /** The last flush's afterFlush listeners changed the session (an audit row added): commit() writes it too. */
  #afterFlushChanged = false
  /** A flush is planning, sending or putting back its objects: it undoes a savepoint's failure itself. */
  #flushing = false
  /** What mapper listeners add while a flush is planned, which refuses one that feeds on itself. */
  #listenerGrowth: ListenerGrowth | undefined
  /** Objects whose INSERT or DELETE is out now (a flush under way). */
  #sending: ReadonlySet<InstanceState> = new Set()
  /** What puts the objects back to each savepoint (beginNested) not yet ended by the application. */
  #savepointUndo = new Map<Savepoint, () => void>()

  constructor(
    engine: Engine,
    readonly options: SessionOptions = {},
  ) {
    super(engine)
    checkSessionOptions(options)
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
    const state = givenState(object, "addUnique")
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
    for (const known of this.identityMap.values()) if (same(stateOf(known))) return known as T
    for (const pending of this.#new) if (pending.uniqueBy && same(pending)) return pending.object as T
    state.uniqueBy = keys
    this.add(object)
    return object
  }

  /** The objects of one model the session holds (SessionLike's, for relationship-accessors.ts). */
  heldOf(mapper: Mapper): Iterable<object> {
    return this.identityMap.objectsOf(mapper).values()
  }

  /**
   * Adds a new object (pending until flushed), re-attaches a detached one, or keeps one marked for
   * deletion. As SQLAlchemy's add() cascades `save-update`, the detached objects it reaches through
   * loaded relationships are attached with it (the new ones are added by the next flush's cascade);
   * refused, with nothing changed, when this session holds another object for such a row.
   */
  add(object: object): void {
    const state = givenState(object, "add")
    this.requireOpen()
    // Another session's, or deleted: SQLAlchemy refuses it, and so does the cascade below what it reaches.
    refuseForeign(state, this)
    const last = this.#lastReached()
    const since = last && this.#reachedSince(state, last)
    const reached = since ?? reachedByAdd(state, this)
    const detached = reached.filter((other) => other.committed !== undefined)
    for (const other of [state, ...detached]) this.#refuseAttach(other, other !== state)
    this.#attach(state)
    for (const other of detached) this.#attach(other)
    // New objects the application expunged while pending: the flush's cascade takes them in again.
    for (const other of [state, ...reached]) if (other.expungedFrom === this) other.expungedFrom = undefined
    this.#remember(reached, since && last)
  }

  /** What adding `state` reaches that earlier add() calls did not, when they can tell (`#reached`). */
  #reachedSince(state: InstanceState, last: Reached): InstanceState[] | undefined {
    const log = relationshipWrites.gained ?? []
    const gained = new Map<InstanceState, [string, object][]>()
    for (let i = last.from; i < log.length; i++) {
      const [owner, key, item] = log[i] as (typeof log)[number]
      cached(gained, owner, () => []).push([key, item])
    }
    return reachedByAdd(state, this, { handled: last.objects, gained })
  }

  /** `#reached` while nothing it cannot follow happened since. */
  #lastReached(): Reached | undefined {
    const last = this.#reached
    const unchanged = last?.sessions === sessionChanges && last.removals === relationshipWrites.count
    return unchanged && relationshipWrites.gained ? last : undefined
  }

  /**
   * Remembers what an add() reached: with what `last` (still valid) remembered when this add() walked
   * only what changed since, else alone. (Its own attaching only stops later walks sooner.)
   */
  #remember(reached: readonly InstanceState[], last: Reached | undefined): void {
    const writes = relationshipWrites
    if (last && writes.gained) {
      for (const other of reached) if (other.session === undefined) last.objects.add(other)
      last.sessions = sessionChanges
      last.from = writes.gained.length
      return
    }
    writes.gained ??= []
    writes.listeners++
    const remembered = {
      objects: new Set(reached.filter((other) => other.session === undefined)),
      sessions: sessionChanges,
      removals: writes.count,
      from: writes.gained.length,
    }
    this.#reached = remembered
    queueMicrotask(() => {
      if (this.#reached === remembered) this.#reached = undefined
      if (--writes.listeners === 0) writes.gained = undefined
    })
  }

  /** Why an object cannot be attached (added directly, or reached by add()'s cascade), if it cannot. */
  #refuseAttach(state: InstanceState, reached: boolean): void {
    if (state.committed === undefined) return
    const identity = state.identity
    const held = identity && this.identityMap.get(state.mapper, identity)
    if (held && held !== state.object) {
      // One object per row: the session's own would silently lose its changes to this one.
      throw new InvalidRequestError(
        `Another ${state.mapper.name} object for the row with key (${identity.join(", ")}) is already in this session${reached ? ", and this one is reached from the added object through a loaded relationship that cascades save-update" : ""}; merge() this one into it, or expunge that one first`,
      )
    }
    // Its DELETE already sent, taking the mark back would be lost: the row goes all the same.
    if (state.deleted && this.#sending.has(state)) {
      throw new InvalidRequestError(
        `This ${state.mapper.name} is being deleted by a flush under way: await it, then add a new object for the row`,
      )
    }
  }

  /** Puts an object in the session: pending if new, else persistent again (a deletion mark taken back). */
  #attach(state: InstanceState): void {
    sessionChanges++
    state.session = this
    if (state.committed === undefined) {
      this.#new.add(state)
      this.#listenerGrowth?.added(state)
      return
    }
    // Adding an object marked for deletion takes the mark back, as SQLAlchemy's `_update_impl` does.
    if (this.#deleted.delete(state)) state.deleted = false
    const identity = state.identity
    if (identity) this.identityMap.set(state.mapper, identity, state.object)
  }

  /** Adds each object, as add() does; one that is refused (another session's, or deleted) adds none. */
  addAll(objects: Iterable<object>): void {
    const all = [...objects]
    // One reached from an object checked before it was checked with it (what it reaches, that one
    // reaches): walked again for each, new objects linked to one new parent cost N times N.
    const checked = new Set<InstanceState>()
    for (const object of all) {
      const state = givenState(object, "addAll")
      refuseForeign(state, this)
      if (!checked.has(state)) for (const other of reachedByAdd(state, this)) checked.add(other)
    }
    for (const object of all) this.add(object)
  }

  /**
   * Copies a detached or foreign object's state onto this session's object for the same row (loading
   * it if needed), or onto a new pending object when the row does not exist; returns that object. Its
   * loaded relationships are merged too: a one-to-many collection replaces the target's, loaded first
   * (one query), so that members it no longer holds are unlinked or orphaned, as in SQLAlchemy. Values
   * are set as the application sets them, so validators run. A version it gives must be the row's
   * (StaleDataError if not). Refused midway (a validator, a row that cannot be read), it puts back what
   * it changed: the session's objects as they were, nothing new left pending (SQLAlchemy's is left
   * half-merged). Its reads autoflush until it changes anything, not after, where they would write the
   * half-merged objects (SQLAlchemy's merge autoflushes once, first).
   */
  async merge<T extends object>(object: T): Promise<T> {
    givenState(object, "merge")
    const autoflush = this.#autoflush
    // What the merge changed, saved as it was just before: only those, so that a merge costs what its
    // graph holds, not what the session holds (merging many objects one by one into one session).
    let saved: Map<InstanceState, SavedState> | undefined
    let pendingBefore = 0
    try {
      return await mergeInto(
        {
          get: (model, key) => this.get(model, key),
          refresh: (o, keys) => this.refresh(o, keys),
          add: (o) => this.add(o),
          holds: (o) => stateOf(o).session === this,
          changing: (objects, loaded = []) => {
            if (!saved) {
              saved = new Map()
              pendingBefore = this.#new.size
              this.#autoflush = false
            }
            for (const changed of objects) {
              const state = stateOf(changed)
              if (saved.has(state)) continue
              const before = saveOf(state)
              for (const key of loaded) delete before.values[key]
              saved.set(state, before)
            }
          },
        },
        object,
      )
    } catch (error) {
      if (saved) this.#undoMerge(saved, pendingBefore)
      throw error
    } finally {
      this.#autoflush = autoflush
    }
  }

  /**
   * Puts back what a refused merge() changed (`saved`): the objects as they were before it changed
   * them, and none of the objects it made pending (those after the first `pendingBefore` of `#new`,
   * which keeps the order they were added in, and which the merge, not flushing, only adds to).
   */
  #undoMerge(saved: ReadonlyMap<InstanceState, SavedState>, pendingBefore: number): void {
    for (const state of [...this.#new].slice(pendingBefore)) this.#expunge(state)
    for (const [state, before] of saved) {
      restoreSaved(state, before)
      // A collection it loaded (to replace it) is unloaded again, as it was.
      for (const key of [...loadedOf(state)]) if (!(key in before.values)) unload(state, key)
    }
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
    this.requireOpen()
    const values = known as Record<string, unknown>
    const existing = this.identityMap.get(
      mapper,
      mapper.primaryKey.map((column) => values[column.key]),
    )
    const state = referenceTo(mapper, values, existing)
    if (!existing) this.add(state.object)
    return state.object as InstanceType<M>
  }

  /**
   * Marks a persistent object for deletion at the next flush; a pending one is simply dropped, as
   * `expunge()` drops it (SQLAlchemy refuses it instead: "Instance is not persisted").
   */
  delete(object: object): void {
    const state = givenState(object, "delete")
    // Its row already deleted by a flush of the open transaction: nothing more to do.
    if (state.deletedIn === this) return
    if (state.session !== this) throw new InvalidRequestError(`${state.mapper.name} is not in this session`)
    if (state.committed === undefined) {
      // Dropped now, its row would be inserted all the same, and kept.
      if (this.#sending.has(state)) {
        throw new InvalidRequestError(
          `This ${state.mapper.name} is being inserted by a flush under way: await it, then delete the object`,
        )
      }
      this.expunge(object)
      return
    }
    // Detached objects its loaded `delete` cascades reach are taken in to be deleted with it, as
    // SQLAlchemy's delete() attaches them (their rows would otherwise be left pointing at its row);
    // refused, with nothing changed, when one cannot be.
    const reached = detachedThroughDelete(state)
    for (const other of reached) {
      const held = this.identityMap.get(other.mapper, other.identity ?? [])
      if (other.session === undefined && (!held || held === other.object)) continue
      throw new InvalidRequestError(
        `A ${other.mapper.name} with key (${(other.identity ?? []).join(", ")}) is reached from this ${state.mapper.name} through a loaded relationship that cascades the delete, but ${other.session ? "belongs to another session" : "this session holds another object for its row"}: refresh that relationship (session.refresh(obj, [key])) or take the object out of it before deleting`,
      )
    }
    // Attached only, as SQLAlchemy's delete cascade attaches them: add()'s save-update cascade is not theirs.
    for (const other of reached) this.#attach(other)
    sessionChanges++
    state.deleted = true
    this.#deleted.add(state)
  }

  /**
   * Runs a statement as ReadSession does; a bulk UPDATE or DELETE also updates the objects the session
   * holds (`synchronizeSession`, default "auto": evaluated in memory, or its rows fetched by RETURNING).
   */
  override execute<S extends Statement>(
    statement: S,
    options: ExecuteOptions = {},
  ): Promise<Result<RowOf<S>>> {
    const pending = this.#pendingRollback
    return this.#execute(statement, options).catch((error: unknown) => {
      this.#endedBy(error, pending)
      throw error
    })
  }

  async #execute<S extends Statement>(statement: S, options: ExecuteOptions): Promise<Result<RowOf<S>>> {
    // SQL as a string is refused by the connection, with the one message engines and ReadSession give,
    // before the autoflush below sends anything.
    if (typeof statement === "string") return this.connection.execute(statement)
    // A model for its select (or another object): a TypeError from inside the connection.
    if (typeof (statement as Partial<Statement> | undefined)?.compile !== "function") {
      throw new InvalidRequestError(
        `execute() and scalars() take a statement, select(...) or text("SQL"), not ${described(statement)}`,
      )
    }
    if (!mayWrite(statement)) {
      if (!options.populateExisting) return super.execute(statement, options)
      const before = this.#committedRows()
      const result = await super.execute(statement, options)
      this.#relinkRefreshed(before)
      return result
    }
    // A write waits for rollback() once a failure ended the transaction, as flush and commit do: in
    // autocommit it would be durable without the work the failure undid.
    this.#refuseIfPendingRollback()
    // An UPDATE or DELETE whose where() kept no restriction is refused before autoflush sends anything.
    if (isBulk(statement)) requireRestricted(statement.state)
    // Awaited only when there is one: without, the write goes out at once, as its call was made.
    const flushing = this.autoflush()
    if (flushing) await flushing
    // Sent inside the transaction (or beside a flush, commit or begin() that may open one), a write is
    // rolled back with it when a statement beside it fails while it is out; sent in autocommit, it
    // stands whatever fails beside it, and is reported done.
    const inside = this.connection.inTransaction || this.#writing !== undefined
    const plain = async () => {
      // The held objects its RETURNING rows may refresh, as they were: a rollback puts them back.
      const refreshed = this.#heldOfTable(statement)
      const held = inside ? refreshed : undefined
      // (Params are refused for other statements than text(): by the connection, as for any.)
      const result =
        inside || (options.params?.length && statement.kind !== "text")
          ? await super.execute(statement, options)
          : await this.#autocommitted(statement, options)
      if (inside) this.#refuseIfPendingRollback()
      this.#relinkRefreshed(refreshed)
      this.#returnedRows(statement, result.rows, held)
      return result
    }
    // `update()`/`deleteFrom()` of this package install bulk synchronization (./dml.ts).
    const synchronize = plugins.bulkSync
    if (!synchronize || !isBulk(statement)) return plain()
    // Objects the statement changes, with their keys before: one whose key it changed is found by the new.
    const touched = new Map<InstanceState, readonly unknown[] | undefined>()
    const objects = bulkSession(
      this.identityMap,
      (state) => this.#forget(state),
      (state) => {
        touched.set(state, state.identity)
        this.#writtenInTransaction(state)
      },
      this.engine.dialect.name === "sqlite",
    )
    const sync = synchronize(statement, options.synchronizeSession ?? "auto", objects)
    if (!sync) return plain()
    const held = inside ? this.#heldOfTable(statement) : undefined
    const result = await this.connection.execute(sync.statement, options.params)
    if (inside) this.#refuseIfPendingRollback()
    const own = (result.rows as readonly unknown[][]).map((row) => row.slice(0, sync.ownColumns))
    const hydrate = () => hydrateRows(statement, own, this.hydration({ populateExisting: true, ...options }))
    // A DELETE's rows land on the objects held for them before those are let go: they come back as
    // the objects the application holds (detached), not as new ones.
    let rows = statement.kind === "delete" ? hydrate() : undefined
    sync.apply(result.rows as readonly unknown[][])
    this.#reattach([...touched].filter(([state]) => !state.gone))
    sync.relink()
    rows ??= hydrate()
    this.#returnedRows(statement, rows, held)
    return new Result(rows as never[], result.columns, result.rowsAffected, statement)
  }

  /**
   * A write sent in autocommit, as ReadSession's execute() sends it, but its RETURNING rows read here
   * (./flush/returned.ts): a value the models cannot read is reported with the write applied
   * (CommittedButUnreadableError), not as a DataError a retry would answer by writing it again.
   */
  async #autocommitted<S extends Statement>(
    statement: S,
    options: ExecuteOptions,
  ): Promise<Result<RowOf<S>>> {
    const { dialect } = this.engine
    const sent = await this.connection.execute(undecoded(statement, dialect), options.params)
    let rows: readonly unknown[][]
    try {
      rows = readRows(sent, statement, dialect).rows
    } catch (error) {
      throw error instanceof DataError ? committedButUnreadable(error, []) : error
    }
    const hydrated = hydrateRows(statement, rows, this.hydration({ populateExisting: true, ...options }))
    return new Result(hydrated as never[], sent.columns, sent.rowsAffected, statement)
  }

  /** Writes pending changes inside an interactive transaction, which stays open until commit. */
  flush(): Promise<void> {
    return this.#oneAtATime("flush", async () => {
      this.#refuseIfPendingRollback()
      if (!this.#hasChanges()) return
      const connection = this.connection
      await connection.ensureTransaction()
      await this.#writeChanges(connection)
    })
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
  commit(options?: { read?: Select<readonly SelectItem[]> }): Promise<unknown> {
    // Refused before anything is written (./session-options.ts).
    if (options !== undefined) {
      try {
        checkCommitOptions(options)
      } catch (error) {
        return Promise.reject(error)
      }
    }
    return this.#oneAtATime("commit", () => this.#commit(options?.read))
  }

  async #commit(query: Select<readonly SelectItem[]> | undefined): Promise<unknown> {
    this.#refuseIfPendingRollback()
    const connection = this.connection
    const read = query && readOf(planOf(query, query.state.options ?? []))
    const reads = read?.statements ?? []
    let results: Result<unknown[]>[] = []
    const open = connection.inTransaction
    const writes = open || this.#hasChanges()
    if (writes) results = await this.#writeChanges(connection, reads)
    else if (read) results = await connection.batch(reads, reads.length > 1 ? ONE_SNAPSHOT : {})
    // What afterFlush listeners added or changed (an audit row) is the commit's too, as SQLAlchemy's
    // commit flushes until nothing is left: before COMMIT inside a transaction, else in one more
    // atomic request (the first has committed). Left pending, commit() said done and the row was lost.
    // Outside a transaction the first request has committed: its afterCommit is due whatever a later
    // flush does (as when an afterFlush listener throws after it), or an e-mail for it was never sent.
    const durable = writes && !connection.inTransaction
    try {
      for (let flushes = 1; this.#afterFlushChanged; flushes++) {
        if (flushes > MAX_COMMIT_FLUSHES) {
          throw new InvalidRequestError(
            `commit() stopped after ${MAX_COMMIT_FLUSHES} flushes, each of whose afterFlush listeners changed the session again (one that adds an object on every flush never ends): what is left is pending. Add it only for the flush's own objects, or from a mapper listener (afterInsert), which writes it in the same flush`,
          )
        }
        await this.#writeChanges(connection)
      }
    } catch (error) {
      if (durable) this.#afterCommit()
      throw error
    }
    // Open before, or opened meanwhile on the socket the flush went out on (a FOR UPDATE beside this
    // commit in Neon's websocket mode), which then took the flush's writes: committed with them.
    if (open || (writes && connection.inTransaction)) {
      // A statement of the transaction still under way when commit() was called failed and ended it:
      // the connection finds no transaction to commit, and the session says why.
      await connection.commit().catch((error: unknown) => {
        throw error instanceof InvalidRequestError ? (this.#pendingRollback ?? error) : error
      })
    }
    // What the application changed while the commit was out (the flush wrote all that came before):
    // the read refreshes the rest, and this is kept for the next flush, as a plain commit keeps it.
    const late = read ? lateChanges(this.identityMap.values().map(stateOf)) : []
    this.#afterCommit()
    if (!read) return undefined
    const before = this.#committedRows()
    const landed = landRead(read, results, this.hydration({ populateExisting: true }), this.engine.dialect)
    this.#relinkRefreshed(before)
    keepLateChanges(late)
    return landed
  }

  /** Listens to this session's flushes and transactions: `session.on("afterCommit", ...)`. */
  on(event: SessionEvent, listener: (session: AsyncSession) => void): () => void {
    return this.#listeners.add(event, listener)
  }

  /**
   * Opens the interactive transaction now (see ReadSession's), after a flush, commit or rollback under
   * way: `Promise.all([session.commit(), session.begin()])` commits, then begins. Sent at once, the BEGIN
   * went ahead of the commit's request on Neon's socket, and the commit's writes joined the new
   * transaction: commit() said done, and a rollback() undid them.
   */
  override begin(options?: TransactionOptions): Promise<void> {
    // Refused before anything is sent (./session-options.ts).
    if (options !== undefined) {
      try {
        checkTransactionOptions(options)
      } catch (error) {
        return Promise.reject(error)
      }
    }
    return this.#oneAtATime("begin", () => super.begin(options))
  }

  /**
   * Ends the interactive transaction, if any, and drops every change not committed: unflushed new
   * objects are expunged, objects marked for deletion stay, persistent objects get back what the
   * database has (changed relationships unloaded), and what the transaction flushed is undone.
   */
  override rollback(): Promise<void> {
    return this.#oneAtATime("rollback", async () => {
      this.#pendingRollback = undefined
      this.#rollingBack = true
      try {
        await super.rollback()
      } finally {
        this.#rollingBack = false
        // Also when the ROLLBACK failed (the connection lost: the transaction is gone with it), as
        // SQLAlchemy restores its snapshot whatever the database answered. Kept, the changes the
        // application rolled back were written by its next commit.
        for (const state of this.#new) state.session = undefined
        this.#new.clear()
        for (const state of this.#deleted) state.deleted = false
        this.#deleted.clear()
        for (const object of this.identityMap.values()) {
          discardUnflushed(stateOf(object))
          dropExpiredSets(stateOf(object))
        }
      }
      // Last: a listener that throws cannot leave changes the rollback dropped for a commit to write.
      this.#fire("afterRollback")
    })
  }

  /**
   * A savepoint in an interactive transaction (opened if needed), flushing pending changes first. Its
   * `rollback()` also puts the session's objects back as they were at the savepoint; objects added
   * since then are expunged and those it inserted are transient again, as in SQLAlchemy, while objects
   * loaded since stay persistent, without what it wrote on them.
   */
  async beginNested(): Promise<SessionSavepoint> {
    await this.flush()
    const savepoint = await beginNested(this.connection)
    const snapshot = snapshotOf([...this.#new, ...this.identityMap.values().map(stateOf)])
    const writtenBefore = new Set(this.#flushed?.before.keys())
    const undo = () => {
      const loadedSince = this.#undoLoadedSince(snapshot, writtenBefore)
      for (const state of [...this.#new]) if (!snapshot.has(state)) this.#expunge(state)
      const keys = [...snapshot.keys()]
        .filter((state) => this.#stillOwns(state))
        .map((state) => [state, state.identity] as const)
      for (const [state, saved] of snapshot) {
        restoreSnapshot(state, saved)
        // beginNested() flushed what was set before it: a set still noted was made since.
        dropExpiredSets(state)
      }
      // A delete() made since the savepoint is taken back with the rest, as SQLAlchemy's.
      for (const state of [...this.#deleted]) if (!state.deleted) this.#deleted.delete(state)
      this.#reattach([...keys, ...loadedSince])
    }
    this.#savepointUndo.set(savepoint, undo)
    // A statement that failed inside it undid its work, the transaction going on: the objects go back
    // with it at once. Left, an object it inserted stayed persistent under the key of a row that was
    // gone, and a change it wrote read as committed, for the commit that follows to report saved. A
    // flush the database refused puts its objects back itself (#writeChanges).
    savepoint.onUndone = () => {
      if (!this.#flushing) this.#undoFailedSavepoint(undo)
    }
    return {
      name: savepoint.name,
      // Its pending changes are flushed into it first, as SQLAlchemy's nested commit does: a failure
      // is the savepoint's (rolled back to it), not the enclosing transaction's at its commit.
      commit: async () => {
        if (savepoint.state === "active") await this.flush()
        await savepoint.commit()
        this.#savepointUndo.delete(savepoint)
      },
      rollback: async () => {
        // Objects go back to the savepoint when this undoes its work, or a failed statement did; not
        // when it was released, or ended with an enclosing savepoint or transaction (no-op, as SQLAlchemy).
        const undone = savepoint.state === "active" || savepoint.state === "failed"
        await savepoint.rollback()
        this.#savepointUndo.delete(savepoint)
        if (undone) undo()
      },
    }
  }

  /**
   * Puts the objects back to a savepoint a failed statement rolled back (`undo`, as its rollback() does),
   * but for what was never sent (autoflush off): columns changed, objects added or marked for deletion
   * since the last flush stay pending, as the database had none of it to undo. The savepoint's
   * rollback(), if the application calls it, drops them as well.
   */
  #undoFailedSavepoint(undo: () => void): void {
    const pending = [...this.#new]
    const marked = [...this.#deleted]
    const unsent = lateChanges([...pending, ...this.identityMap.values().map(stateOf)]).filter(
      ([state, key]) => state.mapper.columnKeys.includes(key),
    )
    undo()
    for (const state of pending) if (state.session === undefined) this.#attach(state)
    for (const state of marked) {
      if (state.session !== this || state.committed === undefined) continue
      state.deleted = true
      this.#deleted.add(state)
    }
    keepLateChanges(unsent)
  }

  /**
   * Puts back, for a savepoint's rollback, the objects the session came to hold after it began (not in
   * its `snapshot`). Inserted since: their rows went with it, they are transient again. Loaded since:
   * their rows stay, without what the savepoint wrote on them (an UPDATE, a DELETE: `writtenBefore`
   * tells the earlier writes of the transaction, which stand) and without changes not flushed, as the
   * others go back to the savepoint. Returns the ones to take back into the session, with their keys.
   */
  #undoLoadedSince(
    snapshot: ReadonlyMap<InstanceState, Snapshot>,
    writtenBefore: ReadonlySet<InstanceState>,
  ): (readonly [InstanceState, readonly unknown[] | undefined])[] {
    const flushed = this.#flushed
    for (const object of this.identityMap.values()) {
      const state = stateOf(object)
      if (!snapshot.has(state) && flushed?.inserted.has(state)) this.#makeNewAgain(state)
    }
    if (flushed)
      for (const state of flushed.returned) if (!snapshot.has(state)) this.#letGoReturned(flushed, state)
    const written = [...(flushed?.before ?? [])].filter(
      ([state]) => !snapshot.has(state) && !writtenBefore.has(state) && this.#stillOwns(state),
    )
    const keys = written.map(([state]) => [state, state.identity] as const)
    for (const [state, before] of written) revertToCommitted(state, before.committed)
    for (const object of this.identityMap.values()) {
      const state = stateOf(object)
      if (snapshot.has(state)) continue
      discardUnflushed(state)
      state.deleted = false
    }
    for (const [state] of written) state.deleted = false
    return keys
  }

  /**
   * The object with this primary key (see ReadSession's). An expired object the session holds whose row
   * the database no longer has (another program deleted it since the commit or rollback that expired
   * it) is let go as deleted, as SQLAlchemy's get() removes it (ObjectDeletedError): left persistent,
   * the session vouched for a row that was gone. An object marked for deletion (`delete()`) is returned
   * as held until the flush sends its DELETE (then null), as SQLAlchemy's get() does, without a request.
   */
  override async get<M extends ModelConstructor>(model: M, key: unknown): Promise<InstanceType<M> | null> {
    const mapper = mapperOf(model)
    const identity = keyValues(mapper, key)
    const held = this.identityMap.get(mapper, identity)
    const stale = held && stateOf(held).expired && !stateOf(held).deleted ? stateOf(held) : undefined
    const found = await super.get(model, key)
    if (found === null && stale?.session === this && this.identityMap.get(mapper, identity) === held) {
      // Noted first: a rollback of this session's transaction (which may be what deleted it) takes it back.
      this.#writtenInTransaction(stale)
      this.#forget(stale)
    }
    return found
  }

  /**
   * Reloads an object (see ReadSession's), first dropping the unflushed changes of the columns it
   * reloads, as SQLAlchemy expires them: they are not autoflushed, and the database's values replace them.
   * Columns not named keep their values and unflushed changes, as SQLAlchemy's `refresh(obj, ["title"])`.
   */
  override async refresh(object: object, attributes?: readonly string[]): Promise<void> {
    const state = givenState(object, "refresh")
    const { columnKeys, relationshipSpecs } = state.mapper
    // Refused (not persistent in this session) before anything is flushed for it; a new object whose
    // relationship is refreshed is flushed first, and so becomes persistent.
    const loads = attributes?.some((key) => relationshipSpecs.has(key))
    if (state.session !== this || (!state.identity && !loads)) return super.refresh(object, attributes)
    // Its columns' changes only: a changed relationship is autoflushed, as before, so an object appended
    // to a collection it reloads is written with its foreign key and comes back in it.
    const columns = (attributes ?? columnKeys).filter((key) => columnKeys.includes(key))
    discardUnflushed(state, columns)
    // Pending changes first, as load() flushes them: a relationship is loaded by keys the flush may
    // give or change (`book.author = other`), which the statement takes when it is built.
    await this.autoflush()
    // The statement reads the whole row, and the object takes it: the columns not named are put back as
    // they are now (after the flush, which may have written them), and stay expired if they were.
    const { values, expired } = state
    const others = columnKeys
      .filter((key) => !columns.includes(key) && key in values)
      .map((key) => [key, values[key], state.committed?.[key]] as const)
    const before = new Map([[state, state.committed]])
    const unflushed = (attributes ?? []).map((key) => [key, membersBeforeRefresh(state, key)] as const)
    await super.refresh(object, attributes)
    this.#relinkRefreshed(before)
    for (const [key, members] of unflushed) showPendingLinks(state, key, members)
    if (others.length > 0) state.expired = expired
    for (const [key, value, committed] of others) {
      values[key] = value
      if (state.committed) state.committed[key] = committed
    }
  }

  isModified(object: object): boolean {
    const state = givenState(object, "isModified")
    return state.committed === undefined || state.modifiedColumns().length > 0
  }

  /**
   * Detaches an object: the session forgets it. A pending one stays out: the flush does not cascade it
   * back in from the objects it is linked to (SQLAlchemy warns and skips it) until it is added again,
   * or linked to an object anew. So does a new object add() only reached through a relationship (the
   * flush's cascade would take it in): SQLAlchemy's add() had put it in the session, and expunge() takes it out.
   */
  override expunge(object: object): void {
    const state = givenState(object, "expunge")
    if ((state.session === this || state.session === undefined) && state.committed === undefined) {
      state.expungedFrom = this
    }
    this.#expunge(state)
  }

  /** Detaches an object the session itself lets go (a rollback's, a failed flush's). */
  #expunge(state: InstanceState): void {
    sessionChanges++
    this.#new.delete(state)
    // A deletion this session was to flush is its own: the object leaves it persistent, as SQLAlchemy's
    // expunge() leaves it. Kept, it read 'deleted' in the session it was added to next, which neither
    // deleted it nor wrote its changes.
    if (this.#deleted.delete(state)) state.deleted = false
    // Deleted by the open transaction: detached now, and its rollback leaves it out, as SQLAlchemy's
    // expunge() takes it out of the transaction's deleted objects.
    this.#releaseDeleted(state)
    super.expunge(state.object)
  }

  /** An object whose row the open transaction deleted is no longer this session's ("deleted"). */
  #releaseDeleted(state: InstanceState): void {
    if (state.deletedIn === this) state.deletedIn = undefined
    this.#deletedInTransaction.delete(state)
  }

  /**
   * The objects marked for deletion that the next flush deletes, as SQLAlchemy's `Session.deleted`
   * (they read "persistent" until then). `session.delete(post); session.deleted // [post]`
   */
  get deleted(): object[] {
    return [...this.#deleted].map((state) => state.object)
  }

  override async close(): Promise<void> {
    // A flush or commit already under way may end first (`waitUntil(session.commit())` racing a
    // middleware's close): closing the connection under it would cut it between its statements. It
    // and the connection's close share the driver's closeTimeoutMs (one that hangs is then cut, as
    // before: close() always settles, and no later than a transport's close alone). One only queued
    // is refused when it comes to run. (Waited for only when there is one: a commit queued but not
    // started must find the session closed.)
    const underway = !this.closed && this.#underway
    const deadline = Date.now() + (this.engine.driver.closeTimeoutMs ?? CLOSE_TIMEOUT_MS)
    if (underway) await settledWithin(underway, deadline - Date.now())
    this.#rollingBack = true
    try {
      // What the commit left in flight gets what is left of the deadline.
      if (underway) await this.connection.close(deadline)
      await super.close()
    } finally {
      this.#rollingBack = false
    }
  }

  override expungeAll(): void {
    sessionChanges++
    for (const state of this.#new) state.session = undefined
    super.expungeAll()
    this.#new.clear()
    for (const state of this.#deleted) state.deleted = false
    this.#deleted.clear()
    for (const state of [...this.#deletedInTransaction]) this.#releaseDeleted(state)
  }

  /** Objects a DELETE returned stay the session's, deleted: #returnedRows marks them, as its flush does. */
  protected override deletedRows(): void {}

  protected override autoflush(): Promise<void> | undefined {
    return this.#autoflush && this.#hasChanges() ? this.flush() : undefined
  }

  /**
   * Runs a flush, commit or rollback after the one under way, if any: `Promise.all` of two queries
   * that both autoflush writes the pending objects once, and never opens two transactions on one
   * session. (SQLAlchemy's AsyncSession refuses concurrent calls; waiting serves JavaScript's habits.)
   * A flush listener may start a flush of its own: it runs after the current one, not inside it.
   */
  async #oneAtATime<T>(what: string, work: () => Promise<T>): Promise<T> {
    // Queued, it would run after the commit or rollback that fired the listener, and fire it again.
    // SQLAlchemy's session emits no SQL there either.
    if (this.#ending) {
      throw new InvalidRequestError(
        `${what}() was called from an ${this.#ending} listener, which runs as the transaction ends (a commit or rollback there fires it again, endlessly): call it once the call that fired the listener has returned`,
      )
    }
    const openWhenCalled = !this.closed
    const start = () => {
      // Closing rolled back and let go of every object already: a rollback after it has nothing to do.
      if (what === "rollback" && this.closed) return Promise.resolve() as Promise<T>
      // `session.commit(); await session.close()`: the commit, not awaited, would find the session closed.
      if (openWhenCalled && this.closed) {
        throw new InvalidRequestError(
          `The session was closed before this ${what}() ran, though it was called first: await it before close() (inside await using: return await it)`,
        )
      }
      const working = work()
      this.#underway = working
      return working
    }
    // Queued before `work` starts: a listener it runs synchronously that calls flush() queues behind it.
    const running = (this.#writing?.catch(() => undefined) ?? Promise.resolve()).then(start)
    this.#writing = running
    try {
      return await running
    } finally {
      if (this.#writing === running) this.#writing = undefined
    }
  }

  /** The flush, commit or rollback running now, if any (not those queued behind it). */
  #underway: Promise<unknown> | undefined

  /**
   * A failure that ended the transaction is the cause of the PendingRollbackError that refuses the work
   * after it, as SQLAlchemy's names the original exception: the first one seen, when several end it;
   * not one of a call that began after the refusal was made (`before`, the refusal then).
   */
  #endedBy(error: unknown, before: PendingRollbackError | undefined): void {
    const pending = this.#pendingRollback
    if (pending && pending !== before && pending.cause === undefined) pending.cause = error
  }

  #refuseIfPendingRollback(): void {
    if (this.#pendingRollback) throw this.#pendingRollback
    const failed = this.#flushFailedIn
    if (failed?.savepoint.state === "failed" && failed.objects.some((state) => this.#stillPending(state)))
      throw failed.refusal
  }

  /**
   * Whether the session may write `state` again: held and new, marked for deletion or changed; or new
   * and outside it but not expunged (the flush's cascade took it in, a failure put it back out).
   */
  #stillPending(state: InstanceState): boolean {
    if (state.session === undefined) return state.committed === undefined && state.expungedFrom !== this
    if (state.session !== this) return false
    return this.#new.has(state) || this.#deleted.has(state) || state.modifiedColumns().length > 0
  }

  /**
   * Takes out of the identity map an object whose row is gone (deleted by a flush or a bulk DELETE, or
   * found gone by get()). Inside the interactive transaction it is "deleted" and still this session's
   * until the transaction ends (SQLAlchemy's `_remove_newly_deleted`): its commit detaches it, its
   * rollback makes it persistent again. Else the deletion is committed already: detached.
   */
  #forget(state: InstanceState): void {
    sessionChanges++
    this.#deleted.delete(state)
    // Only its own entry: a new object may have taken its row over (a row switch).
    const identity = state.identity
    if (identity && this.identityMap.get(state.mapper, identity) === state.object)
      this.identityMap.delete(state.mapper, identity)
    state.gone = true
    state.session = undefined
    if (!this.closed && this.connection.inTransaction) {
      state.deletedIn = this
      this.#deletedInTransaction.add(state)
    }
  }

  /**
   * The objects a write's RETURNING rows hold. A DELETE's rows are gone: their objects are let go, as
   * a bulk DELETE's (a rollback takes them back). A plain INSERT's rows are new, and so are those of
   * ON CONFLICT DO NOTHING: inside a transaction they are its inserts, and go with it as a flush's do
   * (DO UPDATE's rows may have been there before).
   * Held objects the rows refreshed (an UPDATE's, an upsert's) are noted as written, as `held` had
   * them, for a rollback to put back. The others an UPDATE or DO UPDATE brought in are noted as
   * returned: what their rows were before is unknown, and a rollback lets them go (#letGoReturned).
   */
  #returnedRows(
    statement: Statement,
    rows: readonly unknown[],
    held?: ReadonlyMap<InstanceState, SavedState["committed"]>,
  ): void {
    // ON CONFLICT DO NOTHING returns the rows it inserted only: they are inserts too. DO UPDATE's rows
    // may have been there before.
    const onConflict = (statement as { state?: { onConflict?: { set?: unknown } } }).state?.onConflict
    const plainInsert = statement.kind === "insert" && onConflict?.set === undefined
    if (statement.kind !== "delete" && !this.connection.inTransaction) return
    for (const row of rows) {
      for (const item of Array.isArray(row) ? row : [row]) {
        if (!hasState(item)) continue
        const state = stateOf(item)
        if (state.session !== this || state.committed === undefined) continue
        const before = held?.has(state)
          ? { values: { ...state.values }, committed: held.get(state) }
          : undefined
        if (statement.kind === "delete") {
          this.#writtenInTransaction(state, before)
          this.#forget(state)
        } else if (before) this.#writtenInTransaction(state, before)
        else {
          this.#flushed ??= nothingFlushed()
          this.#flushed[plainInsert ? "inserted" : "returned"].add(state)
        }
      }
    }
  }

  /**
   * The committed snapshots of the session's objects of a write's table, when the write returns rows.
   * Kept by reference: a row that refreshes an object replaces its snapshot, it does not change it.
   */
  #heldOfTable(statement: Statement): Map<InstanceState, SavedState["committed"]> | undefined {
    const { table, returning } =
      (statement as { state?: { table?: Table; returning?: readonly unknown[] } }).state ?? {}
    if (!table || !returning?.length) return undefined
    const held = new Map<InstanceState, SavedState["committed"]>()
    for (const object of this.identityMap.values()) {
      const state = stateOf(object)
      if (state.mapper.table === table) held.set(state, state.committed)
    }
    return held
  }

  /** The committed rows of the session's objects, to find those a read then refreshes. */
  #committedRows(): Map<InstanceState, SavedState["committed"]> {
    return new Map(this.identityMap.values().map((object) => [stateOf(object), stateOf(object).committed]))
  }

  /**
   * Rows that refreshed held objects (populateExisting, refresh(), RETURNING) may have moved them to
   * other parents (another program wrote them): their loaded relationships follow, as a bulk UPDATE's
   * do (./bulk-relink.ts). Left, the old parent's delete cascade deleted a row that is now another's.
   */
  #relinkRefreshed(before: ReadonlyMap<InstanceState, SavedState["committed"]> | undefined): void {
    if (!before) return
    const moved = [...before].filter(([state, committed]) => committed && state.committed !== committed)
    if (moved.length === 0) return
    const forget = (state: InstanceState) => this.#forget(state)
    const touch = (state: InstanceState) => this.#writtenInTransaction(state)
    relinkMoved(moved, bulkSession(this.identityMap, forget, touch, this.engine.dialect.name === "sqlite"))
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

  /**
   * Attaches the detached objects new ones reach through loaded save-update relationships (through
   * the new and detached objects outside the session), as add() attaches what it reaches: one index-written into a new object's
   * collection, which add() does not see when an earlier add() walked that object (322a03f), or linked
   * to a new object outside the session after the last add(). Their links were never written, the
   * commit succeeding. Whether any was.
   */
  #attachLinkedDetached(pending: readonly InstanceState[]): boolean {
    const found: InstanceState[] = []
    const queue = [...pending]
    const seen = new Set(queue)
    for (let i = 0; i < queue.length; i++) {
      const state = queue[i] as InstanceState
      for (const key of loadedOf(state)) {
        if (!relationshipOf(state.mapper, key).cascade.has("save-update")) continue
        for (const object of relatedOf(state, key)) {
          const other = stateOf(object)
          if (other.session !== undefined || other.gone || seen.has(other)) continue
          // Through the new ones the next collection cascades in (not one expunged while pending).
          if (other.committed === undefined && other.expungedFrom === this) continue
          seen.add(other)
          queue.push(other)
          if (other.committed !== undefined) found.push(other)
        }
      }
    }
    for (const other of found) this.#refuseAttach(other, true)
    for (const other of found) this.#attach(other)
    return found.length > 0
  }

  /** linkIndexWrites for `states`; whether any had such a write. */
  #linkIndexWritesOf(states: readonly InstanceState[]): boolean {
    const link = plugins.relationships?.linkIndexWrites
    let any = false
    if (link) for (const state of states) if (link(state)) any = true
    return any
  }

  /** Catches up with collections changed where their lists cannot see it (`tags[0] = tag`). */
  #linkIndexWrites(): void {
    const link = plugins.relationships?.linkIndexWrites
    if (!link) return
    for (const state of this.#new) link(state)
    for (const object of this.identityMap.values()) link(stateOf(object))
  }

  #hasChanges(): boolean {
    if (this.#new.size > 0 || this.#deleted.size > 0) return true
    for (const object of this.identityMap.values()) {
      const state = stateOf(object)
      if (changedSinceFlush(state)) return true
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
    // Objects pending before the flush. Those added while it is planned (by listeners, beforeFlush's
    // included, or cascaded from others) are expunged if it fails; the next flush cascades to the latter
    // again, and listeners add theirs again. Objects the application adds while the request is out stay.
    // A version a rolled-back transaction left is read again first, as SQLAlchemy loads an expired one.
    this.#afterFlushChanged = false
    await reloadRolledBackVersions(connection, this.#rolledBackVersioned)
    const pendingBefore = new Set(this.#new)
    const addedSince = () => [...this.#new].filter((state) => !pendingBefore.has(state))
    let addedByFlush: InstanceState[] | undefined
    // What planning decides besides values: objects it marks for deletion (orphans, cascades) and
    // pending ones it drops (new children of deleted parents). A failed flush takes them back, and the
    // next decides again from the objects as they are then (SQLAlchemy finds orphans at every flush).
    const markedBefore = new Set(this.#deleted)
    const decidedSince = () => ({
      marked: [...this.#deleted].filter((state) => !markedBefore.has(state)),
      dropped: [...pendingBefore].filter((state) => !this.#new.has(state) && state.session === undefined),
    })
    let decidedByFlush: ReturnType<typeof decidedSince> | undefined
    // Saved before beforeFlush listeners run: what they change is undone with the rest if the flush
    // fails. What the application wrote where collections cannot see (an index write) is linked first:
    // it is the application's, and stays.
    this.#linkIndexWrites()
    const saved = new Map<InstanceState, SavedState>()
    const save = (state: InstanceState) => {
      if (!saved.has(state)) saved.set(state, saveOf(state))
    }
    // The persistent objects the flush looks at: those that changed and what their changes reach
    // (./flush/scope.ts), or every one the session holds where a delete or a listener may reach any
    // (each is saved before a listener runs). Found again each round, from the objects as they are then.
    let everyObject = this.#deleted.size > 0 || this.#listeners.get("beforeFlush").length > 0
    /** Stored objects new ones reach, whose foreign keys the flush sets (found after collecting). */
    const reachedFromNew = new Set<InstanceState>()
    const lookedAt = (): InstanceState[] => {
      const scope = everyObject ? undefined : flushScope(this.identityMap.values(), this)
      if (scope) return [...new Set([...scope, ...reachedFromNew])]
      everyObject = true
      return this.identityMap.values().map(stateOf)
    }
    let looked = lookedAt()
    for (const state of this.#new) save(state)
    for (const state of looked) save(state)
    const context: FlushContext = { session: this, keyOf: (object) => primaryKeyOf(object) }
    const notified = { before: new Set<InstanceState>(), after: new Set<InstanceState>() }
    const earlier = this.#flushed
    const refusal = this.#pendingRollback
    const openSavepoints = [...this.#savepointUndo.keys()].filter((savepoint) => savepoint.state === "active")
    let databaseFailed = false
    /** The flush went out as one autocommit request that committed: nothing after it may undo it. */
    let committed = false
    /** The flush's answer is on the objects: it wrote inside the transaction, as any flush there. */
    let applied = false
    let sent: Map<InstanceState, Snapshot> | undefined
    let plan: FlushPlan | undefined
    /** Past the beforeFlush listeners: a failure from here on ends the transaction's work. */
    let flushBegan = false
    this.#flushing = true
    const growth = new ListenerGrowth()
    const telling = (state: InstanceState, listener: string) => growth.telling(state, listener)
    this.#listenerGrowth = growth
    try {
      this.#fire("beforeFlush")
      flushBegan = true
      for (let round = 0; !plan; round++) {
        if (round > 20)
          throw new InvalidRequestError("Flush listeners keep adding changes; a listener may loop")
        // Linked and looked at above, before beforeFlush listeners ran: again after what they, or an
        // earlier round, changed.
        if (round > 0 || everyObject) {
          this.#linkIndexWrites()
          looked = lookedAt()
        }
        const changes = collectChanges(this, this.#new, looked, this.#deleted)
        sessionChanges++
        // Rows a listener is told of, or rows deleted (which the scope leaves to every object): looked
        // at again with every object, each saved before anything runs that may change it.
        if (!everyObject && (changes.deleted.length > 0 || listened(changes.all))) {
          everyObject = true
          for (const object of this.identityMap.values()) save(stateOf(object))
          continue
        }
        if (!everyObject) {
          const reached = storedMembersOfNew(changes.pending, new Set(looked), this)
          if (reached.length > 0) {
            for (const state of reached) reachedFromNew.add(state)
            continue
          }
        }
        // The new objects the collection cascaded in (not added): their index writes were not caught up
        // with above. Fresh walks of add() saw them (one taking back an object expunged while pending);
        // since 322a03f, an add() after one may not.
        if (this.#linkIndexWritesOf(changes.pending) || this.#attachLinkedDetached(changes.pending)) continue
        for (const state of changes.all) save(state)
        const candidate = planFlush(changes, changes.order)
        const touched = changes.persistent.filter(relationshipsChanged)
        const ran =
          notify(candidate, "before", notified.before, context, touched, telling) ||
          notify(candidate, "after", notified.after, context, touched, telling)
        growth.telling()
        if (ran) continue
        plan = candidate
      }
      addedByFlush = addedSince()
      decidedByFlush = decidedSince()
      const send = (statements: readonly Statement[]) =>
        connection.batch(statements).catch((error: unknown) => {
          // The connection has already rolled back what the failed request was part of.
          databaseFailed = true
          throw error
        })
      if (plan.steps.length === 0) return await send(reads)
      const rendered = flushRendererFor(this.engine.dialect).render(plan.steps, this.engine.dialect)
      // The objects as the flush sends them: what the application changes while it is out is newer.
      sent = snapshotOf([...new Set([...plan.inserted, ...looked])])
      this.#sending = new Set([...plan.inserted, ...plan.deleted])
      const open = connection.inTransaction
      const { dialect } = this.engine
      // Their rows are read here, not by the connection (./flush/returned.ts): after an atomic commit, a
      // value the models cannot read must not make the commit look failed.
      const statements = [...rendered.map((r) => r.statement), ...reads].map((s) => undecoded(s, dialect))
      const results = await send(statements).finally(() => {
        this.#sending = new Set()
      })
      // Its transaction ended while it was out (another statement of it failed: a Promise.all without
      // autoflush): SQLite ran it, then rolled it back with the rest.
      if (open && !connection.inTransaction) {
        throw (
          this.#pendingRollback ??
          new PendingRollbackError("The transaction ended while this flush was out; it was rolled back")
        )
      }
      const refused: DataError[] = []
      const returned = rendered.map((r, i) =>
        readReturned(results[i]?.rows ?? [], r.statement, dialect, refused),
      )
      // Before COMMIT (inside an interactive transaction), the flush fails and is rolled back, as
      // SQLAlchemy's, which reads RETURNING rows before its COMMIT.
      if (refused.length > 0 && connection.inTransaction) throw refused[0]
      const late = lateChanges(sent.keys(), sent)
      for (const [i, r] of rendered.entries()) r.apply(returned[i] as unknown[][])
      // After it, the rows are written: an object whose key could not be read cannot be held by its row,
      // and pending it would be inserted again. It is let go, as an object whose row the session cannot
      // name (state detached).
      const unkeyed = plan.inserted.filter((state) => state.committed === undefined)
      // Some new objects got no row of their own back (a trigger or rule skipped an INSERT): inside a
      // transaction the flush fails and is rolled back, as SQLAlchemy's FlushError; after an atomic
      // commit they are let go below, and the commit says so.
      if (unkeyed.length > 0 && !refused[0] && connection.inTransaction)
        throw insertedWithoutRows(unkeyed, false)
      for (const state of unkeyed) {
        this.#expunge(state)
        state.committed = {}
      }
      this.#rekeyChangedKeys(plan.updated, saved)
      if (connection.inTransaction) {
        this.#flushed ??= nothingFlushed()
        recordFlushed(this.#flushed, plan, saved)
      }
      this.#afterFlush(plan.inserted, plan.deleted, sent, everyObject)
      sessionChanges++
      keepLateChanges(late)
      applied = true
      committed = !connection.inTransaction
      this.#fireAfterFlush()
      // Applied, and said so: the catch below ends the commit as one (afterCommit).
      if (refused[0]) throw committedButUnreadable(refused[0], unkeyed)
      if (unkeyed.length > 0) throw insertedWithoutRows(unkeyed, true)
      try {
        return results
          .slice(rendered.length)
          .map((result, i) => readRows(result, reads[i] as Statement, dialect))
      } catch (error) {
        throw committed && error instanceof DataError ? committedButUnreadable(error, []) : error
      }
    } catch (error) {
      sessionChanges++
      // An afterFlush listener threw after the rows were committed: the objects say what the database
      // has, the commit ends as one (afterCommit), and the listener's error goes to the caller.
      if (committed) {
        this.#afterCommit()
        throw error
      }
      // An afterFlush listener threw after the answer was applied inside the transaction: the flush
      // is one of the transaction's, which ending the failed work undoes on the objects below, as
      // rollback() would (put back here, inserted objects lost the keys the identity map holds them by).
      if (!applied) {
        const late = sent ? lateChanges(sent.keys(), sent) : []
        for (const [state, before] of saved) restoreSaved(state, before)
        keepLateChanges(late)
        const { marked, dropped } = decidedByFlush ?? decidedSince()
        for (const state of marked) {
          state.deleted = false
          this.#deleted.delete(state)
        }
        for (const state of dropped) {
          if (state.session !== undefined) continue
          state.session = this
          state.expungedFrom = undefined
          this.#new.add(state)
        }
        // What this flush's listeners added would otherwise be written by the next, beside what they add again.
        for (const state of addedByFlush ?? addedSince()) if (this.#new.has(state)) this.#expunge(state)
        // A commit whose outcome is unknown (its request sent, the answer lost) may have been applied:
        // put back as pending, its objects were written again by the session's next commit, a second
        // row for each new one. They end as a transaction that did not commit leaves them (SQLAlchemy's
        // rollback after a failed commit): new ones transient, changed ones with the values before it.
        if (databaseFailed && plan && error instanceof UnknownOutcomeError) {
          const unknown = nothingFlushed()
          recordFlushed(unknown, plan, saved)
          this.#undoFlushed(unknown)
        }
      }
      // A beforeFlush listener refused before the flush began: the objects are back as they were, and the
      // transaction goes on as before the call, as SQLAlchemy's before_flush raises before its flush
      // begins. Ended, a query whose autoflush a listener refused left the session refusing every call,
      // reads too, until a rollback() that dropped the work still pending.
      if (!flushBegan) {
        if (this.closed) this.expungeAll()
        throw error
      }
      // A failure the database did not see (a listener threw) ends the work as one it saw does: the
      // earlier flushes of the transaction are not left for a later commit to make durable.
      const active = [...this.#savepointUndo].filter(([savepoint]) => savepoint.state === "active")
      if (!databaseFailed) await rollbackFailedWork(connection).catch(() => undefined)
      // A savepoint took the failure of a flush whose answer is on the objects (the enclosing
      // transaction goes on): they go back to it, as its rows did. Left, its inserted objects stayed
      // persistent, under keys of rows that are gone, for a commit to report saved.
      if (applied) for (const [savepoint, undo] of active) if (savepoint.state === "failed") undo()
      const failedIn = openSavepoints.findLast((savepoint) => savepoint.state === "failed")
      // Not applied, this flush's objects are back as before it, pending; but what earlier flushes inside
      // the savepoint wrote went with it too, and goes back with it (what was never sent stays). Left, an
      // object inserted there stayed persistent under the key of a row that was gone, for a commit once
      // this flush's objects were expunged (or a listener's failure refused nothing) to report saved.
      const undoFailed = failedIn && !applied && this.#savepointUndo.get(failedIn)
      if (undoFailed) this.#undoFailedSavepoint(undoFailed)
      if (failedIn && plan && !applied && connection.inTransaction) {
        const refusal = new PendingRollbackError(
          `A flush inside savepoint ${failedIn.name} failed (the cause), and the database undid the savepoint's work; call that savepoint's rollback() (which puts the objects back as they were when it began), or the session's rollback(), before writing again`,
        )
        refusal.cause = error
        const objects = [...plan.inserted, ...plan.updated, ...plan.deleted]
        this.#flushFailedIn = { savepoint: failedIn, objects, refusal }
      }
      this.#endedBy(error, refusal)
      // The failure ended the transaction, which undid its earlier flushes before this flush's objects
      // were put back above: undo them again over that (undoing is idempotent).
      if (earlier && this.#flushed !== earlier) this.#undoFlushed(earlier)
      if (!connection.inTransaction) this.#fire("afterRollback")
      // Closed while it was out (close() gives up on a flush that does not answer): what was put back
      // above went back into the session, which has let go of its objects; they are let go again.
      if (this.closed) this.expungeAll()
      throw staleOrSame(error)
    } finally {
      this.#flushing = false
      this.#listenerGrowth = undefined
    }
  }

  /** Objects whose primary key an UPDATE changed are found by their new key, and no longer by the old. */
  #rekeyChangedKeys(updated: readonly InstanceState[], saved: ReadonlyMap<InstanceState, SavedState>): void {
    this.#reattach(
      // Not those the application expunged while the flush was out.
      updated
        .filter((state) => state.session === this)
        .map((state) => {
          const before = saved.get(state)?.committed
          return [state, state.mapper.primaryKey.map((column) => before?.[column.key])] as const
        }),
    )
  }

  #afterFlush(
    inserted: readonly InstanceState[],
    deleted: readonly InstanceState[],
    sent: ReadonlyMap<InstanceState, Snapshot>,
    /** The flush looked at every object; else at those `sent` holds, the others' relationships unchanged. */
    everyObject: boolean,
  ): void {
    for (const state of inserted) {
      this.#new.delete(state)
      state.uniqueBy = undefined
      // Not one the application expunged while the flush was out (it may be in another session by now).
      if (state.session === this) this.#hold(state)
    }
    for (const state of deleted) this.#forget(state)
    for (const object of this.identityMap.values()) {
      const state = stateOf(object)
      const taken = sent.get(state)
      if (taken || everyObject) snapshotCollections(state, taken)
    }
  }

  /**
   * Notes an object a bulk UPDATE or DELETE inside the interactive transaction is about to change, as
   * a flush's writes are noted: a rollback puts it back as it was before the transaction.
   */
  #writtenInTransaction(
    state: InstanceState,
    before: SavedState = { values: { ...state.values }, committed: state.committed },
  ): void {
    if (!this.connection.inTransaction) return
    this.#flushed ??= nothingFlushed()
    if (this.#flushed.inserted.has(state) || this.#flushed.before.has(state)) return
    this.#flushed.before.set(state, before)
  }

  /** The interactive transaction ended: forget what it flushed if it committed, else undo it. */
  protected override transactionEnded(committed: boolean): void {
    sessionChanges++
    const flushed = this.#flushed
    this.#flushed = undefined
    this.#savepointUndo.clear()
    this.#flushFailedIn = undefined
    if (flushed && !committed) this.#undoFlushed(flushed)
    // Rows read inside the transaction may hold what it wrote (a bulk or text() UPDATE, a flush's), which
    // the database no longer has: every object's row is read again by the next query or get() that
    // reaches it, as SQLAlchemy's rollback expires every object (relationships as above).
    if (!committed)
      for (const object of this.identityMap.values()) {
        expireColumns(stateOf(object))
        noteRolledBack(stateOf(object), this.#rolledBackVersioned)
      }
    // Ended by a failure (a statement, a flush, the connection, a COMMIT), not by the application:
    // its earlier work is gone, and the session writes nothing more until the application has seen
    // that and rolled back, as SQLAlchemy's.
    if (!committed && !this.#rollingBack) {
      this.#pendingRollback = new PendingRollbackError(
        "This session's transaction ended when a statement, flush or commit inside it failed (the cause); what it had written is undone: call rollback() before writing again",
      )
    }
    // Its deletions committed (or ones the rollback above did not take back): detached.
    for (const state of [...this.#deletedInTransaction]) this.#releaseDeleted(state)
  }

  /**
   * Puts the objects a transaction that did not commit had written back to what the database has, as
   * SQLAlchemy's rollback does: objects it inserted are transient again (without generated keys),
   * objects it deleted persistent again, and updated or deleted ones get their column values from
   * before it and their relationships unloaded (`refresh()` loads them), as SQLAlchemy expires them.
   */
  #undoFlushed(flushed: FlushedInTransaction): void {
    // Not one another session holds by now (undone by a savepoint's rollback, or expunged, then added
    // there and perhaps committed): its keys and its place there are that session's.
    for (const state of flushed.inserted)
      if (!state.session || state.session === this) this.#makeNewAgain(state)
    for (const state of flushed.returned) this.#letGoReturned(flushed, state)
    const keys = [...flushed.before.keys()]
      .filter((state) => this.#stillOwns(state))
      .map((state) => [state, state.identity] as const)
    for (const [state, before] of flushed.before) {
      revertToCommitted(state, before.committed)
      state.deleted = false
      this.#deleted.delete(state)
    }
    this.#reattach(keys)
    // Relationships loaded or flushed inside the transaction may say what it undid (a row it inserted,
    // a link or a key it wrote), and would write it again: unloaded, as SQLAlchemy's rollback expires them.
    for (const object of this.identityMap.values()) unloadRelationships(stateOf(object))
  }

  /**
   * Whether a rollback puts an object back into this session: one it holds, or whose row its
   * transaction deleted ("deleted"); not one expunged since (or added to another session), which gets
   * back its values only, as SQLAlchemy's rollback re-attaches only the session's own objects.
   */
  #stillOwns(state: InstanceState): boolean {
    return state.session === this || state.deletedIn === this
  }

  /**
   * An object a rollback put back as it was: in the session again (a delete undone), under the key it
   * has again (an UPDATE of its key undone), marked for deletion again if it was.
   */
  #reattach(objects: Iterable<readonly [InstanceState, readonly unknown[] | undefined]>): void {
    sessionChanges++
    const states = [...objects].filter(([state]) => state.committed !== undefined)
    // Every old entry out before any new one goes in: keys may have been swapped between objects.
    for (const [state, keyBefore] of states) {
      if (keyBefore && this.identityMap.get(state.mapper, keyBefore) === state.object)
        this.identityMap.delete(state.mapper, keyBefore)
    }
    for (const [state] of states) {
      state.gone = false
      this.#releaseDeleted(state)
      state.session = this
      this.#hold(state)
      if (state.deleted) this.#deleted.add(state)
    }
  }

  /**
   * Puts an object in the identity map under its key. A query without autoflush that ran while the
   * flush was out may have read its row (inserted, or under a key the flush changed) as an object of
   * its own: one object per row, this one; the other is detached, not left persistent beside it.
   */
  #hold(state: InstanceState): void {
    const identity = state.identity
    if (!identity) return
    const other = this.identityMap.get(state.mapper, identity)
    if (other && other !== state.object) stateOf(other).session = undefined
    this.identityMap.set(state.mapper, identity, state.object)
  }

  /**
   * An object first held through an UPDATE's or upsert's RETURNING in work that was rolled back. The
   * session never saw its row before: an upsert's may have been there (and has its old values again)
   * or not (and is gone), and nothing portable tells which. Kept persistent, it would vouch for values
   * the database may not have (a change back to them writes nothing) or for a row that is gone (a
   * change is an UPDATE of no row); made transient, add() would insert a row that may exist. So it is
   * let go, detached and expired (added back, the next read reloads it), and `get()` reads the
   * database, as SQLAlchemy's rollback expires it. Also when a flush since changed or deleted it.
   */
  #letGoReturned(flushed: FlushedInTransaction, state: InstanceState): void {
    flushed.returned.delete(state)
    flushed.before.delete(state)
    if (!this.#stillOwns(state)) return
    this.#expunge(state)
    state.gone = false
    state.deleted = false
    state.expired = true
  }

  /** An object whose row was rolled back: transient again, without the keys the database gave it. */
  #makeNewAgain(state: InstanceState): void {
    sessionChanges++
    this.#expunge(state)
    state.committed = undefined
    for (const column of state.mapper.primaryKey) {
      if (isGeneratedKey(column)) delete state.values[column.key]
    }
  }

  #fire(event: SessionEvent): void {
    const ending = event === "afterCommit" || event === "afterRollback"
    if (ending) this.#ending = event
    try {
      for (const listener of this.#listeners.get(event)) callListener(event, () => listener(this), ending)
    } finally {
      if (ending) this.#ending = undefined
    }
  }

  /** Fires afterFlush, noting whether its listeners left changes for commit() to write. */
  #fireAfterFlush(): void {
    if (this.#listeners.get("afterFlush").length === 0) return
    // Changes already there (made while the flush was out) are the next flush's, as before.
    const counted = this.#new.size + this.#deleted.size
    const unchanged = !this.#hasChanges()
    this.#fire("afterFlush")
    this.#afterFlushChanged =
      this.#new.size + this.#deleted.size !== counted || (unchanged && this.#hasChanges())
  }

  #afterCommit(): void {
    this.#fire("afterCommit")
    if (!this.options.expireOnCommit) return
    for (const object of this.identityMap.values()) expire(stateOf(object))
  }
}

/** Flushes one commit() makes while afterFlush listeners keep changing the session (SQLAlchemy: 100). */
const MAX_COMMIT_FLUSHES = 10

/** A factory of sessions configured alike, as SQLAlchemy's `sessionmaker`: `const Session = sessionmaker(engine)`. */
export function sessionmaker(engine: Engine, options: SessionOptions = {}): () => AsyncSession {
  checkSessionOptions(options, "sessionmaker()")
  return () => new AsyncSession(engine, options)
}

/**
 * The state of an object given to a session method. A plain object (a request body) or a model class
 * was "This Object is not an instance of a mapped model"; the refusal names the method and what it takes.
 */
function givenState(object: object, method: string): InstanceState {
  if (hasState(object)) return stateOf(object)
  throw new InvalidRequestError(
    `session.${method}() takes a model's object (new Model({ ... })), not ${described(object)}`,
  )
}
