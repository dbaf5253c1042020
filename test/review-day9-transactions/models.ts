// Models of the day-9 transaction review: each test file passes its own prefix, as files run at once
// against one database.
import { column, Integer, model, Registry, String } from "../../src/index.ts"

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
