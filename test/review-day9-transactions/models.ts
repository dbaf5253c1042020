// Models of the day-9 transaction review: each test file passes its own prefix, as files run at once
// against one database.
import {
  AsyncSession,
  column,
  deleteFrom,
  type Engine,
  Integer,
  model,
  Registry,
  String,
  select,
} from "../../src/index.ts"

export function transactionModels(prefix: string) {
  const registry = new Registry()

  class Item extends model(
    `${prefix}_items`,
    {
      id: column(Integer, { primaryKey: true }),
      name: column(String(40), { unique: true }),
      qty: column(Integer, { default: 0 }),
    },
    { registry },
  ) {}

  class Doc extends model(
    `${prefix}_docs`,
    {
      id: column(Integer, { primaryKey: true }),
      title: column(String(40)),
      version: column(Integer, { default: 1 }),
    },
    { registry, versionId: "version" },
  ) {}

  registry.registerModels(Item, Doc)
  return { registry, Item, Doc }
}

type Models = ReturnType<typeof transactionModels>

/** The items stored, as [name, qty] by name, read by a session of their own. */
export async function storedItems(engine: Engine, Item: Models["Item"]): Promise<unknown[][]> {
  await using reader = new AsyncSession(engine)
  return (await reader.execute(select(Item.c.name, Item.c.qty).orderBy(Item.c.name))).all().map((r) => [...r])
}

/** Empties the items table, then commits one item "kept" (qty 1); answers its id. */
export async function keepOneItem(engine: Engine, Item: Models["Item"]): Promise<number> {
  await engine.execute(deleteFrom(Item))
  await using session = new AsyncSession(engine)
  const kept = new Item({ name: "kept", qty: 1 })
  session.add(kept)
  await session.commit()
  return kept.id
}
