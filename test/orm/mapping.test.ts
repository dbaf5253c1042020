import { describe, expect, expectTypeOf, it } from "vitest"
import {
  AsyncSession,
  BigInteger,
  column,
  createEngine,
  Integer,
  InvalidRequestError,
  inspect,
  model,
  Registry,
  type RowType,
  relationship,
  String,
  select,
} from "../../src/index.ts"
import { libsql } from "../../src/libsql.ts"
import { Comment, Post, Tag, User } from "./models.ts"

describe("models", () => {
  it("type instances from their columns and relationships, and require exactly the needed columns", () => {
    const user = new User({ username: "bob", email: "bob@example.com" })
    expectTypeOf(user.username).toEqualTypeOf<string>()
    expectTypeOf(user.bio).toEqualTypeOf<string | null>()
    expectTypeOf(user.posts).toEqualTypeOf<Post[]>()
    expectTypeOf(new Post({ title: "t", content: "c" }).author).toEqualTypeOf<User>()
    expectTypeOf(user.displayName).toEqualTypeOf<string>()
    // @ts-expect-error email has no default and is not nullable
    new User({ username: "x" })
    // @ts-expect-error wrong type
    new User({ username: 1, email: "e" })
    expect(() => new User({ username: "a", email: "b", nope: 1 } as never)).toThrow(/no attribute "nope"/)
  })

  it("expose typed Core columns on the class, so selects infer their rows", () => {
    const statement = select(User.id, User.username).where(User.email.like("%@example.com"))
    expectTypeOf<RowType<typeof statement>>().toEqualTypeOf<[number, string]>()
    expectTypeOf<RowType<ReturnType<typeof select<[typeof User]>>>>().toEqualTypeOf<[User]>()
    expect(statement.toString()).toBe(
      'SELECT "orm_users"."id", "orm_users"."username" FROM "orm_users" WHERE "orm_users"."email" LIKE :param_1',
    )
    // A column named like a function property is reached through `.c`.
    expect(select(Tag.c.name).toString()).toBe('SELECT "orm_tags"."name" FROM "orm_tags"')
    expect(select(User).toString()).toContain(
      'SELECT "orm_users"."id", "orm_users"."username", "orm_users"."email", "orm_users"."bio", "orm_users"."createdAt", "orm_users"."isActive" FROM "orm_users"',
    )
  })

  it("join along relationships, through association tables too", () => {
    expect(select(User.username, Post.title).join(User.posts).where(Post.published.eq(true)).toString()).toBe(
      'SELECT "orm_users"."username", "orm_posts"."title" FROM "orm_users" JOIN "orm_posts" ON "orm_users"."id" = "orm_posts"."userId" WHERE "orm_posts"."published" = :param_1',
    )
    expect(select(Post.title, Tag.c.name).join(Post.tags).toString()).toBe(
      'SELECT "orm_posts"."title", "orm_tags"."name" FROM "orm_posts" JOIN "orm_post_tags" ON "orm_posts"."id" = "orm_post_tags"."postId" JOIN "orm_tags" ON "orm_post_tags"."tagId" = "orm_tags"."id"',
    )
  })

  it("compile relationship operators to correlated EXISTS", () => {
    expect(
      select(Post.id)
        .where(Post.tags.any(Tag.c.name.eq("python")))
        .toString(),
    ).toBe(
      'SELECT "orm_posts"."id" FROM "orm_posts" WHERE EXISTS (SELECT 1 FROM "orm_post_tags" JOIN "orm_tags" ON "orm_post_tags"."tagId" = "orm_tags"."id" WHERE "orm_posts"."id" = "orm_post_tags"."postId" AND "orm_tags"."name" = :param_1)',
    )
    expect(
      select(Post.id)
        .where(Post.author.has(User.username.eq("bob")))
        .toString(),
    ).toBe(
      'SELECT "orm_posts"."id" FROM "orm_posts" WHERE EXISTS (SELECT 1 FROM "orm_users" WHERE "orm_posts"."userId" = "orm_users"."id" AND "orm_users"."username" = :param_1)',
    )
    expect(select(User.id).where(User.posts.any()).toString()).toBe(
      'SELECT "orm_users"."id" FROM "orm_users" WHERE EXISTS (SELECT 1 FROM "orm_posts" WHERE "orm_users"."id" = "orm_posts"."userId")',
    )
    expect(() => Post.author.any()).toThrow(/not a collection; use \.has/)
    expect(() => User.posts.has()).toThrow(/is a collection; use \.any/)
  })

  it("start transient, with empty relationships and defaults applied at flush", () => {
    const user = new User({ username: "bob", email: "bob@example.com" })
    expect(inspect(user).state).toBe("transient")
    expect(user.posts).toEqual([])
    expect(new Post({ title: "t", content: "c" }).author).toBeNull()
    expect(JSON.parse(JSON.stringify(user))).toMatchObject({ username: "bob", bio: null })
    // A nullable column given nothing reads NULL, as written; a defaulted one is filled in at flush.
    expect(user.bio).toBeNull()
    expect([user.createdAt, user.isActive, user.id]).toEqual([undefined, undefined, undefined])
  })

  it("write a 64-bit integer to JSON as exact text, so that Response.json(obj) works", () => {
    const registry = new Registry()
    class Counter extends model(
      "json_counters",
      { id: column(Integer, { primaryKey: true }), hits: column(BigInteger) },
      { registry },
    ) {}
    const counter = new Counter({ hits: 9007199254740993n })
    expect(counter.toJSON()).toEqual({ id: null, hits: "9007199254740993" })
    expect(JSON.stringify(counter)).toBe('{"id":null,"hits":"9007199254740993"}')
  })

  it("keep back-populated relationships in sync both ways", () => {
    const alice = new User({ username: "alice", email: "a@example.com" })
    const bob = new User({ username: "bob", email: "b@example.com" })
    const post = new Post({ title: "Hello", content: "...", author: alice })
    expect(alice.posts).toEqual([post])
    post.author = bob
    expect(alice.posts).toEqual([])
    expect(bob.posts).toEqual([post])
    const second = new Post({ title: "Second", content: "..." })
    bob.posts.push(second)
    expect(second.author).toBe(bob)
    bob.posts.splice(0, 1)
    expect(post.author).toBeNull()
    const comment = new Comment({ content: "Nice", post: second, author: alice })
    expect(second.comments).toEqual([comment])
    expect(alice.comments).toEqual([comment])
    const tag = new Tag({ name: "python" })
    second.tags.push(tag)
    expect(tag.posts).toEqual([second])
  })

  it("refuse JavaScript's own String or Boolean as a column type, naming the import", () => {
    expect(() => column(globalThis.Boolean as never)).toThrow(
      'Boolean is not a column type: import it from "edgealchemy"',
    )
    expect(() => column(globalThis.String as never)).toThrow(InvalidRequestError)
  })

  it("refuse a get() with another number of key values than the key has, before any query", async () => {
    // Nothing listens there: a get that reached for the database would fail otherwise.
    const session = new AsyncSession(createEngine("http://127.0.0.1:9/", { driver: libsql() }))
    await expect(session.get(User, [1, 2])).rejects.toThrow(
      "User is found by id (1 value(s)); get() was given 2",
    )
    await expect(session.get(User, [])).rejects.toThrow(InvalidRequestError)
  })

  it("explain an unknown relationship target or a backPopulates that does not match", () => {
    const registry = new Registry()
    class Owner extends model(
      "own_owners",
      { id: column(Integer, { primaryKey: true }), pets: relationship<Pet[]>("Pett", {}) },
      { registry },
    ) {}
    class Pet extends model(
      "own_pets",
      {
        id: column(Integer, { primaryKey: true }),
        ownerId: column(Integer, { foreignKey: "own_owners.id" }),
        owner: relationship<Owner>("Owner", { backPopulates: "animals" }),
      },
      { registry },
    ) {}
    registry.registerModels(Owner, Pet)
    expect(() => new Owner({ pets: [] })).toThrow(InvalidRequestError)
    expect(() => new Owner({ pets: [] })).toThrow(/names the model "Pett".*known: Owner, Pet/)
    expect(() => new Pet({ owner: new Owner() })).toThrow(
      /backPopulates "animals", but Owner has no relationship "animals"/,
    )
    const named = model(
      "named_things",
      { id: column(Integer, { primaryKey: true }), title: column(String(5)) },
      { registry },
    )
    expect(() => select(named.c.title).toString()).not.toThrow()
  })
})
