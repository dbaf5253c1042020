// A small object graph for the fault suites: an author and their books, each author named after the
// trial that wrote it, so that what a trial stored can be counted on its own.
import {
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

export const faultRegistry = new Registry()

export class FaultAuthor extends model(
  "fault_authors",
  {
    id: column(Integer, { primaryKey: true }),
    trial: column(String(100), { unique: true }),
    books: relationship<FaultBook[]>("FaultBook", { backPopulates: "author" }),
  },
  { registry: faultRegistry },
) {}

export class FaultBook extends model(
  "fault_books",
  {
    id: column(Integer, { primaryKey: true }),
    title: column(String(100)),
    authorId: column(Integer, { foreignKey: "fault_authors.id" }),
    author: relationship<FaultAuthor>("FaultAuthor", { backPopulates: "books" }),
  },
  { registry: faultRegistry },
) {}

faultRegistry.registerModels(FaultAuthor, FaultBook)

/** What a trial stored: its author (0 or 1) and that author's books. */
export async function storedBy(engine: Engine, trial: string): Promise<{ authors: number; books: number }> {
  const authors = select(func.count())
    .selectFrom(FaultAuthor)
    .where(FaultAuthor.trial.eq(trial))
    .scalarSubquery()
  const books = select(func.count())
    .selectFrom(FaultBook)
    .join(FaultAuthor, FaultBook.authorId.eq(FaultAuthor.id))
    .where(FaultAuthor.trial.eq(trial))
    .scalarSubquery()
  const [a, b] = (await engine.execute(select(authors, books))).one() as unknown[]
  return { authors: Number(a), books: Number(b) }
}
