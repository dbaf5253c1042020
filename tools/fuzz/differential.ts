// One seed of the differential fuzzer: random rows go in through the ORM on a PostgreSQL and a SQLite
// transport and are read back (the round trip); random expressions are computed by both databases
// (SELECT expr), by the in-memory evaluator on each database's row (as a hybrid does), and as a WHERE
// (which rows match, as synchronizeSession "evaluate" decides); random bulk UPDATEs run with
// synchronizeSession "evaluate" or "auto", and the objects the session holds are compared with the rows
// reloaded. Every disagreement is shrunk to one row and a small expression (./findings.ts's shrink).
import { type Connection, type Expression, select } from "../../src/index.ts"
import { evaluator, matches, rowValues } from "../../src/orm/evaluate.ts"
import { mapperOf } from "../../src/orm/mapper-of.ts"
import { type Bulk, BulkCheck } from "./bulk-check.ts"
import { buildSpec, columnsOf, printSpec, randomSpec, type Spec } from "./expression-specs.ts"
import {
  DEFAULT_OPTIONS,
  type Finding,
  type Loaded,
  pick,
  printRow,
  type SeedOptions,
  sequentially,
  shrink,
  sqlOf,
  type Target,
  type Values,
} from "./findings.ts"
import { COLUMN_KEYS, COLUMN_SORTS, type FuzzModel, randomRow, type Sort } from "./fuzz-model.ts"
import { answered, failure, type Outcome, printOutcome, sameOutcome } from "./outcomes.ts"
import { Random } from "./random.ts"
import { insertAndRead } from "./round-trip.ts"

export { DEFAULT_OPTIONS, type Finding, type SeedOptions, type Target } from "./findings.ts"

export class Differential {
  readonly #targets: readonly [Target, Target]
  readonly #model: FuzzModel
  readonly #options: SeedOptions
  /** One connection per database for the SELECTs of a run (a WebSocket's login costs the most). */
  readonly #connections = new Map<Target, Connection>()
  readonly #bulk: BulkCheck

  constructor(targets: readonly [Target, Target], model: FuzzModel, options: SeedOptions = DEFAULT_OPTIONS) {
    this.#targets = targets
    this.#model = model
    this.#options = options
    this.#bulk = new BulkCheck(model, options)
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
          ...(await this.#bulk.check(target, loaded, { kind: "update", key, value, where, mode }, seed)),
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
        findings.push(...(await this.#bulk.check(target, loaded, bulk, seed)))
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
    for (const target of this.#targets)
      findings.push(...(await insertAndRead(target, this.#model, rows, loaded)))
    return findings.some((f) => f.category === "insert failed") ? undefined : loaded
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
