// The concurrency suite's models: a document and its notes, in a registry of their own per test file
// (files run in parallel against one database, so each gets its own tables: `cc_<name>_docs`).
import {
  AsyncSession,
  column,
  type Engine,
  func,
  Integer,
  model,
  Registry,
  relationship,
  String,
  select,
} from "../../src/index.ts"

export function concurrencyModels(name: string) {
  const registry = new Registry()
  const docs = `cc_${name}_docs`
  class Doc extends model(
    docs,
    {
      id: column(Integer, { primaryKey: true }),
      name: column(String(80), { unique: true }),
      n: column(Integer, { default: 0 }),
      notes: relationship<Note[]>("Note", { backPopulates: "doc" }),
    },
    { registry },
  ) {}
  class Note extends model(
    `cc_${name}_notes`,
    {
      id: column(Integer, { primaryKey: true }),
      body: column(String(80)),
      docId: column(Integer, { foreignKey: `${docs}.id` }),
      doc: relationship<Doc>("Doc", { backPopulates: "notes" }),
    },
    { registry },
  ) {}
  registry.registerModels(Doc, Note)
  /** How many documents of that name the database holds, read by a session of its own. */
  const storedIn = async (engine: Engine, name: string): Promise<number> => {
    await using reader = new AsyncSession(engine)
    return Number(await reader.scalar(select(func.count()).selectFrom(Doc).where(Doc.c.name.eq(name))))
  }
  return { registry, Doc, Note, docsTable: docs, storedIn }
}
