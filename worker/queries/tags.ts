// Tags by name: the ones that exist are reused, the others created with the post that names them.
import type { AsyncSession } from "../../src/index.ts"
import { Tag } from "../models/index.ts"

/** Lower-cased, trimmed, without repeats, in the order given. */
export function normalizeTagNames(names: readonly string[]): string[] {
  return [...new Set(names.map((name) => name.trim().toLowerCase()))]
}

/**
 * The Tag objects for `names`: the `existing` one of that name, else one the commit creates, or takes
 * if a concurrent request created it meanwhile (addUnique: an upsert by name).
 */
export function tagsFor(session: AsyncSession, names: readonly string[], existing: readonly Tag[]): Tag[] {
  const byName = new Map(existing.map((tag) => [tag.name, tag]))
  return names.map((name) => byName.get(name) ?? session.addUnique(new Tag({ name }), ["name"]))
}
