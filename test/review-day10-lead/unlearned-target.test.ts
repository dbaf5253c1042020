// Once the app had installed the loaders (a selectinload or a lazy relationship anywhere in the
// isolate), a query of a model resolved all its relationships to look for their `lazy` defaults: one
// naming a model the registry had not learned yet (no registerModels(), its class not used yet) then
// failed a plain `select(Post)` with 'Post.tags names the model "Tag"...', a query that worked in an app
// with no loader anywhere. Which of the two an app got depended on what had run before in its isolate
// (found when test files began to share a module graph: test/review-day8-queries/join-from-parent).
// A query now resolves only the relationships it loads.
import { describe, expect, it } from "vitest"
import {
  AsyncSession,
  column,
  Integer,
  insert,
  model,
  Registry,
  relationship,
  String,
  select,
  selectinload,
  table,
} from "../../src/index.ts"
import { libsqlHttpFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"

const registry = new Registry()
class Author extends model(
  "r10l_authors",
  {
    id: column(Integer, { primaryKey: true }),
    books: relationship<Book[]>("Book", { backPopulates: "author" }),
  },
  { registry },
) {}
class Book extends model(
  "r10l_books",
  {
    id: column(Integer, { primaryKey: true }),
    authorId: column(Integer, { foreignKey: "r10l_authors.id" }),
    author: relationship<Author>("Author", { backPopulates: "books" }),
  },
  { registry },
) {}
registry.registerModels(Author, Book)

table(
  "r10l_post_tags",
  {
    postId: column(Integer, { primaryKey: true, foreignKey: "r10l_posts.id" }),
    tagId: column(Integer, { primaryKey: true, foreignKey: "r10l_tags.id" }),
  },
  { metadata: registry.metadata },
)
class Post extends model(
  "r10l_posts",
  {
    id: column(Integer, { primaryKey: true }),
    tags: relationship<Tag[]>("Tag", { secondary: "r10l_post_tags" }),
  },
  { registry },
) {}
// Declared, never used by this file: the registry has not learned its name.
class Tag extends model(
  "r10l_tags",
  { id: column(Integer, { primaryKey: true }), label: column(String(20)) },
  { registry },
) {}

const engine = libsqlHttpFixture().engine(`r10l-unlearned-${Date.now().toString(36)}`)
freshSchema(engine, registry.metadata)

describe("a query of a model beside a relationship whose target the registry has not learned", () => {
  it("selects the model, with the loaders installed by another query, as without", async () => {
    await using session = new AsyncSession(engine)
    await session.execute(insert(Author).values({ id: 1 }))
    await session.execute(insert(Book).values({ id: 1, authorId: 1 }))
    await session.execute(insert(Post).values({ id: 1 }))
    await session.commit()
    // Another route of the app loads with an option: the loaders are installed from here on.
    const author = await session.scalars(select(Author).options(selectinload(Author.books)))
    expect(author.one().books.map((book) => book.id)).toEqual([1])
    expect(registry.models.has("Tag")).toBe(false)

    await using fresh = new AsyncSession(engine)
    const posts = await fresh.scalars(select(Post).where(Post.id.eq(1)))
    expect(posts.all().map((post) => post.id)).toEqual([1])
  })
})
