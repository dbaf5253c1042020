// Bulk UPDATE and DELETE with synchronizeSession "evaluate" or "auto": the objects the session holds
// afterwards must be the rows reloaded (an UPDATE's values, a DELETE's detached objects). A difference
// is shrunk on a copy of the row it showed on.
import {
  AsyncSession,
  deleteFrom,
  EdgeAlchemyError,
  type Expression,
  InvalidRequestError,
  inspect,
  select,
  update,
} from "../../src/index.ts"
import { buildSpec, columnsOf, printSpec, printValue, type Spec } from "./expression-specs.ts"
import {
  type Finding,
  type Loaded,
  pick,
  printRow,
  type SeedOptions,
  shrink,
  type Target,
  type Values,
  valuesOf,
} from "./findings.ts"
import { COLUMN_KEYS, type ColumnKey, type FuzzModel } from "./fuzz-model.ts"
import { failure, printOutcome, sameValue } from "./outcomes.ts"

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

export class BulkCheck {
  readonly #model: FuzzModel
  readonly #options: SeedOptions

  constructor(model: FuzzModel, options: SeedOptions) {
    this.#model = model
    this.#options = options
  }

  async check(target: Target, loaded: readonly Loaded[], bulk: Bulk, seed: number): Promise<Finding[]> {
    // A DELETE runs on copies of the rows, which the checks after it still need.
    const ids =
      bulk.kind === "delete"
        ? await this.#copies(
            target,
            loaded.map((row) => row.values[target.dialect] as Values),
          )
        : loaded.map((row) => row.ids[target.dialect] as number)
    const first = await this.difference(target, ids, bulk)
    if (!first) return []
    // Shrink on a copy of the row the difference showed on, as it was before the UPDATE.
    let before = first.before
    for (const row of first.rows ?? []) {
      if (await this.#onCopy(target, row, bulk)) {
        before = row
        break
      }
    }
    const reproduces = async (candidate: Bulk) =>
      (await this.#onCopy(target, before, candidate)) !== undefined
    let small = bulk
    for (const part of bulk.kind === "delete" ? (["where"] as const) : (["value", "where"] as const)) {
      const shrunk = await shrink(
        small[part],
        (spec) => reproduces({ ...small, [part]: spec }),
        this.#options.shrinkBudget / 2,
      )
      small = { ...small, [part]: shrunk }
    }
    const final = (await this.#onCopy(target, before, small)) ?? first
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
  async difference(target: Target, ids: readonly number[], bulk: Bulk): Promise<BulkDifference | undefined> {
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

  async #onCopy(target: Target, before: Values, bulk: Bulk): Promise<BulkDifference | undefined> {
    const Model = this.#model
    await using session = new AsyncSession(target.engine)
    const copy = new Model(pick(before, COLUMN_KEYS) as never)
    session.add(copy)
    await session.commit()
    return this.difference(target, [copy.id], bulk)
  }
}
