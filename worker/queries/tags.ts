// Tags by name: the ones that exist are reused, the others created with the post that names them.
import { type AsyncSession, select } from "../../src/index.ts"
import { Tag } from "../models/index.ts"

/** Lower-cased, trimmed, without repeats, in the order given. */
export function normalizeTagNames(names: readonly string[]): string[] {
  return [...new Set(names.map((name) => name.trim().toLowerCase()))]
}

/**
 * The Tag objects for `names`: `known` ones (already loaded, e.g. a post's current tags) first, then
 * one query for the rest (skipped when there is none), then new Tags for names nobody has used yet.
 */
export async function tagsNamed(
  session: AsyncSession,
  names: readonly string[],
  known: readonly Tag[] = [],
): Promise<Tag[]> {
  const byName = new Map(known.map((tag) => [tag.name, tag]))
  const missing = names.filter((name) => !byName.has(name))
  if (missing.length > 0) {
    const found = await session.scalars(select(Tag).where(Tag.c.name.in(missing)))
    for (const tag of found) byName.set(tag.name, tag)
  }
  return names.map((name) => byName.get(name) ?? new Tag({ name }))
}
