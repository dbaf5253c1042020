// How a read with loads lands: the query's rows become objects, then each level's rows, given to the
// objects of the level above. Part of the loads plugin (./loading.ts), so a bundle whose queries load
// nothing carries none of it.
import { Result } from "../engine/result.ts"
import type { Dialect } from "../sql/compiler/dialect.ts"
import type { Column } from "../sql/schema/column.ts"
import { valueKey } from "./identity-map.ts"
import { jsonLoad, jsonRows } from "./json-load.ts"
import type { LoadPlan } from "./loading.ts"
import { plugins } from "./plugins.ts"
import { type Hydration, hydrateRows, type Read } from "./session-reads.ts"
import { stateOf } from "./state.ts"

/**
 * A read with loads from the results of its statements: the query's rows (in the JSON row, or run
 * beside it) become objects, the loads joined into them are assigned, and each level's objects land on
 * the objects of the level above.
 */
export function landLoads(
  { plan, json }: Read,
  results: readonly Result<unknown[]>[],
  hydration: Hydration,
  dialect: Dialect,
): Result<unknown[]> {
  const names = json?.names
  const first = results[0]
  // The JSON row holds the rows of the query (when it travels in it) and of each level.
  const jsonRow = (json && results[names ? 0 : 1]?.rows[0]) || []
  const queryRows = names
    ? jsonRows(jsonRow, 0, plan.statement, dialect)
    : ((first?.rows ?? []) as unknown[][])
  const hydrated = hydrateRows(plan.statement, queryRows, hydration)
  // Loads are of relationships: the plugin that assigns them is there.
  const rows =
    plugins.relationships?.assignJoined(hydrated, plan.joined, -1, hydration.populateExisting) ?? hydrated
  if (json) landLevels(plan, rows, jsonRow, hydration, dialect)
  // A SELECT's count of rows, where the driver reports one (PostgreSQL), is the query's.
  const affected = names && first?.rowsAffected ? rows.length : (first?.rowsAffected ?? 0)
  return new Result(rows as never[], names ?? first?.columns ?? [], affected, plan.statement)
}

/**
 * Lands each level of `plan` from the statement's JSON row (the query's rows or keys, then each
 * level's) on the objects of the query's `rows` or of the level above.
 */
function landLevels(
  plan: LoadPlan,
  rows: readonly unknown[][],
  jsonRow: readonly unknown[],
  hydration: Hydration,
  dialect: Dialect,
): void {
  // Levels are loads of relationships: the plugin that assigns them is there.
  const relationships = plugins.relationships
  if (!relationships) return
  const { levels, joined } = plan
  // Each level's objects, kept for the levels that hang from it (only those need them).
  const loadedByLevel: object[][] = []
  const { names, roots } = jsonLoad(plan)
  // A query run beside its loads: the keys its run in the statement gave, per level that hangs from it.
  const seen = names ? [] : jsonRows(jsonRow, 0, roots, dialect)
  let root = 0
  for (const [i, level] of levels.entries()) {
    const raw = jsonRows(jsonRow, 1 + i, level.load.statement, dialect)
    const links = raw.map(level.load.linkOf)
    const hydratedLevel = hydrateRows(level.load.statement, raw, hydration)
    const children = relationships.assignJoined(hydratedLevel, joined, i, hydration.populateExisting)
    let owners = level.parent === -1 ? distinctObjects(rows, level.item) : (loadedByLevel[level.parent] ?? [])
    if (!names && level.parent === -1) {
      // Objects that run did not give have no rows here, which would read as none: left unloaded.
      const at = root++
      const keys = new Set(seen.map((key) => valueKey(key[at])))
      const parentKey = (roots.state.items[at] as Column<unknown>).key
      // By the keys the database holds for them, as the level's rows are (./relationship-query.ts).
      owners = owners.filter((owner) => {
        const state = stateOf(owner)
        return keys.has(valueKey((state.committed ?? state.values)[parentKey]))
      })
    }
    const loaded = level.load.assign(children, links, owners)
    relationships.assign(level.property, loaded, hydration.populateExisting)
    if (levels.some((other) => other.parent === i)) loadedByLevel[i] = distinctObjects(children, 0)
  }
}

/** The objects in one column of rows, each once (an outer join's missing object left out). */
function distinctObjects(rows: readonly (readonly unknown[])[], column: number): object[] {
  const objects = new Set<object>()
  for (const row of rows) {
    const value = row[column]
    if (typeof value === "object" && value !== null) objects.add(value)
  }
  return [...objects]
}
