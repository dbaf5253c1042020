// Tags by name: the ones that exist are reused, the others created with the post that names them.
import { type AsyncSession, select } from "../../src/index.ts"
import { Tag } from "../models/index.ts"

/** Lower-cased, trimmed, without repeats, in the order given. */
export function normalizeTagNames(names: readonly string[]): string[] {
  return [...new Set(names.map((name) => name.trim().toLowerCase()))]
}

/** The Tag objects for `names`: the `existing` one of that name, else a new Tag. */
export function tagsFor(names: readonly string[], existing: readonly Tag[]): Tag[] {
  const byName = new Map(existing.map((tag) => [tag.name, tag]))
  return names.map((name) => byName.get(name) ?? new Tag({ name }))
}

/** The Tag objects for `names`, after one query for the ones that exist (none when `names` is empty). */
export async function lookUpTags(session: AsyncSession, names: readonly string[]): Promise<Tag[]> {
  const existing = names.length > 0 ? await session.scalars(select(Tag).where(Tag.c.name.in(names))) : []
  return tagsFor(names, [...existing])
}
