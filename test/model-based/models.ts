// The model-based session test's schema: an author with books (back-populated, delete-orphan, a version
// column), books with tags through an association table, and a tree of categories (self-referential)
// that books may belong to (a nullable foreign key; a book's author is a non-nullable one). Every row
// has a `label` the test gives it, which never changes: the reference model names rows by it.
import { column, Integer, model, Registry, relationship, String, table } from "../../src/index.ts"

export const registry = new Registry()

export const bookTags = table(
  "mb_book_tags",
  {
    bookId: column(Integer, { primaryKey: true, foreignKey: "mb_books.id" }),
    tagId: column(Integer, { primaryKey: true, foreignKey: "mb_tags.id" }),
  },
  { metadata: registry.metadata },
)

export class Author extends model(
  "mb_authors",
  {
    id: column(Integer, { primaryKey: true }),
    label: column(String(20), { unique: true }),
    name: column(String(40)),
    version: column(Integer, { default: 1 }),
    books: relationship<Book[]>("Book", {
      backPopulates: "author",
      cascade: ["save-update", "delete", "delete-orphan"],
    }),
  },
  { registry, versionId: "version" },
) {}

export class Category extends model(
  "mb_categories",
  {
    id: column(Integer, { primaryKey: true }),
    label: column(String(20), { unique: true }),
    name: column(String(40)),
    parentId: column(Integer, { nullable: true, foreignKey: "mb_categories.id" }),
    parent: relationship<Category | null>("Category", { uselist: false, backPopulates: "children" }),
    children: relationship<Category[]>("Category", { uselist: true, backPopulates: "parent" }),
    books: relationship<Book[]>("Book", { backPopulates: "category" }),
  },
  { registry },
) {}

export class Book extends model(
  "mb_books",
  {
    id: column(Integer, { primaryKey: true }),
    label: column(String(20), { unique: true }),
    title: column(String(40)),
    authorId: column(Integer, { foreignKey: "mb_authors.id" }),
    categoryId: column(Integer, { nullable: true, foreignKey: "mb_categories.id" }),
    author: relationship<Author>("Author", { backPopulates: "books" }),
    category: relationship<Category | null>("Category", { backPopulates: "books" }),
    tags: relationship<Tag[]>("Tag", { secondary: bookTags, backPopulates: "books" }),
  },
  { registry },
) {}

export class Tag extends model(
  "mb_tags",
  {
    id: column(Integer, { primaryKey: true }),
    label: column(String(20), { unique: true }),
    name: column(String(40)),
    books: relationship<Book[]>("Book", { secondary: bookTags, backPopulates: "tags" }),
  },
  { registry },
) {}

registry.registerModels(Author, Category, Book, Tag)

export type Kind = "author" | "book" | "tag" | "category"
export const MODELS = { author: Author, book: Book, tag: Tag, category: Category } as const
