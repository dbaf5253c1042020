// `update(table).values({...}).where(...)`, with RETURNING.
import { InvalidRequestError } from "../errors.ts"
import type { Compiler } from "./compiler/compiler.ts"
import { renderUpdate } from "./compiler/dml-renderer.ts"
import { returningItems } from "./dml-returning.ts"
import { type DmlTarget, givenValues, tableOf, type UpdateValues } from "./dml-target.ts"
import { type WriteWhere, writeConditions } from "./dml-where.ts"
import type { Expression } from "./expression.ts"
import type { ColumnSpecs, Table } from "./schema/table.ts"
import type { CoreRowOfItems, RowOfItems, SelectItem } from "./select-items.ts"
import { Statement } from "./statement.ts"
import { installCapacityChecks } from "./value-checks.ts"

export interface UpdateState extends WriteWhere {
  readonly table: Table
  readonly values: Readonly<Record<string, unknown>>
  readonly where: readonly Expression<unknown>[]
  readonly returning: readonly SelectItem[]
}

export class Update<S extends ColumnSpecs, Items extends readonly SelectItem[] = []> extends Statement {
  readonly kind = "update"
  declare readonly rowType: RowOfItems<Items>
  /** Phantom: the rows Core gives (entities as arrays of column values). */
  declare readonly coreRowType: CoreRowOfItems<Items>

  constructor(readonly state: UpdateState) {
    super()
    Object.freeze(this)
  }

  renderWith(compiler: Compiler): string {
    return renderUpdate(compiler, this as unknown as Update<never>)
  }

  /** Values to SET, merged over earlier ones: plain values or expressions (`Post.views.add(1)`). */
  values(values: UpdateValues<S>): Update<S, Items> {
    for (const key of Object.keys(values)) this.state.table.requireColumn(key)
    return new Update({ ...this.state, values: { ...this.state.values, ...givenValues(values) } })
  }

  where(...conditions: (Expression<boolean | null> | undefined)[]): Update<S, Items> {
    return new Update({
      ...this.state,
      ...writeConditions("UPDATE", this.state.table.name, this.state, conditions),
    })
  }

  returning<const R extends readonly SelectItem[]>(...items: R): Update<S, R> {
    return new Update<S, R>({ ...this.state, returning: returningItems("UPDATE", this.state.table, items) })
  }
}

export function update<S extends ColumnSpecs>(target: DmlTarget<S>): Update<S> {
  installCapacityChecks()
  return new Update<S>({ table: tableOf(target), values: {}, where: [], returning: [] })
}

export function requireValues(state: UpdateState): void {
  if (Object.keys(state.values).length === 0) {
    throw new InvalidRequestError(`UPDATE of "${state.table.name}" has no values; call .values({...})`)
  }
}
