// Where revisions come from: a folder read by the CLI, or modules a worker imports statically.
import { InvalidRequestError } from "../errors.ts"
import type { Operations } from "./operations.ts"
import type { Revision } from "./revision.ts"

export interface RevisionProvider {
  load(): Promise<readonly Revision[]>
}

/** A revision module as `import * as m from "./migrations/3f9a2c1b7d4e_add_bio.ts"` gives it, or the revision itself. */
export type RevisionModule = Revision | { readonly default: Revision }

/**
 * Revisions bundled with the code, for a worker that migrates itself (no filesystem):
 *
 *   import * as initial from "../migrations/3f9a2c1b7d4e_blog_tables.ts"
 *   import * as addBio from "../migrations/8c1d0e2f4a6b_add_bio.ts"
 *   await new Migrator(engine, { revisions: staticRevisions([initial, addBio]) }).upgrade()
 */
export function staticRevisions(modules: readonly RevisionModule[]): RevisionProvider {
  const revisions = modules.map((module) => revisionOf(module))
  return { load: async () => revisions }
}

export function revisionOf(module: RevisionModule, where = "a revision module"): Revision {
  const candidate = "default" in module ? module.default : module
  if (
    typeof candidate !== "object" ||
    candidate === null ||
    typeof candidate.id !== "string" ||
    typeof candidate.upgrade !== "function" ||
    typeof candidate.downgrade !== "function"
  ) {
    throw new InvalidRequestError(
      `${where} does not export a revision: export default defineRevision({ id, parent, message, upgrade, downgrade })`,
    )
  }
  return candidate
}

/** Types a revision's object literal, so `op` in upgrade and downgrade needs no annotation. */
export function defineRevision(revision: {
  id: string
  parent: string | readonly string[] | null
  message: string
  upgrade(op: Operations): void | Promise<void>
  downgrade(op: Operations): void | Promise<void>
}): Revision {
  return Object.freeze({ ...revision })
}
