// Models of the day-10 object-state review: each test file passes its own prefix, as files run at once
// against one database.
import { column, Integer, model, Registry, relationship, String } from "../../src/index.ts"

export function stateModels(prefix: string) {
  const registry = new Registry()

  class Shelf extends model(
    `${prefix}_shelves`,
    {
      id: column(Integer, { primaryKey: true }),
      name: column(String(40)),
      books: relationship<Book[]>("Book", { backPopulates: "shelf", cascade: "all, delete-orphan" }),
    },
    { registry },
  ) {}

  class Book extends model(
    `${prefix}_books`,
    {
      id: column(Integer, { primaryKey: true }),
      title: column(String(40)),
      shelfId: column(Integer, { nullable: true, foreignKey: `${prefix}_shelves.id` }),
      shelf: relationship<Shelf | null>("Shelf", { backPopulates: "books" }),
    },
    { registry },
  ) {}

  registry.registerModels(Shelf, Book)
  return { registry, Shelf, Book }
}
