// Deleting a parent whose delete-cascade collection is not loaded reaches every level the mapping
// declares, in the commit's one request. The children went by one bulk DELETE (with their association
// rows, 97e1e31), but their own children were left to the database's ON DELETE: without ON DELETE
// CASCADE the commit failed with a raw foreign-key IntegrityError (both databases enforce the keys
// here), and where keys are not enforced orphans stayed. SQLAlchemy (passive_deletes=False) loads the
// children and cascades from them: their children are deleted (or, through a relationship without a
// delete cascade, unlinked), with their association rows, at every level. The bulk statements find
// each level through the rows above it: DELETE FROM reviews WHERE book_id IN (SELECT id FROM books
// WHERE author_id = $1), and so on down, before the rows above go. Objects the session holds of rows
// they take end as SQLAlchemy leaves them: deleted and detached, or unlinked.
import { describe, expect, it } from "vitest"
import ws from "ws"
import {
  AsyncSession,
  column,
  Integer,
  inspect,
  model,
  Registry,
  relationship,
  String,
  select,
  table,
} from "../../src/index.ts"
import { libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"

const registry = new Registry()
const bookTags = table(
  "kn_del_book_tags",
  {
    bookId: column(Integer, { primaryKey: true, foreignKey: "kn_del_books.id" }),
    tagId: column(Integer, { primaryKey: true, foreignKey: "kn_del_tags.id" }),
  },
  { metadata: registry.metadata },
)
const reviewLabels = table(
  "kn_del_review_labels",
  {
    reviewId: column(Integer, { primaryKey: true, foreignKey: "kn_del_reviews.id" }),
    labelId: column(Integer, { primaryKey: true, foreignKey: "kn_del_labels.id" }),
  },
  { metadata: registry.metadata },
)
class Author extends model(
  "kn_del_authors",
  {
    id: column(Integer, { primaryKey: true }),
    name: column(String(40)),
    books: relationship<Book[]>("Book", {
      backPopulates: "author",
      cascade: ["save-update", "delete", "delete-orphan"],
    }),
  },
  { registry },
) {}
class Book extends model(
  "kn_del_books",
  {
    id: column(Integer, { primaryKey: true }),
    title: column(String(40)),
    authorId: column(Integer, { foreignKey: "kn_del_authors.id" }),
    author: relationship<Author>("Author", { backPopulates: "books" }),
    reviews: relationship<Review[]>("Review", { backPopulates: "book", cascade: ["save-update", "delete"] }),
    /** No delete cascade: a deleted book's notes are unlinked. */
    notes: relationship<Note[]>("Note", { backPopulates: "book" }),
    tags: relationship<Tag[]>("Tag", { secondary: bookTags }),
  },
  { registry },
) {}
class Review extends model(
  "kn_del_reviews",
  {
    id: column(Integer, { primaryKey: true }),
    body: column(String(40)),
    bookId: column(Integer, { foreignKey: "kn_del_books.id" }),
    book: relationship<Book>("Book", { backPopulates: "reviews" }),
    comments: relationship<Comment[]>("Comment", {
      backPopulates: "review",
      cascade: ["save-update", "delete", "delete-orphan"],
    }),
    labels: relationship<Label[]>("Label", { secondary: reviewLabels }),
  },
  { registry },
) {}
class Comment extends model(
  "kn_del_comments",
  {
    id: column(Integer, { primaryKey: true }),
    text: column(String(40)),
    reviewId: column(Integer, { foreignKey: "kn_del_reviews.id" }),
    review: relationship<Review>("Review", { backPopulates: "comments" }),
  },
  { registry },
) {}
class Note extends model(
  "kn_del_notes",
  {
    id: column(Integer, { primaryKey: true }),
    text: column(String(40)),
    bookId: column(Integer, { nullable: true, foreignKey: "kn_del_books.id" }),
    book: relationship<Book | null>("Book", { backPopulates: "notes" }),
  },
  { registry },
) {}
class Tag extends model(
  "kn_del_tags",
  { id: column(Integer, { primaryKey: true }), name: column(String(40)) },
  { registry },
) {}
class Label extends model(
  "kn_del_labels",
  { id: column(Integer, { primaryKey: true }), name: column(String(40)) },
  { registry },
) {}
/** A tree whose rows go with their parent, each with products that go with it. */
class Category extends model(
  "kn_del_categories",
  {
    id: column(Integer, { primaryKey: true }),
    name: column(String(40)),
    parentId: column(Integer, { nullable: true, foreignKey: "kn_del_categories.id" }),
    parent: relationship<Category | null>("Category", { uselist: false, backPopulates: "children" }),
    children: relationship<Category[]>("Category", {
      uselist: true,
      backPopulates: "parent",
      cascade: ["save-update", "delete"],
    }),
    products: relationship<Product[]>("Product", {
      backPopulates: "category",
      cascade: ["save-update", "delete"],
    }),
  },
  { registry },
) {}
class Product extends model(
  "kn_del_products",
  {
    id: column(Integer, { primaryKey: true }),
    name: column(String(40)),
    categoryId: column(Integer, { foreignKey: "kn_del_categories.id" }),
    category: relationship<Category>("Category", { backPopulates: "products" }),
  },
  { registry },
) {}
registry.registerModels(Author, Book, Review, Comment, Note, Tag, Label, Category, Product)

for (const fixture of [neonFixture("http", ws), libsqlHttpFixture()]) {
  describe(`deleting an author whose books are not loaded, on ${fixture.name}`, () => {
    const scope = `kn-del-${fixture.name}-${Date.now().toString(36)}`
    const engine = fixture.engine(scope)
    freshSchema(engine, registry.metadata)

    /** An author with two books, each with reviews (with comments and labels), tags and notes; its id. */
    async function library(name: string): Promise<number> {
      await using session = new AsyncSession(engine)
      const tag = new Tag({ name: `${name}-tag` })
      const label = new Label({ name: `${name}-label` })
      const author = new Author({
        name,
        books: ["a", "b"].map(
          (title) =>
            new Book({
              title: `${name}-${title}`,
              tags: [tag],
              notes: [new Note({ text: `${name}-${title}-note` })],
              reviews: [1, 2].map(
                (n) =>
                  new Review({
                    body: `${name}-${title}-${n}`,
                    labels: [label],
                    comments: [new Comment({ text: `${name}-${title}-${n}-c` })],
                  } as never),
              ),
            } as never),
        ),
      } as never)
      session.add(author)
      await session.commit()
      return author.id
    }

    const rowsOf = async (name: string) => ({
      books: (await engine.execute(select(Book.c.id).where(Book.c.title.like(`${name}-%`)))).rows.length,
      reviews: (await engine.execute(select(Review.c.id).where(Review.c.body.like(`${name}-%`)))).rows.length,
      comments: (await engine.execute(select(Comment.c.id).where(Comment.c.text.like(`${name}-%`)))).rows
        .length,
      notes: (
        await engine.execute(
          select(Note.c.bookId)
            .where(Note.c.text.like(`${name}-%`))
            .orderBy(Note.c.id),
        )
      ).rows.map(([bookId]) => bookId),
      tagLinks: (
        await engine.execute(
          select(bookTags.c.bookId)
            .join(Tag, Tag.c.id.eq(bookTags.c.tagId))
            .where(Tag.c.name.eq(`${name}-tag`)),
        )
      ).rows.length,
      labelLinks: (
        await engine.execute(
          select(reviewLabels.c.reviewId)
            .join(Label, Label.c.id.eq(reviewLabels.c.labelId))
            .where(Label.c.name.eq(`${name}-label`)),
        )
      ).rows.length,
    })

    it("deletes the books' reviews, their comments and link rows, and unlinks their notes, in one request", async () => {
      const id = await library("lvl")
      await library("kept")
      await using session = new AsyncSession(engine)
      const author = (await session.get(Author, id)) as Author
      session.delete(author)
      const before = await fixture.stats(scope)
      // Was: a foreign-key IntegrityError (the reviews still pointed at the books).
      await session.commit()
      const after = await fixture.stats(scope)
      expect((after?.httpRequests ?? 0) - (before?.httpRequests ?? 0)).toBe(1)
      expect(await rowsOf("lvl")).toEqual({
        books: 0,
        reviews: 0,
        comments: 0,
        notes: [null, null],
        tagLinks: 0,
        labelLinks: 0,
      })
      // Another author's rows are untouched.
      const kept = await rowsOf("kept")
      expect(kept).toMatchObject({ books: 2, reviews: 4, comments: 4, tagLinks: 2, labelLinks: 4 })
      expect(kept.notes.every((bookId) => typeof bookId === "number")).toBe(true)
      expect(inspect(author).state).toBe("detached")
    })

    it("leaves the objects it holds of those rows deleted and detached, or unlinked", async () => {
      const id = await library("held")
      await using session = new AsyncSession(engine)
      const author = (await session.get(Author, id)) as Author
      // Held without their books: a review, a comment of another review, a note.
      const review = (await session.scalars(select(Review).where(Review.body.eq("held-a-1")))).one()
      const comment = (await session.scalars(select(Comment).where(Comment.text.eq("held-b-2-c")))).one()
      const note = (await session.scalars(select(Note).where(Note.text.eq("held-a-note")))).one()
      const untouched = (await session.scalars(select(Review).where(Review.body.eq("kept-a-1")))).first()
      session.delete(author)
      await session.commit()
      expect(await rowsOf("held")).toMatchObject({ books: 0, reviews: 0, comments: 0, notes: [null, null] })
      // Was: left persistent, for rows that no longer exist.
      expect(inspect(review).state).toBe("detached")
      expect(inspect(comment).state).toBe("detached")
      expect(await session.get(Review, review.id)).toBe(null)
      expect(inspect(note).state).toBe("persistent")
      expect(note.bookId).toBe(null)
      expect(inspect(note).modified).toEqual([])
      if (untouched) expect(inspect(untouched).state).toBe("persistent")
    })

    it("deletes the products of a tree's whole subtree with it, in one request", async () => {
      await using setup = new AsyncSession(engine)
      const root = new Category({ name: "root" })
      const child = new Category({ name: "child", parent: root } as never)
      const grandchild = new Category({ name: "grandchild", parent: child } as never)
      for (const category of [root, child, grandchild])
        setup.add(new Product({ name: `${category.name}-product`, category } as never))
      await setup.commit()
      const ids = [root.id, child.id, grandchild.id]
      await using session = new AsyncSession(engine)
      const loaded = (await session.get(Category, root.id)) as Category
      const held = (
        await session.scalars(select(Product).where(Product.c.name.eq("grandchild-product")))
      ).one()
      session.delete(loaded)
      const before = await fixture.stats(scope)
      // Was: a foreign-key IntegrityError (the subtree's products still pointed at its rows).
      await session.commit()
      const after = await fixture.stats(scope)
      expect((after?.httpRequests ?? 0) - (before?.httpRequests ?? 0)).toBe(1)
      expect((await engine.execute(select(Category.c.id).where(Category.c.id.in(ids)))).rows).toEqual([])
      expect((await engine.execute(select(Product.c.id).where(Product.c.categoryId.in(ids)))).rows).toEqual(
        [],
      )
      expect(inspect(held).state).toBe("detached")
    })

    it("deletes a loaded book's unloaded reviews with it, as before, beside the bulk levels", async () => {
      const id = await library("mixed")
      await using session = new AsyncSession(engine)
      const author = (await session.get(Author, id)) as Author
      const book = (await session.scalars(select(Book).where(Book.title.eq("mixed-a")))).one()
      session.delete(author)
      const before = await fixture.stats(scope)
      await session.commit()
      const after = await fixture.stats(scope)
      expect((after?.httpRequests ?? 0) - (before?.httpRequests ?? 0)).toBe(1)
      expect(await rowsOf("mixed")).toMatchObject({ books: 0, reviews: 0, comments: 0, labelLinks: 0 })
      expect(inspect(book).state).toBe("detached")
    })
  })
}
