// One seed of the differential fuzzer: random rows go in through the ORM on a PostgreSQL and a SQLite
// transport and are read back (the round trip); random expressions are computed by both databases
// (SELECT expr), by the in-memory evaluator on each database's row (as a hybrid does), and as a WHERE
// (which rows match, as synchronizeSession "evaluate" decides); random bulk UPDATEs run with
// synchronizeSession "evaluate" or "auto", and the objects the session holds are compared with the rows
// reloaded. Every disagreement is shrunk to one row and a small expression (./minimise.ts).
import {
  AsyncSession,
  type Connection,
  deleteFrom,
  EdgeAlchemyError,
  type Engine,
  type Expression,
  InvalidRequestError,
  inspect,
  postgresql,
  type Statement,
  select,
  sqlite,
  update,
} from "../../src/index.ts"
import { evaluator, matches, rowValues } from "../../src/orm/evaluate.ts"
import { mapperOf } from "../../src/orm/mapper-of.ts"
import {
  buildSpec,
  columnsOf,
  printSpec,
  printValue,
  randomSpec,
  type Spec,
  shrinkSpec,
} from "./expression-specs.ts"
import {
  COLUMN_KEYS,
  COLUMN_SORTS,
  type ColumnKey,
  type FuzzModel,
  type FuzzRow,
  randomRow,
  type Sort,
} from "./fuzz-model.ts"
import { answered, failure, type Outcome, printOutcome, sameOutcome, sameValue } from "./outcomes.ts"
import { Random } from "./random.ts"

/** A database reached through one transport. */
export interface Target {
  readonly transport: string
  readonly dialect: "postgresql" | "sqlite"
  readonly engine: Engine
}

export interface Finding {
  /** Which comparison: the round trip, SELECT expr, WHERE, or a bulk UPDATE's synchronization. */
  readonly check: "round trip" | "select" | "where" | "bulk"
  /** Who disagreed, e.g. "memory≠postgresql" or "postgresql≠sqlite". */
  readonly category: string
  /** The minimised spec (select, where) or UPDATE (bulk), for deduplication and triage. */
  readonly subject: string
  /** A readable repro: the expression, the row's values it reads, each place's outcome, the SQL. */
  readonly repro: string
  /** The shrunk spec and the outcomes, for triage by code. */
  readonly spec?: Spec
  readonly outcomes?: Readonly<Record<string, Outcome>>
}

export interface SeedOptions {
  readonly rows: number
  readonly expressions: number
  readonly updates: number
  readonly depth: number
  /** How many simpler candidates minimising one disagreement may try. */
  readonly shrinkBudget: number
}

export const DEFAULT_OPTIONS: SeedOptions = {
  rows: 6,
  expressions: 40,
  updates: 6,
  depth: 3,
  shrinkBudget: 200,
}

type Values = Record<string, unknown>

/** A row as each database holds it: its values read back through that database's transport. */
interface Loaded {
  readonly ids: Record<string, number>
  readonly values: Record<string, Values>
}

export class Differential {
  readonly #targets: readonly [Target, Target]
  readonly #model: FuzzModel
  readonly #options: SeedOptions
  /** One connection per database for the SELECTs of a run (a WebSocket's login costs the most). */
  readonly #connections = new Map<Target, Connection>()

  constructor(targets: readonly [Target, Target], model: FuzzModel, options: SeedOptions = DEFAULT_OPTIONS) {
    this.#targets = targets
    this.#model = model
    this.#options = options
  }

  /** Random rows, random expressions and random bulk UPDATEs, all made from `seed`. */
  async runSeed(seed: number): Promise<Finding[]> {
    try {
      return await this.#runSeed(seed)
    } finally {
      await this.#closeConnections()
    }
  }

  async #runSeed(seed: number): Promise<Finding[]> {
    const options = this.#options
    const random = new Random(seed)
    const findings: Finding[] = []
    const loaded = await this.#load(random, findings)
    if (!loaded) return findings
    const sorts: Sort[] = [
      ...["bool", "bool", "bool", "int", "int", "big", "float", "float"],
      ...["numeric", "text", "text", "datetime", "date", "json"],
    ] as Sort[]
    for (let n = 0; n < options.expressions; n++) {
      findings.push(
        ...(await this.#check(randomSpec(random, random.pick(sorts), options.depth), loaded, seed)),
      )
    }
    for (let n = 0; n < options.updates; n++) {
      const key = random.pick(COLUMN_KEYS)
      // Sometimes a number of another kind, as `big: User.age` or `ratio: User.count`.
      const sort = COLUMN_SORTS[key]
      const numbers: Sort[] = ["int", "big", "float"]
      const valueSort = numbers.includes(sort) && random.chance(0.3) ? random.pick(numbers) : sort
      const value = randomSpec(random, valueSort, options.depth - 1)
      const where = randomSpec(random, "bool", options.depth - 1)
      const mode = random.pick(["evaluate", "auto"] as const)
      for (const target of this.#targets) {
        findings.push(
          ...(await this.#checkBulk(target, loaded, { kind: "update", key, value, where, mode }, seed)),
        )
      }
    }
    for (let n = 0; n < Math.ceil(options.updates / 2); n++) {
      const where = randomSpec(random, "bool", options.depth - 1)
      const mode = random.pick(["evaluate", "auto"] as const)
      const bulk: Bulk = {
        kind: "delete",
        key: "i",
        value: { op: "lit", sort: "int", value: 0 },
        where,
        mode,
      }
      for (const target of this.#targets)
        findings.push(...(await this.#checkBulk(target, loaded, bulk, seed)))
    }
    return findings
  }

  /** The rows of `seed`, and the given expressions over them (SELECT, and WHERE for conditions). */
  async checkSpecs(seed: number, specs: readonly Spec[]): Promise<Finding[]> {
    const findings: Finding[] = []
    try {
      const loaded = await this.#load(new Random(seed), findings)
      for (const spec of loaded ? specs : [])
        findings.push(...(await this.#check(spec, loaded as Loaded[], seed)))
    } finally {
      await this.#closeConnections()
    }
    return findings
  }

  #connection(target: Target): Connection {
    let connection = this.#connections.get(target)
    if (!connection) {
      connection = target.engine.connect()
      this.#connections.set(target, connection)
    }
    return connection
  }

  async #closeConnections(): Promise<void> {
    await Promise.all([...this.#connections.values()].map((connection) => connection.close()))
    this.#connections.clear()
  }

  async #check(spec: Spec, loaded: readonly Loaded[], seed: number): Promise<Finding[]> {
    const findings = await this.#checkSelect(spec, loaded, seed)
    if (spec.sort === "bool") findings.push(...(await this.#checkWhere(spec, loaded, seed)))
    return findings
  }

  /** Writes the rows on both databases and reads them back; undefined when a database refused them. */
  async #load(random: Random, findings: Finding[]): Promise<Loaded[] | undefined> {
    const rows = Array.from({ length: this.#options.rows }, () => randomRow(random))
    const loaded: Loaded[] = rows.map(() => ({ ids: {}, values: {} }))
    for (const target of this.#targets) findings.push(...(await this.#insert(target, rows, loaded)))
    return findings.some((f) => f.category === "insert failed") ? undefined : loaded
  }

  // ---- the round trip ----

  async #insert(target: Target, rows: readonly FuzzRow[], loaded: Loaded[]): Promise<Finding[]> {
    const Model = this.#model
    await using session = new AsyncSession(target.engine)
    const objects = rows.map((row) => new Model(row as never))
    try {
      session.addAll(objects)
      await session.commit()
    } catch (error) {
      const repro = `${target.transport}: ${printOutcome(failure(error))}\n  rows: ${rows.map(printRow).join("\n        ")}`
      return [{ check: "round trip", category: "insert failed", subject: target.transport, repro }]
    }
    await using reader = new AsyncSession(target.engine)
    const read = (
      await reader.scalars(
        select(Model)
          .where(Model.id.in(objects.map((o) => o.id)))
          .orderBy(Model.id),
      )
    ).all()
    const findings: Finding[] = []
    read.forEach((object, i) => {
      const values = valuesOf(object)
      ;(loaded[i] as Loaded).ids[target.dialect] = object.id
      ;(loaded[i] as Loaded).values[target.dialect] = values
      const committed = valuesOf(objects[i] as object)
      for (const key of COLUMN_KEYS) {
        const written = (rows[i] as FuzzRow)[key]
        if (!sameValue(expectedRead(key, written), normalRead(key, values[key]))) {
          findings.push(roundTrip(target, key, written, values[key], "reads back"))
        } else if (
          !sameValue(committed[key], values[key]) &&
          !(key === "n" && sameDecimal(committed[key], values[key]))
        ) {
          findings.push(
            roundTrip(
              target,
              key,
              committed[key],
              values[key],
              "is held by the committed object, the row reads back",
            ),
          )
        }
      }
    })
    return findings
  }

  // ---- SELECT expr, on both databases and in memory ----

  /** Each row's outcome on each database and in memory on that database's values. */
  async outcomes(spec: Spec, loaded: readonly Loaded[]): Promise<Record<string, Outcome>[]> {
    const expression = buildSpec(spec, this.#model)
    const perRow: Record<string, Outcome>[] = loaded.map(() => ({}))
    for (const target of this.#targets) {
      const ids = loaded.map((row) => row.ids[target.dialect] as number)
      const selected = await this.#select(target, expression, ids)
      let compute: ((values: Values) => unknown) | undefined
      let refusal: Outcome | undefined
      try {
        compute = evaluator(expression, mapperOf(this.#model).table)
      } catch (error) {
        refusal = failure(error)
      }
      loaded.forEach((row, i) => {
        const outcomes = perRow[i] as Record<string, Outcome>
        outcomes[target.dialect] = selected[i] as Outcome
        outcomes[`memory(${target.dialect})`] =
          refusal ?? memory(() => compute?.(rowValues(row.values[target.dialect] as Values, "F")))
      })
    }
    return perRow
  }

  async #select(target: Target, expression: Expression<unknown>, ids: readonly number[]): Promise<Outcome[]> {
    const Model = this.#model
    const query = (where: readonly number[]) =>
      select(Model.id, expression.label("v")).where(Model.id.in(where)).orderBy(Model.id)
    const connection = this.#connection(target)
    try {
      const rows = (await connection.execute(query(ids))).all() as unknown as [number, unknown][]
      const byId = new Map(rows.map(([id, value]) => [id, value]))
      return ids.map((id) => answered(byId.get(id)))
    } catch {
      // One row's error fails the statement: ask row by row, which row it is.
      const outcomes: Outcome[] = []
      for (const id of ids) {
        try {
          const rows = (await connection.execute(query([id]))).all() as unknown as [number, unknown][]
          outcomes.push(answered(rows[0]?.[1]))
        } catch (error) {
          outcomes.push(failure(error))
        }
      }
      return outcomes
    }
  }

  async #checkSelect(spec: Spec, loaded: readonly Loaded[], seed: number): Promise<Finding[]> {
    const untyped = buildSpec(spec, this.#model).type.kind === "null"
    const all = await this.outcomes(spec, loaded)
    for (let i = 0; i < all.length; i++) {
      const category = selectDisagreement(all[i] as Record<string, Outcome>, untyped)
      if (!category) continue
      const row = [loaded[i] as Loaded]
      const reproduces = async (candidate: Spec) => {
        const outcomes = await this.outcomes(candidate, row)
        const typeless = buildSpec(candidate, this.#model).type.kind === "null"
        return selectDisagreement(outcomes[0] as Record<string, Outcome>, typeless) === category
      }
      const small = await shrink(spec, reproduces, this.#options.shrinkBudget)
      const outcomes = (await this.outcomes(small, row))[0] as Record<string, Outcome>
      return [this.#finding("select", category, small, loaded[i] as Loaded, outcomes, seed)]
    }
    return []
  }

  // ---- WHERE: which rows match ----

  /** Each row's match on each database (true, false, or the statement's error) and in memory. */
  async matchOutcomes(spec: Spec, loaded: readonly Loaded[]): Promise<Record<string, Outcome>[]> {
    const Model = this.#model
    const condition = buildSpec(spec, Model) as Expression<boolean>
    const perRow: Record<string, Outcome>[] = loaded.map(() => ({}))
    for (const target of this.#targets) {
      const ids = loaded.map((row) => row.ids[target.dialect] as number)
      const matching = async (where: readonly number[]): Promise<Outcome> => {
        try {
          const rows = await this.#connection(target).execute(
            select(Model.id).where(Model.id.in(where), condition),
          )
          return answered(new Set(rows.scalars().all()))
        } catch (error) {
          return failure(error)
        }
      }
      const found = await matching(ids)
      // One row's error fails the statement: ask row by row, which row it is.
      const each =
        found.kind === "error" && ids.length > 1 ? await sequentially(ids, (id) => matching([id])) : undefined
      let test: ((values: Values) => unknown) | undefined
      let refusal: Outcome | undefined
      try {
        test = matches([condition], mapperOf(Model).table)
      } catch (error) {
        refusal = failure(error)
      }
      loaded.forEach((row, i) => {
        const id = row.ids[target.dialect] as number
        const outcomes = perRow[i] as Record<string, Outcome>
        const answer = each?.[i] ?? found
        outcomes[target.dialect] =
          answer.kind === "value" ? answered((answer.value as Set<number>).has(id)) : answer
        outcomes[`memory(${target.dialect})`] =
          refusal ?? memory(() => test?.(rowValues(row.values[target.dialect] as Values, "F")))
      })
    }
    return perRow
  }

  async #checkWhere(spec: Spec, loaded: readonly Loaded[], seed: number): Promise<Finding[]> {
    const all = await this.matchOutcomes(spec, loaded)
    for (let i = 0; i < all.length; i++) {
      // Only memory's answers: the databases' own disagreements are the SELECT check's.
      const category = memoryDisagreement(all[i] as Record<string, Outcome>, false)
      if (!category) continue
      const row = [loaded[i] as Loaded]
      const reproduces = async (candidate: Spec) =>
        memoryDisagreement(
          (await this.matchOutcomes(candidate, row))[0] as Record<string, Outcome>,
          false,
        ) === category
      const small = await shrink(spec, reproduces, this.#options.shrinkBudget)
      const outcomes = (await this.matchOutcomes(small, row))[0] as Record<string, Outcome>
      return [this.#finding("where", category, small, loaded[i] as Loaded, outcomes, seed)]
    }
    return []
  }

  #finding(
    check: "select" | "where",
    category: string,
    spec: Spec,
    row: Loaded,
    outcomes: Record<string, Outcome>,
    seed: number,
  ): Finding {
    const expression = buildSpec(spec, this.#model)
    const Model = this.#model
    const statement =
      check === "select"
        ? select(Model.id, expression.label("v"))
        : select(Model.id).where(expression as Expression<boolean>)
    const keys = [...columnsOf(spec)]
    const lines = [
      `[${check}] ${category} (seed ${seed}, ${this.#targets.map((t) => t.transport).join(" + ")})`,
      `  expression: ${printSpec(spec)}`,
      ...this.#targets.map(
        (t) => `  row on ${t.dialect}: ${printRow(pick(row.values[t.dialect] as Values, keys))}`,
      ),
      ...Object.entries(outcomes).map(([place, outcome]) => `  ${place}: ${printOutcome(outcome)}`),
      `  postgresql SQL: ${sqlOf(statement, "postgresql")}`,
      `  sqlite SQL: ${sqlOf(statement, "sqlite")}`,
    ]
    return { check, category, subject: printSpec(spec), repro: lines.join("\n"), spec, outcomes }
  }

  // ---- bulk UPDATE with synchronizeSession "evaluate" / "auto" ----

  async #checkBulk(target: Target, loaded: readonly Loaded[], bulk: Bulk, seed: number): Promise<Finding[]> {
    // A DELETE runs on copies of the rows, which the checks after it still need.
    const ids =
      bulk.kind === "delete"
        ? await this.#copies(
            target,
            loaded.map((row) => row.values[target.dialect] as Values),
          )
        : loaded.map((row) => row.ids[target.dialect] as number)
    const first = await this.bulkDifference(target, ids, bulk)
    if (!first) return []
    // Shrink on a copy of the row the difference showed on, as it was before the UPDATE.
    let before = first.before
    for (const row of first.rows ?? []) {
      if (await this.#bulkOnCopy(target, row, bulk)) {
        before = row
        break
      }
    }
    const reproduces = async (candidate: Bulk) =>
      (await this.#bulkOnCopy(target, before, candidate)) !== undefined
    let small = bulk
    for (const part of bulk.kind === "delete" ? (["where"] as const) : (["value", "where"] as const)) {
      const shrunk = await shrink(
        small[part],
        (spec) => reproduces({ ...small, [part]: spec }),
        this.#options.shrinkBudget / 2,
      )
      small = { ...small, [part]: shrunk }
    }
    const final = (await this.#bulkOnCopy(target, before, small)) ?? first
    const statement =
      small.kind === "delete"
        ? `deleteFrom(F).where(${printSpec(small.where)})`
        : `update(F).where(${printSpec(small.where)}).values({ ${small.key}: ${printSpec(small.value, false)} })`
    const lines = [
      `[bulk] synchronizeSession "${small.mode}" on ${target.transport} (seed ${seed})`,
      `  ${statement}`,
      `  row before: ${printRow(pick(final.before, [...new Set([small.key, ...columnsOf(small.value), ...columnsOf(small.where)])]))}`,
      `  ${final.key}: the object holds ${printValue(final.held)}, the row reloaded holds ${printValue(final.stored)}`,
    ]
    return [
      {
        check: "bulk",
        category: `object≠${target.dialect}`,
        subject: statement,
        repro: lines.join("\n"),
        // The value's expression, for triage; a DELETE has none.
        ...(small.kind === "update" ? { spec: small.value } : {}),
      },
    ]
  }

  /** Runs a bulk UPDATE on rows already in the session; the first object that differs from its row. */
  async bulkDifference(
    target: Target,
    ids: readonly number[],
    bulk: Bulk,
  ): Promise<BulkDifference | undefined> {
    const Model = this.#model
    await using session = new AsyncSession(target.engine)
    const objects = (await session.scalars(select(Model).where(Model.id.in(ids)).orderBy(Model.id))).all()
    const before = objects.map(valuesOf)
    try {
      const where = [Model.id.in(ids), buildSpec(bulk.where, Model) as Expression<boolean>] as const
      if (bulk.kind === "delete") {
        await session.execute(deleteFrom(Model).where(...where), { synchronizeSession: bulk.mode })
        await session.commit()
        const kept = new Set((await session.scalars(select(Model.id).where(Model.id.in(ids)))).all())
        const wrong = objects.findIndex(
          (object) => (inspect(object).state === "persistent") !== kept.has(object.id),
        )
        if (wrong === -1) return undefined
        const object = objects[wrong] as object
        const state = inspect(object).state
        return {
          before: before[wrong] as Values,
          key: "(deleted)",
          held: state,
          stored: kept.has((object as { id: number }).id) ? "present" : "gone",
        }
      }
      const statement = update(Model)
        .where(...where)
        // A plain value as users write one (the session keeps it as the database reads it back), or an expression.
        .values({
          [bulk.key]: bulk.value.op === "lit" ? bulk.value.value : buildSpec(bulk.value, Model),
        } as never)
      await session.execute(statement, { synchronizeSession: bulk.mode })
      await session.commit()
    } catch (error) {
      // "evaluate" refusing, or the database refusing the UPDATE: nothing was synchronized.
      if (!(error instanceof InvalidRequestError)) await session.rollback()
      // Anything else is edgealchemy failing where it should answer or refuse.
      if (error instanceof EdgeAlchemyError) return undefined
      return {
        before: before[0] as Values,
        key: "(crashed)",
        held: printOutcome(failure(error)),
        stored: null,
        rows: before,
      }
    }
    await using reader = new AsyncSession(target.engine)
    const rows = (await reader.scalars(select(Model).where(Model.id.in(ids)).orderBy(Model.id))).all()
    for (const [i, object] of objects.entries()) {
      const held = valuesOf(object)
      const stored = valuesOf(rows[i] as object)
      for (const key of COLUMN_KEYS) {
        if (!sameValue(held[key], stored[key])) {
          return { before: before[i] as Values, key, held: held[key], stored: stored[key] }
        }
      }
    }
    return undefined
  }

  /** Inserts copies of rows; their ids. */
  async #copies(target: Target, rows: readonly Values[]): Promise<number[]> {
    const Model = this.#model
    await using session = new AsyncSession(target.engine)
    const copies = rows.map((values) => new Model(pick(values, COLUMN_KEYS) as never))
    session.addAll(copies)
    await session.commit()
    return copies.map((copy) => copy.id)
  }

  async #bulkOnCopy(target: Target, before: Values, bulk: Bulk): Promise<BulkDifference | undefined> {
    const Model = this.#model
    await using session = new AsyncSession(target.engine)
    const copy = new Model(pick(before, COLUMN_KEYS) as never)
    session.add(copy)
    await session.commit()
    return this.bulkDifference(target, [copy.id], bulk)
  }
}

export interface Bulk {
  readonly kind: "update" | "delete"
  readonly key: ColumnKey
  readonly value: Spec
  readonly where: Spec
  readonly mode: "evaluate" | "auto"
}

interface BulkDifference {
  readonly before: Values
  /** When the statement failed as a whole: every row it ran on, to find the one it fails for. */
  readonly rows?: readonly Values[]
  readonly key: string
  readonly held: unknown
  readonly stored: unknown
}

/**
 * Who disagrees, for one row: memory computing a value its database does not give (the evaluator must
 * refuse instead), memory failing other than by refusing, or the two databases.
 */
function selectDisagreement(outcomes: Record<string, Outcome>, untyped: boolean): string | undefined {
  const memoryCategory = memoryDisagreement(outcomes, untyped)
  if (memoryCategory) return memoryCategory
  const pg = outcomes.postgresql as Outcome
  const lite = outcomes.sqlite as Outcome
  return sameOutcome(pg, lite, untyped) ? undefined : "postgresql≠sqlite"
}

function memoryDisagreement(outcomes: Record<string, Outcome>, untyped: boolean): string | undefined {
  // A statement edgealchemy refuses to send (a literal its type cannot hold) runs nowhere.
  if (unsent(outcomes.postgresql) && unsent(outcomes.sqlite)) return undefined
  for (const dialect of ["postgresql", "sqlite"]) {
    const computed = outcomes[`memory(${dialect})`] as Outcome
    if (computed.kind === "error") return `memory crashed`
    if (computed.kind === "value" && !sameOutcome(computed, outcomes[dialect] as Outcome, untyped)) {
      return `memory≠${dialect}`
    }
  }
  return undefined
}

function unsent(outcome: Outcome | undefined): boolean {
  return outcome?.kind === "error" && outcome.code === undefined && outcome.message.startsWith("DataError")
}

function memory(compute: () => unknown): Outcome {
  try {
    return answered(compute() ?? null)
  } catch (error) {
    return failure(error)
  }
}

/** Greedy shrinking: the first simpler candidate that still shows the difference, until none does. */
async function shrink(
  spec: Spec,
  reproduces: (candidate: Spec) => Promise<boolean>,
  budget: number,
): Promise<Spec> {
  let current = spec
  while (budget > 0) {
    let smaller: Spec | undefined
    for (const candidate of shrinkSpec(current)) {
      if (--budget <= 0) break
      let shows = false
      try {
        shows = await reproduces(candidate)
      } catch {
        shows = false
      }
      if (shows) {
        smaller = candidate
        break
      }
    }
    if (!smaller) break
    current = smaller
  }
  return current
}

function valuesOf(object: object): Values {
  const record = object as Record<string, unknown>
  return Object.fromEntries(COLUMN_KEYS.map((key) => [key, record[key]]))
}

function pick(values: Values, keys: readonly string[]): Values {
  return Object.fromEntries(keys.map((key) => [key, values[key]]))
}

function printRow(values: Values): string {
  return `{ ${Object.entries(values)
    .map(([key, value]) => `${key}: ${printValue(value)}`)
    .join(", ")} }`
}

function sqlOf(statement: Statement, dialect: "postgresql" | "sqlite"): string {
  try {
    const { sql, params } = statement.compile(dialect === "postgresql" ? postgresql : sqlite)
    return `${sql}  -- ${params.map(printValue).join(", ")}`
  } catch (error) {
    return printOutcome(failure(error))
  }
}

function roundTrip(target: Target, key: string, written: unknown, read: unknown, how: string): Finding {
  const repro = `[round trip] ${target.transport}: ${key} written ${printValue(written)} ${how} ${printValue(read)}`
  return { check: "round trip", category: `round trip ${key}`, subject: `${target.transport} ${key}`, repro }
}

/** What a written value reads back as on both databases (a Float's -0 as 0, a Numeric(10, 2) with two decimals). */
function expectedRead(key: ColumnKey, value: unknown): unknown {
  if (value === null) return null
  if (key === "n") return canonicalDecimal(value as string)
  if (key === "m") {
    const [whole, fraction = ""] = canonicalDecimal(value as string).split(".")
    return `${whole}.${fraction.padEnd(2, "0")}`
  }
  return value
}

function normalRead(key: ColumnKey, value: unknown): unknown {
  return key === "n" && typeof value === "string" ? canonicalDecimal(value) : value
}

function sameDecimal(a: unknown, b: unknown): boolean {
  return typeof a === "string" && typeof b === "string" && canonicalDecimal(a) === canonicalDecimal(b)
}

/** Decimal text without a sign on zero, leading zeros or trailing zeros after the point. */
function canonicalDecimal(text: string): string {
  const match = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text)
  if (!match) return text
  const [, sign, whole = "", fraction = "", exponent = "0"] = match
  let digits = BigInt(`${whole}${fraction}` || "0")
  if (digits === 0n) return "0"
  let scale = fraction.length - Number(exponent)
  while (scale > 0 && digits % 10n === 0n) {
    digits /= 10n
    scale--
  }
  if (scale < 0) {
    digits *= 10n ** BigInt(-scale)
    scale = 0
  }
  const padded = digits.toString().padStart(scale + 1, "0")
  const text2 = scale === 0 ? padded : `${padded.slice(0, -scale)}.${padded.slice(-scale)}`
  return `${sign === "-" ? "-" : ""}${text2}`
}

/** One at a time: a connection runs one statement at once. */
async function sequentially<T, R>(items: readonly T[], run: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = []
  for (const item of items) results.push(await run(item))
  return results
}
