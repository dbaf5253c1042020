// UNION / UNION ALL / INTERSECT / EXCEPT of selects with the same row type.

import { asOrdering, type Expression, type Ordering, type SubqueryTarget } from "./expression.ts"
import { Cte, type NamedColumns, Subquery } from "./from.ts"
import { rowCount } from "./row-count.ts"
import type { CoreRowOfItems, RowOfItems, SelectItem } from "./select-items.ts"
import { Statement } from "./statement.ts"
import { outputColumns } from "./subquery.ts"

export type SetOperator = "UNION" | "UNION ALL" | "INTERSECT" | "EXCEPT"

/** The selects of a compound; structural, so that this module needs no runtime import of select.ts. */
export interface CompoundMember extends SubqueryTarget {
  readonly state: {
    readonly items: readonly SelectItem[]
    readonly orderBy: readonly Ordering[]
    readonly limit?: unknown
    readonly offset?: unknown
  }
}

export interface CompoundState {
  readonly operator: SetOperator
  readonly selects: readonly CompoundMember[]
  readonly orderBy: readonly Ordering[]
  readonly limit?: number | Expression<number> | undefined
  readonly offset?: number | Expression<number> | undefined
}

export class CompoundSelect<Items extends readonly SelectItem[] = readonly SelectItem[]>
  extends Statement
  implements SubqueryTarget
{
  readonly kind = "compound_select"
  declare readonly rowType: RowOfItems<Items>
  /** Phantom: the rows Core gives (entities as arrays of column values). */
  declare readonly coreRowType: CoreRowOfItems<Items>

  constructor(readonly state: CompoundState) {
    super()
    Object.freeze(this)
  }

  /** The items of the first select, which name the compound's columns. */
  get items(): readonly SelectItem[] {
    return this.state.selects[0]?.state.items ?? []
  }

  orderBy(...items: (Ordering | Expression<unknown>)[]): CompoundSelect<Items> {
    const orderings = items.map(asOrdering)
    return new CompoundSelect({ ...this.state, orderBy: [...this.state.orderBy, ...orderings] })
  }

  limit(count: number | Expression<number> | undefined): CompoundSelect<Items> {
    return new CompoundSelect({ ...this.state, limit: rowCount("limit", count) })
  }

  offset(count: number | Expression<number> | undefined): CompoundSelect<Items> {
    return new CompoundSelect({ ...this.state, offset: rowCount("offset", count) })
  }

  subquery(name?: string): Subquery<NamedColumns<Items>> {
    return new Subquery(this, name, outputColumns(this.items))
  }

  cte(name?: string, options: { recursive?: boolean } = {}): Cte<NamedColumns<Items>> {
    return new Cte(this, name, outputColumns(this.items), options.recursive === true)
  }
}
