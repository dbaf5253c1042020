// A reference (`session.reference(Post, { id })`) knows only the columns it was given. selectinload of
// its many-to-one, and session.load, read the related rows by the keys the database holds but gave them
// out by the key the object knows: none, so `post.author` was loaded as null though the post has an
// author (joinedload of the same query gave it). A parent that does not know its key is now left
// unloaded (NotLoadedError names the fix), never given a wrong "none".
import { describe, expect, it } from "vitest"
import ws from "ws"
import { AsyncSession, insert, joinedload, NotLoadedError, select, selectinload } from "../../src/index.ts"
import { libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"
import { r5Models } from "../review-day5-reads/models.ts"

const { R5Post, R5User, registry } = r5Models("r6l_ref")

for (const fixture of [neonFixture("http", ws), libsqlHttpFixture()]) {
  describe(`loads onto a reference on ${fixture.name}`, () => {
    const engine = fixture.engine(`r6l-ref-${fixture.name}-${Date.now().toString(36)}`)
    freshSchema(engine, registry.metadata)

    it("seeds", async () => {
      await using session = new AsyncSession(engine)
      await session.execute(insert(R5User).values([{ id: 1, name: "ada", managerId: null }]))
      await session.execute(insert(R5Post).values([{ id: 10, title: "first", userId: 1 }]))
      await session.commit()
    })

    /** What reading `post.author` gives: a name, null, or "unloaded". */
    const authorOf = (post: InstanceType<typeof R5Post>) => {
      try {
        return post.author?.name ?? null
      } catch (error) {
        if (error instanceof NotLoadedError) return "unloaded"
        throw error
      }
    }

    it("never loads as null a many-to-one whose key the reference does not know", async () => {
      {
        await using session = new AsyncSession(engine)
        const post = session.reference(R5Post, { id: 10 })
        await session.scalars(select(R5Post).where(R5Post.id.eq(10)).options(selectinload(R5Post.author)))
        expect(authorOf(post)).toBe("unloaded")
        // session.load (and refresh) read the key through the post's own row since day 7
        // (test/review-day7-open/reference-refresh.test.ts): the author, never a wrong none.
        await session.load([post], R5Post.author)
        expect(authorOf(post)).toBe("ada")
      }
      {
        await using session = new AsyncSession(engine)
        const post = session.reference(R5Post, { id: 10 })
        await session.scalars(select(R5Post).where(R5Post.id.eq(10)).options(joinedload(R5Post.author)))
        expect(authorOf(post)).toBe("ada")
      }
      {
        // Told its key, it loads.
        await using session = new AsyncSession(engine)
        const post = session.reference(R5Post, { id: 10, userId: 1 })
        await session.scalars(select(R5Post).where(R5Post.id.eq(10)).options(selectinload(R5Post.author)))
        expect(authorOf(post)).toBe("ada")
      }
    })
  })
}
