// Revisions and the graph they form. A revision names its parent (or parents, for a merge); the
// graph answers which revisions lie between what the database has and what was asked for.

import { RevisionGraphError } from "./errors.ts"
import type { Operations } from "./operations.ts"

export interface Revision {
  /** A short unique id, the file name's prefix: `"3f9a2c1b7d4e"`. */
  readonly id: string
  /** The revision this one follows; `null` for the first; several ids for a merge of branches. */
  readonly parent: string | readonly string[] | null
  readonly message: string
  upgrade(op: Operations): void | Promise<void>
  downgrade(op: Operations): void | Promise<void>
}

export class RevisionGraph {
  readonly #byId = new Map<string, Revision>()
  readonly #children = new Map<string, string[]>()
  /** Every revision, parents before children, otherwise in the order given. */
  readonly ordered: readonly Revision[]

  constructor(revisions: readonly Revision[]) {
    for (const revision of revisions) {
      if (this.#byId.has(revision.id))
        throw new RevisionGraphError(`Two revisions have the id "${revision.id}"`)
      this.#byId.set(revision.id, revision)
      this.#children.set(revision.id, [])
    }
    for (const revision of revisions) {
      for (const parent of this.parents(revision.id)) {
        if (!this.#byId.has(parent)) {
          throw new RevisionGraphError(
            `Revision ${revision.id} ("${revision.message}") follows ${parent}, which no revision has as id`,
          )
        }
        this.#children.get(parent)?.push(revision.id)
      }
    }
    this.ordered = this.topological(revisions)
  }

  get size(): number {
    return this.#byId.size
  }

  has(id: string): boolean {
    return this.#byId.has(id)
  }

  get(id: string): Revision {
    const revision = this.#byId.get(id)
    if (!revision) throw new RevisionGraphError(`No revision "${id}"`)
    return revision
  }

  parents(id: string): readonly string[] {
    const parent = this.get(id).parent
    return parent === null ? [] : typeof parent === "string" ? [parent] : parent
  }

  children(id: string): readonly string[] {
    return this.#children.get(id) ?? []
  }

  /** Revisions nothing follows. */
  heads(): string[] {
    return this.ordered.filter((r) => this.children(r.id).length === 0).map((r) => r.id)
  }

  /** The ids and all their ancestors. */
  withAncestors(ids: Iterable<string>): Set<string> {
    return this.closure(ids, (id) => this.parents(id))
  }

  /** The id and all its descendants. */
  withDescendants(id: string): Set<string> {
    return this.closure([id], (each) => this.children(each))
  }

  /** A full id from an id or a unique prefix of one (at least 4 characters). */
  resolve(spec: string): string {
    if (this.#byId.has(spec)) return spec
    const matches = spec.length >= 4 ? [...this.#byId.keys()].filter((id) => id.startsWith(spec)) : []
    if (matches.length === 1) return matches[0] as string
    throw new RevisionGraphError(
      matches.length > 1
        ? `"${spec}" matches several revisions (${matches.join(", ")}); give more characters`
        : `No revision "${spec}"; known: ${[...this.#byId.keys()].join(", ") || "none"}`,
    )
  }

  /** The one head; several heads need a merge revision first. */
  head(): string | undefined {
    const heads = this.heads()
    if (heads.length > 1) {
      throw new RevisionGraphError(
        `The revisions have several heads (${heads.join(", ")}): create a merge revision whose parent lists them`,
      )
    }
    return heads[0]
  }

  private closure(start: Iterable<string>, next: (id: string) => readonly string[]): Set<string> {
    const found = new Set<string>()
    const queue = [...start]
    while (queue.length > 0) {
      const id = queue.pop() as string
      if (found.has(id)) continue
      found.add(id)
      queue.push(...next(id))
    }
    return found
  }

  private topological(revisions: readonly Revision[]): Revision[] {
    const done = new Set<string>()
    const visiting = new Set<string>()
    const ordered: Revision[] = []
    const visit = (revision: Revision) => {
      if (done.has(revision.id)) return
      if (visiting.has(revision.id))
        throw new RevisionGraphError(`Revision ${revision.id} is its own ancestor`)
      visiting.add(revision.id)
      for (const parent of this.parents(revision.id)) visit(this.get(parent))
      visiting.delete(revision.id)
      done.add(revision.id)
      ordered.push(revision)
    }
    for (const revision of revisions) visit(revision)
    return ordered
  }
}
