// Kahn's algorithm, stable: items with no order between them keep their input order.

export interface SortResult<T> {
  sorted: T[]
  /** Items left on a cycle, in input order; empty when the graph is acyclic. */
  cyclic: T[]
}

/** Orders `items` so that every item comes after the ones `dependsOn` returns for it. */
export function topologicalSort<T>(items: readonly T[], dependsOn: (item: T) => readonly T[]): SortResult<T> {
  const remaining = new Map<T, Set<T>>()
  for (const item of items) {
    remaining.set(item, new Set(dependsOn(item).filter((d) => d !== item && items.includes(d))))
  }
  const sorted: T[] = []
  let progressed = true
  while (progressed) {
    progressed = false
    for (const [item, deps] of remaining) {
      if ([...deps].every((d) => !remaining.has(d))) {
        sorted.push(item)
        remaining.delete(item)
        progressed = true
      }
    }
  }
  return { sorted, cyclic: items.filter((item) => remaining.has(item)) }
}
