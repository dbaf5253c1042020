// `session.refresh(ref, ["author"])` of a reference (`session.reference(Post, { id })`) that was not told
// its foreign key left `author` unloaded, though refresh with attribute names loads them (SQLAlchemy's
// does); so did `session.load([ref], Post.author)`. The load now reads the key from the database, in
// the same statement: the related rows are selected through the reference's own row, by its identity.
import { describe, expect, it } from "vitest"
import ws from "ws"
import { AsyncSession, insert, NotLoadedError } from "../../src/index.ts"
import { libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"
import { r5Models } from "../review-day5-reads/models.ts"

const { R5Post, R5User, R5Tag, r5Links, registry } = r5Models("r7o_ref")

const read = <T>(get: () => T): T | "unloaded" => {
  try {
    return get()
  } catch (error) {
    if (error instanceof NotLoadedError) return "unloaded"
    throw error
  }
}

for (const fixture of [neonFixture("http", ws), libsqlHttpFixture()]) {
  describe(`refresh and load of a reference's relationships on ${fixture.name}`, () => {
    const scope = `r7o-ref-${fixture.name}-${Date.now().toString(36)}`
    const engine = fixture.engine(scope)
    freshSchema(engine, registry.metadata)

    it("seeds", async () => {
      await using session = new AsyncSession(engine)
      await session.execute(
        insert(R5User).values([
          { id: 1, name: "ada", managerId: null },
          { id: 2, name: "bob", managerId: 1 },
        ]),
      )
      await session.execute(
        insert(R5Post).values([
          { id: 10, title: "first", userId: 1 },
          { id: 11, title: "second", userId: null },
          { id: 12, title: "third", userId: 2 },
        ]),
      )
      await session.execute(insert(R5Tag).values([{ id: 5, name: "edge" }]))
      await session.execute(insert(r5Links).values([{ id: 1, postId: 10, tagId: 5 }]))
      await session.commit()
    })
    it(`refresh(ref, ["author"]) reads the key it does not know and loads the author, in one request`, async () => {
      await using session = new AsyncSession(engine)
      const post = session.reference(R5Post, { id: 10 })
      const before = await fixture.stats(scope)
      await session.refresh(post, ["author"])
      const after = await fixture.stats(scope)
      expect(read(() => post.author?.name)).toBe("ada")
      expect((after?.httpRequests ?? 0) - (before?.httpRequests ?? 0)).toBe(1)
      // A post with no author loads as none; one the reference was told of, as before.
      const lone = session.reference(R5Post, { id: 11 })
      await session.refresh(lone, ["author"])
      expect(read(() => lone.author)).toBeNull()
      const told = session.reference(R5Post, { id: 12, userId: 2 })
      await session.refresh(told, ["author"])
      expect(read(() => told.author?.name)).toBe("bob")
    })

    it("session.load of several references, some told their key, loads each its own author", async () => {
      await using session = new AsyncSession(engine)
      const posts = [
        session.reference(R5Post, { id: 10 }),
        session.reference(R5Post, { id: 11 }),
        session.reference(R5Post, { id: 12, userId: 2 }),
      ]
      await session.load(posts, R5Post.author)
      expect(posts.map((post) => read(() => post.author?.name ?? null))).toEqual(["ada", null, "bob"])
    })

    it("a self-referential many-to-one and a many-to-many of references", async () => {
      await using session = new AsyncSession(engine)
      const bob = session.reference(R5User, { id: 2 })
      await session.refresh(bob, ["manager", "posts"])
      expect(read(() => bob.manager?.name)).toBe("ada")
      expect(read(() => bob.posts.map((post) => post.title))).toEqual(["third"])
      const post = session.reference(R5Post, { id: 10 })
      await session.refresh(post, ["tags"])
      expect(read(() => post.tags.map((tag) => tag.name))).toEqual(["edge"])
    })

    it("an unflushed change to a reference's key is not overwritten by the load", async () => {
      await using session = new AsyncSession(engine, { autoflush: false })
      const post = session.reference(R5Post, { id: 12 })
      const ada = await session.get(R5User, 1)
      post.userId = 1
      await session.refresh(post, ["author"])
      // Told its key now (unflushed): the load goes by it, as for any object.
      expect(post.userId).toBe(1)
      expect(read(() => post.author?.name)).toBe(ada?.name)
    })
  })
}
