// Which revisions to run, in which order, to go from the heads the database has to a target.
import { RevisionGraphError } from "./errors.ts"
import type { RevisionGraph } from "./revision.ts"

export interface Step {
  readonly revision: string
  readonly direction: "upgrade" | "downgrade"
  /** For a downgrade: the parents that become heads again once the revision is undone. */
  readonly restoredHeads: readonly string[]
}

/** `head` (the one head), `heads` (every branch), a revision id or prefix, or `+N`. */
export function upgradePlan(graph: RevisionGraph, current: readonly string[], target = "head"): Step[] {
  const applied = graph.withAncestors(known(graph, current))
  const relative = /^\+(\d+)$/.exec(target)
  if (relative) return upgradeSteps(relativeUpgrade(graph, applied, Number(relative[1]), target))
  const goal =
    target === "heads" ? graph.heads() : target === "head" ? oneHead(graph) : [graph.resolve(target)]
  const wanted = graph.withAncestors(goal)
  return upgradeSteps(graph.ordered.filter((r) => wanted.has(r.id) && !applied.has(r.id)).map((r) => r.id))
}

function upgradeSteps(ids: readonly string[]): Step[] {
  return ids.map((id) => ({ revision: id, direction: "upgrade", restoredHeads: [] }))
}

/**
 * `+N`: N revisions up from the database's head, one at a time, as Alembic walks: the next is a
 * revision following a head (or a first revision, on an empty database). Where it could be either of
 * two (a branch point, or two heads each with a revision after it), which to apply is the command's
 * to name, and it is refused, as Alembic refuses an ambiguous walk.
 */
function relativeUpgrade(graph: RevisionGraph, applied: ReadonlySet<string>, count: number, target: string) {
  const done = new Set(applied)
  const walked: string[] = []
  while (walked.length < count) {
    const isHead = (id: string) => done.has(id) && !graph.children(id).some((child) => done.has(child))
    const next = graph.ordered.filter((r) => {
      const parents = graph.parents(r.id)
      if (done.has(r.id) || !parents.every((parent) => done.has(parent))) return false
      return done.size === 0 || parents.some(isHead)
    })
    const where = walked.length === 0 ? "" : ` past ${walked.join(", ")}`
    if (next.length === 0) {
      throw new RevisionGraphError(
        `Cannot upgrade ${target}: only ${walked.length} revision(s) follow the database's head${where ? "" : "s"}`,
      )
    }
    if (next.length > 1) {
      throw new RevisionGraphError(
        `Cannot upgrade ${target}:${where} the next revision could be any of ${next.map((r) => r.id).join(", ")} (branches); upgrade to one of them, or heads`,
      )
    }
    const id = (next[0] as { id: string }).id
    walked.push(id)
    done.add(id)
  }
  return walked
}

/**
 * `head`'s revision: refused while branches are open, as Alembic does, since applying every branch is
 * a choice the command should name (`heads`); empty before the first revision.
 */
function oneHead(graph: RevisionGraph): string[] {
  const heads = graph.heads()
  if (heads.length > 1) {
    throw new RevisionGraphError(
      `The revisions have several heads (${heads.join(", ")}): upgrade heads applies every branch, or upgrade one of them, or write a merge revision (revision --merge)`,
    )
  }
  return heads
}

/**
 * `base`, a revision id or prefix (it stays applied), or `-N`. As Alembic: going down to a revision
 * undoes its applied descendants only, so a branch that does not follow it stays as it is; `-N` walks
 * down one line, and is refused where the line forks (several heads: which one is the command's to
 * name), where Alembic warns and picks the first head.
 */
export function downgradePlan(graph: RevisionGraph, current: readonly string[], target: string): Step[] {
  const applied = graph.withAncestors(known(graph, current))
  const inOrder = graph.ordered.filter((r) => applied.has(r.id)).reverse()
  const relative = /^-(\d+)$/.exec(target)
  let undo: string[]
  if (relative) {
    const count = Number(relative[1])
    if (count > inOrder.length) {
      throw new RevisionGraphError(
        `Cannot downgrade ${target}: only ${inOrder.length} revision(s) are applied`,
      )
    }
    undo = []
    const remaining = new Set(applied)
    while (undo.length < count) {
      const heads = [...remaining].filter((id) => !graph.children(id).some((child) => remaining.has(child)))
      if (heads.length > 1) {
        throw new RevisionGraphError(
          `Cannot downgrade ${target}: ${undo.length === 0 ? "the database is" : `past ${undo.join(", ")} the database is`} at several heads (${heads.sort().join(", ")}), so which branch to undo is ambiguous: downgrade to a revision (only its descendants are undone) or to base`,
        )
      }
      const head = heads[0] as string
      undo.push(head)
      remaining.delete(head)
    }
  } else {
    const goal = target === "base" ? undefined : graph.resolve(target)
    // A revision not applied (on another branch, or ahead) is no place to go down to: undoing all
    // that is not its ancestor would drop a branch the command never named.
    if (goal !== undefined && !applied.has(goal)) {
      throw new RevisionGraphError(
        `Cannot downgrade to ${goal}: it is not applied (the database is at ${current.join(", ") || "base"}); name an applied revision, -N or base`,
      )
    }
    const below = goal === undefined ? applied : graph.withDescendants(goal)
    undo = inOrder.filter((r) => r.id !== goal && below.has(r.id)).map((r) => r.id)
  }
  const remaining = new Set(applied)
  return undo.map((id) => {
    remaining.delete(id)
    const restoredHeads = graph
      .parents(id)
      .filter((parent) => !graph.children(parent).some((child) => remaining.has(child)))
    return { revision: id, direction: "downgrade", restoredHeads }
  })
}

/** The heads a target names: none for `base`, every head for `head`/`heads`, else the one revision. */
export function resolveHeads(graph: RevisionGraph, target: string): string[] {
  if (target === "base") return []
  if (target === "heads") return graph.heads()
  if (target === "head") return oneHead(graph)
  return [graph.resolve(target)]
}

/** The database's heads, each of which must be a revision the graph has. */
function known(graph: RevisionGraph, heads: readonly string[]): readonly string[] {
  for (const id of heads) {
    if (!graph.has(id)) {
      throw new RevisionGraphError(
        `The database is at revision ${id}, which none of the revisions has: restore its file, or stamp the database at a known revision`,
      )
    }
  }
  return heads
}
