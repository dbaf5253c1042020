// The runner: reads what the database has (the version rows and, on SQLite, its schema) in one
// request, then applies each revision as one atomic request: its version-table guard first, then its
// DDL. A revision that fails leaves nothing behind; a revision another runner applied meanwhile is
// detected (the guard fails, changing nothing) and dropped from the plan, which goes on from there.
import type { Connection } from "../engine/connection.ts"
import type { Engine } from "../engine/engine.ts"
import { DatabaseError, InvalidRequestError, ProgrammingError, UnknownOutcomeError } from "../errors.ts"
import type { Dialect } from "../sql/compiler/dialect.ts"
import type { MetaData } from "../sql/schema/metadata.ts"
import type { Statement } from "../sql/statement.ts"
import { text } from "../sql/text.ts"
import { retryWhileBusy } from "./busy.ts"
import { type Change, compareSchemas } from "./compare.ts"
import { migrationCompiler } from "./ddl.ts"
import { ConcurrentMigrationError } from "./errors.ts"
import { explainFailure } from "./failure.ts"
import { schemaOfMetadata } from "./from-metadata.ts"
import { introspect, introspection } from "./introspect/index.ts"
import { Operations } from "./operations.ts"
import { downgradePlan, resolveHeads, type Step, upgradePlan } from "./plan.ts"
import type { RevisionModule, RevisionProvider } from "./provider.ts"
import { staticRevisions } from "./provider.ts"
import { renderOperation } from "./render.ts"
import { RevisionGraph } from "./revision.ts"
import { type DatabaseSchema, emptyTable } from "./schema.ts"
import { forgetRenames, simulate } from "./simulate.ts"
import { droppedTableGuards, withoutDroppedTrigger } from "./trigger-guard.ts"
import { VersionTable } from "./version-table.ts"

export interface MigratorOptions {
  /** The revisions: a provider (the CLI's folder, `staticRevisions([...])`) or the revision modules. */
  readonly revisions: RevisionProvider | readonly RevisionModule[]
  /** Default `edgealchemy_version`. */
  readonly versionTable?: string
  /** Called after each revision is applied (or found applied by a concurrent runner). */
  readonly onStep?: (event: StepEvent) => void
}

export interface StepEvent {
  readonly revision: string
  readonly message: string
  readonly direction: "upgrade" | "downgrade"
  readonly statements: number
  readonly durationMs: number
  /** True when another runner applied it first; this runner changed nothing. */
  readonly concurrent: boolean
}

interface DatabaseState {
  readonly heads: string[]
  readonly schema: DatabaseSchema
  /**
   * The schema is simulated past what it cannot follow: raw SQL (`op.execute`), or a rename, which
   * SQLite also writes into triggers and indexes as written. Read it again before use.
   */
  readonly stale?: boolean
}

/** One atomic request, sent again while another runner holds the database (see busy.ts). */
function send(connection: Connection, statements: readonly Statement[]) {
  return retryWhileBusy(() => connection.batch(statements))
}

/**
 * The revisions a stamp at `targets` leaves applied besides them: where a recorded row follows a target,
 * what that row stands for (it and its ancestors) stays applied but for the target's descendants, as a
 * downgrade to the target would leave it; the heads of that are kept (a merge's other parents).
 */
function stillApplied(graph: RevisionGraph, targets: readonly string[], rows: readonly string[]): string[] {
  const below = graph.withAncestors(targets)
  const above = new Set(targets.flatMap((t) => [...graph.withDescendants(t)]))
  const rest = new Set<string>()
  for (const row of rows) {
    if (!above.has(row) || targets.includes(row)) continue
    for (const id of graph.withAncestors([row])) if (!above.has(id) && !below.has(id)) rest.add(id)
  }
  const unrelatedRows = rows.filter((row) => !above.has(row) && !below.has(row))
  const covered = graph.withAncestors(unrelatedRows)
  return [...rest].filter(
    (id) =>
      !covered.has(id) && ![...rest].some((other) => other !== id && graph.withAncestors([other]).has(id)),
  )
}

export class Migrator {
  readonly versionTable: VersionTable
  readonly dialect: Dialect
  readonly #engine: Engine | undefined
  readonly #provider: RevisionProvider
  #graph: RevisionGraph | undefined

  /** With an engine it runs revisions; with only a dialect it renders their SQL (`sql`, `graph`). */
  constructor(
    target: Engine | Dialect,
    private readonly options: MigratorOptions,
  ) {
    // By shape, not instanceof: the caller's Engine or Dialect may come from another copy of the package.
    this.#engine = "connect" in target ? target : undefined
    this.dialect = "connect" in target ? target.dialect : target
    this.versionTable = new VersionTable(options.versionTable ?? "edgealchemy_version", this.dialect)
    this.#provider = "load" in options.revisions ? options.revisions : staticRevisions(options.revisions)
  }

  /** The revisions' graph, loaded from the provider on first use and kept for this Migrator's life. */
  async graph(): Promise<RevisionGraph> {
    this.#graph ??= new RevisionGraph(await this.#provider.load())
    return this.#graph
  }

  /**
   * The revisions the database is at (one per branch head; none before the first upgrade). It only
   * reads: `current` and `check` work with a read-only token and create no version table.
   */
  async current(): Promise<string[]> {
    return this.withConnection(async (connection) => {
      try {
        const [rows] = await send(connection, [text(this.versionTable.select())])
        return (rows?.all() ?? []).map((row) => String((row as unknown[])[0]))
      } catch (error) {
        // No version table yet: at base (SQLite's "no such table", PostgreSQL's 42P01, naming it).
        if (error instanceof ProgrammingError && error.message.includes(this.versionTable.name)) return []
        throw error
      }
    })
  }

  /** The revisions not applied yet, on every branch, in order: what `upgrade("heads")` would apply. */
  async pending(): Promise<string[]> {
    const graph = await this.graph()
    const heads = await this.current()
    return upgradePlan(graph, heads, "heads").map((step) => step.revision)
  }

  /**
   * Applies pending revisions up to `target`: `head` (default; refused while branches are open, as
   * Alembic does), `heads` (every branch), a revision id or prefix, or `+N`.
   */
  async upgrade(target = "head"): Promise<StepEvent[]> {
    const graph = await this.graph()
    return this.run((heads) => upgradePlan(graph, heads, target))
  }

  /** Undoes revisions down to `target`: `base`, a revision id or prefix (it stays applied), or `-N`. */
  async downgrade(target: string): Promise<StepEvent[]> {
    const graph = await this.graph()
    return this.run((heads) => downgradePlan(graph, heads, target))
  }

  /**
   * Records `target` (`head`, `heads`, `base` or a revision) as applied without running anything. As
   * Alembic's stamp, a revision replaces the rows of its own branch (its ancestors and descendants);
   * another branch's head stays. A row no revision has goes. Below a merge the database is recorded
   * as `downgrade` would leave it: the merge's other parents, applied since the merge was, stay as
   * heads (Alembic's stamp keeps only the target, and a later `upgrade heads` ran the other branch's
   * revisions again over their own tables). That reads the version table first (one more request,
   * only where a merge follows the target), and fails with ConcurrentMigrationError if it changed.
   */
  async stamp(target: string): Promise<void> {
    const graph = await this.graph()
    const heads = resolveHeads(graph, target)
    const all = graph.ordered.map((r) => r.id)
    const replaced =
      target === "base"
        ? all
        : heads.flatMap((h) => [...graph.withAncestors([h]), ...graph.withDescendants(h)])
    const mergeAbove = heads.some((h) =>
      [...graph.withDescendants(h)].some((id) => graph.parents(id).length > 1),
    )
    await this.withConnection(async (connection) => {
      const read = mergeAbove ? await this.readHeads(connection) : undefined
      const kept = read ? [...heads, ...stillApplied(graph, heads, read)] : heads
      try {
        await send(connection, [
          text(this.versionTable.create()),
          ...this.versionTable.stamp(kept, new Set(replaced), all, read).map((sql) => text(sql)),
        ])
      } catch (error) {
        if (read === undefined || !(error instanceof DatabaseError)) throw error
        const now = await this.readHeads(connection).catch(() => undefined)
        if (now?.join() === read.join()) throw error
        throw new ConcurrentMigrationError(
          `Stamp ${target}: the version table changed while stamping (another runner?); run the command again`,
          { cause: error },
        )
      }
    })
  }

  /** The version table's rows, sorted; none when it does not exist. */
  private async readHeads(connection: Connection): Promise<string[]> {
    const [, rows] = await send(connection, [
      text(this.versionTable.create()),
      text(this.versionTable.select()),
    ])
    return (rows?.all() ?? []).map((row) => String((row as unknown[])[0])).sort()
  }

  /** The differences autogenerate would write: the models' schema against the live one (one read-only request). */
  async compare(metadata: MetaData): Promise<Change[]> {
    const schema = await this.withConnection((connection) =>
      retryWhileBusy(() => introspect(connection, new Set([this.versionTable.name]))),
    )
    const models = new Map(schemaOfMetadata(metadata, this.dialect))
    models.delete(this.versionTable.name)
    return compareSchemas(schema, models)
  }

  /**
   * The SQL of revisions without running it, for review: from `from` (default `base`, an empty
   * database) to `to`. SQLite rebuilds are rendered against the schema the earlier revisions build.
   */
  async sql(direction: "upgrade" | "downgrade", to: string, from?: string): Promise<string[]> {
    const graph = await this.graph()
    const start = resolveHeads(graph, from ?? "base")
    // The schema `from` stands for, built by replaying its revisions from an empty database.
    let schema: DatabaseSchema = new Map()
    for (const step of upgradePlan(graph, [], "heads").filter((s) =>
      graph.withAncestors(start).has(s.revision),
    )) {
      schema = (await this.render(step, schema)).schema
    }
    const steps = direction === "upgrade" ? upgradePlan(graph, start, to) : downgradePlan(graph, start, to)
    const lines = start.length === 0 && direction === "upgrade" ? [`${this.versionTable.create()};`] : []
    for (const step of steps) {
      const rendered = await this.render(step, schema)
      schema = rendered.schema
      const revision = graph.get(step.revision)
      lines.push(
        "",
        `-- ${direction} ${revision.id}: ${revision.message}`,
        ...rendered.statements.map((s) => `${s};`),
      )
    }
    return lines
  }

  /**
   * Applies the steps planned from the heads the database has, one request each. When a request
   * fails because another runner moved the version table meanwhile, the steps that runner applied
   * are dropped from the plan and the rest go on from what the database now says.
   */
  private async run(plan: (heads: readonly string[]) => Step[]): Promise<StepEvent[]> {
    const graph = await this.graph()
    const events: StepEvent[] = []
    const report = (event: StepEvent) => {
      events.push(event)
      this.options.onStep?.(event)
    }
    await this.withConnection(async (connection) => {
      const withSchema = this.dialect.name === "sqlite"
      let state = await this.readState(connection, withSchema)
      let steps = plan(state.heads)
      while (steps.length > 0) {
        const step = steps[0] as Step
        const revision = graph.get(step.revision)
        if (state.stale) state = await this.readState(connection, withSchema)
        const { statements, schema, stale } = await this.render(step, state.schema)
        const started = performance.now()
        try {
          await send(
            connection,
            statements.map((sql) => text(sql)),
          )
        } catch (error) {
          const now = await this.readState(connection, withSchema).catch(() => undefined)
          if (!now || !this.changedUnderUs(state.heads, now.heads)) {
            throw await explainFailure(connection, step, statements, error, this.versionTable)
          }
          // Its answer lost (UnknownOutcomeError), and the database now exactly where this step leads:
          // this runner's own request applied it, not another runner (which it was reported as).
          const ours =
            error instanceof UnknownOutcomeError &&
            !this.changedUnderUs(this.headsAfter(step, state.heads), [...now.heads].sort())
          const done = steps.filter((s) => this.isDone(s, now.heads))
          for (const s of done) {
            const own = ours && s === step
            const event = this.event(s, graph.get(s.revision).message, own ? statements.length : 0, started)
            report({ ...event, concurrent: !own })
          }
          state = now
          steps = steps.filter((s) => !done.includes(s))
          continue
        }
        report(this.event(step, revision.message, statements.length, started))
        state = { heads: this.headsAfter(step, state.heads), schema, stale: withSchema && stale }
        steps = steps.slice(1)
      }
    })
    return events
  }

  /** The revision's statements (version guard first, then its operations) and the schema after them. */
  private async render(
    step: Step,
    before: DatabaseSchema,
  ): Promise<{ statements: string[]; schema: DatabaseSchema; stale: boolean }> {
    const graph = await this.graph()
    const revision = graph.get(step.revision)
    const op = new Operations()
    const dialect = this.dialect
    let schema = forgetRenames(before)
    const ddl: string[] = []
    /** SQLite: the tables the revision drops, as they were, whose views and triggers it checks last. */
    let dropped: DatabaseSchema = new Map()
    try {
      await (step.direction === "upgrade" ? revision.upgrade(op) : revision.downgrade(op))
      for (const operation of op.recorded) {
        ddl.push(...renderOperation(operation, schema, dialect))
        // Only SQLite needs the schema as it evolves (for rebuilds); PostgreSQL alters in place.
        if (dialect.name !== "sqlite") continue
        if (operation.kind === "dropTable")
          dropped = new Map([
            ...dropped,
            [operation.table, schema.get(operation.table) ?? emptyTable(operation.table)],
          ])
        if (operation.kind === "execute") dropped = withoutDroppedTrigger(dropped, operation.sql)
        schema = simulate(schema, operation, dialect)
      }
      ddl.push(...droppedTableGuards([...dropped.values()], schema, migrationCompiler(dialect)))
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error)
      throw new InvalidRequestError(
        `Revision ${revision.id} ("${revision.message}") cannot ${step.direction}, nothing was sent: ${reason}`,
        { cause: error },
      )
    }
    const version =
      step.direction === "upgrade"
        ? this.versionTable.upgrade(graph, step.revision)
        : this.versionTable.downgrade(step.revision, step.restoredHeads)
    const stale = op.recorded.some(
      (operation) =>
        operation.kind === "execute" ||
        operation.kind === "renameTable" ||
        (operation.kind === "alterColumn" && operation.changes.newName !== undefined),
    )
    return { statements: [...version, ...ddl], schema, stale }
  }

  /** The version rows and, when asked (SQLite), the schema, in one request. */
  private async readState(connection: Connection, withSchema: boolean): Promise<DatabaseState> {
    const plan = introspection(this.dialect)
    const lock = this.versionTable.lock().map((sql) => text(sql))
    const results = await send(connection, [
      ...lock,
      text(this.versionTable.create()),
      text(this.versionTable.select()),
      ...(withSchema ? plan.statements : []),
    ])
    const rows = results.slice(lock.length + 1).map((r) => r.all() as unknown[][])
    const heads = (rows[0] ?? []).map((row) => String(row[0]))
    const schema = withSchema ? plan.parse(rows.slice(1), new Set([this.versionTable.name])) : new Map()
    return { heads, schema }
  }

  private changedUnderUs(before: readonly string[], after: readonly string[]): boolean {
    return before.length !== after.length || before.some((id, i) => after[i] !== id)
  }

  private isDone(step: Step, heads: readonly string[]): boolean {
    const applied = this.#graph?.withAncestors(heads) ?? new Set()
    return step.direction === "upgrade" ? applied.has(step.revision) : !applied.has(step.revision)
  }

  private headsAfter(step: Step, heads: readonly string[]): string[] {
    const graph = this.#graph as RevisionGraph
    const parents = graph.parents(step.revision)
    const next =
      step.direction === "upgrade"
        ? [...heads.filter((id) => !parents.includes(id)), step.revision]
        : [...heads.filter((id) => id !== step.revision), ...step.restoredHeads]
    return next.sort()
  }

  private event(step: Step, message: string, statements: number, started: number): StepEvent {
    return {
      revision: step.revision,
      message,
      direction: step.direction,
      statements,
      durationMs: performance.now() - started,
      concurrent: false,
    }
  }

  private async withConnection<T>(use: (connection: Connection) => Promise<T>): Promise<T> {
    if (!this.#engine) {
      throw new InvalidRequestError(
        "This Migrator was given a dialect, not an engine: it renders SQL but cannot run it",
      )
    }
    const connection = this.#engine.connect()
    try {
      return await use(connection)
    } finally {
      await connection.close()
    }
  }
}
