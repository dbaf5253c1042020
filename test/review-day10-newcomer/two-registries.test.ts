// Models of two registries that name each other: a model given { registry } by mistake (copied from
// another file), or two files each making their own Registry. registerModels(Author, Book) accepted
// them, and the first use said 'Author.books names the model "Book", unknown to its registry (known:
// Author): check the spelling, or call registerModels(Book, ...) first', which the app had done: the
// advice sent it round in a circle. A relationship's target is found in its own model's registry (as
// SQLAlchemy's class registry), so the refusal now says another registry knows the target and names the
// fix (and, as the model may also be one of its own registry not learned yet, registerModels). No
// database: the refusal comes where the relationships are first worked out.
import { describe, expect, it } from "vitest"
import {
  column,
  Integer,
  InvalidRequestError,
  model,
  Registry,
  registerModels,
  relationship,
} from "../../src/index.ts"

describe("a relationship whose target is declared in another registry", () => {
  it("is refused naming the other registry and the fix, not registerModels", () => {
    const mine = new Registry()
    const theirs = new Registry()
    class Author extends model(
      "r10nc_authors",
      {
        id: column(Integer, { primaryKey: true }),
        books: relationship<Book[]>("Book", { backPopulates: "author" }),
      },
      { registry: mine },
    ) {}
    class Book extends model(
      "r10nc_books",
      {
        id: column(Integer, { primaryKey: true }),
        authorId: column(Integer, { foreignKey: "r10nc_authors.id" }),
        author: relationship<Author>("Author", { backPopulates: "books" }),
      },
      { registry: theirs },
    ) {}
    registerModels(Author, Book)
    const use = () => new Author({ books: [] })
    expect(use).toThrow(InvalidRequestError)
    expect(use).toThrow(
      'Author.books names the model "Book", unknown to its registry (known: Author) but known to another: relationships link models of one registry, so declare both in it (model(..., { registry })), or, if its registry has a Book too, call registerModels(Book, ...) first',
    )
    // The other side alike, where its relationship is first worked out.
    const book = new Book({ authorId: 1 })
    expect(() => {
      book.author = null as unknown as Author
    }).toThrow(
      'Book.author names the model "Author", unknown to its registry (known: Book) but known to another',
    )
  })

  it("keeps the advice to check the spelling or register a model no registry knows", () => {
    const registry = new Registry()
    class Shelf extends model(
      "r10nc_shelves",
      {
        id: column(Integer, { primaryKey: true }),
        volumes: relationship<Shelf[]>("Volume"),
      },
      { registry },
    ) {}
    registerModels(Shelf)
    expect(() => new Shelf({ volumes: [] })).toThrow(
      'Shelf.volumes names the model "Volume", unknown to its registry (known: Shelf): check the spelling, or call registerModels(Volume, ...) first',
    )
  })
})
