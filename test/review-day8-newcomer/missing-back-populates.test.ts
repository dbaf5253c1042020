// A relationship whose backPopulates names a relationship the other model does not declare (the
// newcomer wrote one side only, or misspelt it) was refused at first use with what was wrong alone:
// 'Post.comments has backPopulates "post", but Comment has no relationship "post"'. It now also says what
// to declare on the other model, typed for the direction (one object for the other side of a one-to-many,
// a list otherwise, with the association table of a many-to-many), or to leave backPopulates out.
import { expect, it } from "vitest"
import { column, Integer, model, Registry, relationship, table } from "../../src/index.ts"

it("one-to-many: the other side is one object", () => {
  const registry = new Registry()
  class Author extends model(
    "r8nc_bp_authors",
    {
      id: column(Integer, { primaryKey: true }),
      books: relationship<Book[]>("Book", { backPopulates: "writer" }),
    },
    { registry },
  ) {}
  class Book extends model(
    "r8nc_bp_books",
    {
      id: column(Integer, { primaryKey: true }),
      authorId: column(Integer, { foreignKey: "r8nc_bp_authors.id" }),
    },
    { registry },
  ) {}
  registry.registerModels(Author, Book)
  expect(() => new Author({ books: [] })).toThrow(
    'Author.books has backPopulates "writer", but Book has no relationship "writer": ' +
      'declare writer: relationship<Author>("Author", { backPopulates: "books" }) in Book, or leave backPopulates out',
  )
})

it("many-to-one: the other side is a list", () => {
  const registry = new Registry()
  class Shelf extends model("r8nc_bp_shelves", { id: column(Integer, { primaryKey: true }) }, { registry }) {}
  class Book extends model(
    "r8nc_bp_books",
    {
      id: column(Integer, { primaryKey: true }),
      shelfId: column(Integer, { foreignKey: "r8nc_bp_shelves.id" }),
      shelf: relationship<Shelf>("Shelf", { backPopulates: "stock" }),
    },
    { registry },
  ) {}
  registry.registerModels(Shelf, Book)
  expect(() => new Book({ shelfId: 1, shelf: new Shelf({}) })).toThrow(
    'Book.shelf has backPopulates "stock", but Shelf has no relationship "stock": ' +
      'declare stock: relationship<Book[]>("Book", { backPopulates: "shelf" }) in Shelf, or leave backPopulates out',
  )
})

it("many-to-many: a list, through the same association table", () => {
  const registry = new Registry()
  class Book extends model(
    "r8nc_bp_books",
    {
      id: column(Integer, { primaryKey: true }),
      labels: relationship<Label[]>("Label", { secondary: "r8nc_bp_book_labels", backPopulates: "books" }),
    },
    { registry },
  ) {}
  class Label extends model("r8nc_bp_labels", { id: column(Integer, { primaryKey: true }) }, { registry }) {}
  table(
    "r8nc_bp_book_labels",
    {
      bookId: column(Integer, { primaryKey: true, foreignKey: "r8nc_bp_books.id" }),
      labelId: column(Integer, { primaryKey: true, foreignKey: "r8nc_bp_labels.id" }),
    },
    { metadata: registry.metadata },
  )
  registry.registerModels(Book, Label)
  expect(() => new Book({ labels: [new Label({})] })).toThrow(
    'Book.labels has backPopulates "books", but Label has no relationship "books": ' +
      'declare books: relationship<Book[]>("Book", { secondary: "r8nc_bp_book_labels", backPopulates: "labels" }) in Label, or leave backPopulates out',
  )
})
