// Tags by name: the ones that exist are reused, the others created with the post that names them.
import type { AsyncSession } from "../../src/index.ts"
import { Tag, tagName } from "../models/index.ts"

/** As the blog keeps them (tagName()), without repeats, in the order given. */
export function normalizeTagNames(names: readonly string[]): string[] {
  return [...new Set(names.map(tagName))]
}

/**
 * The Tag objects for `names`, each created by the commit, or taken if a row of that name exists
 * (addUnique: an insert-if-absent by name, in the commit's one request).
 */
export function tagsFor(session: AsyncSession, names: readonly string[]): Tag[] {
  return names.map((name) => session.addUnique(new Tag({ name }), ["name"]))
}
