// What a newcomer puts into a relationship by mistake. An object of another model was linked by its key,
// as the row of the target that has that key: `post.tags.push(ada)` (ada a User with id 1) committed a
// link to tag 1, silently, and `user.posts.push(comment)` failed at the database as a NOT NULL or foreign
// key error that named neither the relationship nor the object. A plain object (`{ name: "x" }`, what a
// request body holds) was refused as "This Object is not an instance of a mapped model", and a single
// object assigned to a collection (`post.tags = tag`) emptied it. Each is now refused where it is made,
// nothing changed, naming the relationship, the model it takes and what it was given (SQLAlchemy refuses
// an object of another class too: "doesn't handle objects of type"); one written by index
// (`post.tags[0] = ada`) is refused by the flush that would write it, until it is put right.
import { describe, expect, it } from "vitest"
import ws from "ws"
import {
  AsyncSession,
  column,
  Integer,
  model,
  Registry,
  relationship,
  String,
  select,
  selectinload,
  table,
} from "../../src/index.ts"
import { libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"

const registry = new Registry()
const metadata = registry.metadata

class User extends model(
  "r8nc_users",
  {
    id: column(Integer, { primaryKey: true }),
    username: column(String(50)),
    posts: relationship<Post[]>("Post", { backPopulates: "author" }),
  },
  { registry },
) {}

class Post extends model(
  "r8nc_posts",
  {
    id: column(Integer, { primaryKey: true }),
    title: column(String(50)),
    userId: column(Integer, { foreignKey: "r8nc_users.id" }),
    author: relationship<User>("User", { backPopulates: "posts" }),
    tags: relationship<Tag[]>("Tag", { secondary: "r8nc_post_tags" }),
  },
  { registry },
) {}

class Tag extends model(
  "r8nc_tags",
  { id: column(Integer, { primaryKey: true }), name: column(String(50)) },
  { registry },
) {}

const postTags = table(
  "r8nc_post_tags",
  {
    postId: column(Integer, { primaryKey: true, foreignKey: "r8nc_posts.id" }),
    tagId: column(Integer, { primaryKey: true, foreignKey: "r8nc_tags.id" }),
  },
  { metadata },
)

registry.registerModels(User, Post, Tag)

/** What the relationship was given, as the app would write it without TypeScript's help. */
const loose = <T>(value: unknown) => value as T

for (const fixture of [neonFixture("http", ws), libsqlHttpFixture()]) {
  describe(`values put into relationships by mistake, on ${fixture.name}`, () => {
    const scope = `r8nc-rel-${fixture.name}-${Date.now().toString(36)}`
    const engine = fixture.engine(scope)
    freshSchema(engine, metadata)

    it("an object of another model is refused, not linked as the target row with its key", async () => {
      {
        await using session = new AsyncSession(engine)
        session.addAll([new User({ id: 1, username: "ada" }), new Tag({ id: 1, name: "edge" })])
        await session.commit()
      }
      await using session = new AsyncSession(engine)
      const ada = (await session.scalars(select(User).options(selectinload(User.posts)))).one()
      const post = new Post({ id: 1, title: "Hello", author: ada })
      session.add(post)
      expect(() => post.tags.push(loose<Tag>(ada))).toThrow(
        "Post.tags takes Tag objects (new Tag({ ... })), not a User",
      )
      expect(() => {
        post.author = loose<User>(new Tag({ name: "orm" }))
      }).toThrow("Post.author takes User objects (new User({ ... })), not a Tag")
      expect(() => ada.posts.push(loose<Post>(new Tag({ name: "orm" })))).toThrow(
        "User.posts takes Post objects (new Post({ ... })), not a Tag",
      )
      // Nothing changed: the post is still ada's, with no tags, and commits as such.
      expect([post.tags.length, post.author, ada.posts]).toEqual([0, ada, [post]])
      await session.commit()
      const links = await engine.execute(select(postTags.c.postId, postTags.c.tagId))
      expect(links.all()).toEqual([])
    })

    it("an index write of another model's object is refused by the flush, until it is put right", async () => {
      await using session = new AsyncSession(engine)
      const ada = await session.get(User, 1)
      const edge = await session.get(Tag, 1)
      if (!ada || !edge) throw new Error("no ada or edge")
      const post = new Post({ id: 2, title: "Indexed", author: ada })
      session.add(post)
      post.tags[0] = loose<Tag>(ada)
      const before = (await fixture.stats(scope))?.httpRequests ?? 0
      await expect(session.commit()).rejects.toThrow(
        "Post.tags takes Tag objects (new Tag({ ... })), not a User",
      )
      // Refused again, not written the second time as if told.
      await expect(session.commit()).rejects.toThrow("Post.tags takes Tag objects")
      expect((await fixture.stats(scope))?.httpRequests ?? 0).toBe(before)
      post.tags[0] = edge
      await session.commit()
      const links = await engine.execute(
        select(postTags.c.postId, postTags.c.tagId).where(postTags.c.postId.eq(2)),
      )
      expect(links.all()).toEqual([[2, 1]])
    })

    it("a plain object, a class or a single object names what the relationship takes", () => {
      const post = new Post({ title: "Draft" })
      expect(() => new Post({ title: "x", author: loose<User>({ username: "bob" }) })).toThrow(
        "Post.author takes User objects (new User({ ... })), not a plain object",
      )
      expect(() => new Post({ title: "x", tags: loose<Tag[]>([{ name: "edge" }]) })).toThrow(
        "Post.tags takes Tag objects (new Tag({ ... })), not a plain object",
      )
      expect(() => post.tags.push(loose<Tag>({ name: "edge" }))).toThrow(
        "Post.tags takes Tag objects (new Tag({ ... })), not a plain object",
      )
      expect(() => {
        post.author = loose<User>(User)
      }).toThrow("Post.author takes User objects (new User({ ... })), not the class User")
      expect(() => {
        post.author = loose<User>(1n)
      }).toThrow("Post.author takes User objects (new User({ ... })), not the bigint 1")
      expect(() => {
        post.author = loose<User>("ada")
      }).toThrow('Post.author takes User objects (new User({ ... })), not the string "ada"')
      const edge = new Tag({ name: "edge" })
      post.tags = [edge]
      expect(() => {
        post.tags = loose<Tag[]>(new Tag({ name: "orm" }))
      }).toThrow("Post.tags is a collection: assign an array of Tag objects, not a Tag")
      expect(post.tags).toEqual([edge])
    })
  })
}
