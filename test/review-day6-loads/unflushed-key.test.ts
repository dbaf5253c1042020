// A selectinload's level selects its rows by the keys the database holds for the level above (one
// statement, keys never read back), but gave them out by the keys the objects held in memory. An object
// whose foreign key was changed and not flushed (a ReadSession's objects, which are never written, or
// an AsyncSession under noAutoflush) matched none of its rows: selectinload(Post.author) left its
// author loaded as null, while joinedload(Post.author) of the same query gave the database's author.
// The level's rows now go to the objects by the keys the database holds for them, as with joinedload.
// A query run beside its loads (a column of no known type) checked which objects its loads were read
// for by their keys in memory too, and left such an object's author unloaded: it checks by the
// database's keys now.
import { describe, expect, it } from "vitest"
import ws from "ws"
import {
  AsyncSession,
  insert,
  joinedload,
  literalColumn,
  ReadSession,
  select,
  selectinload,
} from "../../src/index.ts"
import { libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"
import { r5Models } from "../review-day5-reads/models.ts"

const { R5Post, R5User, registry } = r5Models("r6l_unf")

for (const fixture of [neonFixture("http", ws), neonFixture("websocket", ws), libsqlHttpFixture()]) {
  describe(`a load onto objects with an unflushed key on ${fixture.name}`, () => {
    const scope = `r6l-unf-${fixture.name}-${Date.now().toString(36)}`
    const engine = fixture.engine(scope)
    freshSchema(engine, registry.metadata)
    /** One HTTP request on HTTP transports; Neon's websocket mode sends none (it rides the socket). */
    const oneRequest = fixture.name === "neon-websocket" ? 0 : 1

    it("seeds", async () => {
      await using session = new AsyncSession(engine)
      await session.execute(
        insert(R5User).values([
          { id: 1, name: "ada", managerId: null },
          { id: 2, name: "bob", managerId: null },
          { id: 3, name: "cy", managerId: 1 },
        ]),
      )
      await session.execute(
        insert(R5Post).values([
          { id: 10, title: "first", userId: 1 },
          { id: 11, title: "second", userId: 1 },
          { id: 12, title: "third", userId: 3 },
        ]),
      )
      await session.commit()
    })

    it("selectinload gives a many-to-one the database's row, as joinedload does, in one request", async () => {
      for (const option of [selectinload(R5Post.author), joinedload(R5Post.author)]) {
        await using session = new ReadSession(engine)
        const [post] = (await session.scalars(select(R5Post).where(R5Post.id.eq(10)))).all()
        if (!post) throw new Error("no post 10")
        post.userId = 2 // changed in memory only: a ReadSession never writes
        const before = await fixture.stats(scope)
        const [again] = (await session.scalars(select(R5Post).where(R5Post.id.eq(10)).options(option))).all()
        const after = await fixture.stats(scope)
        expect(again).toBe(post)
        expect(post.userId).toBe(2) // the change is kept
        expect(post.author?.name).toBe("ada") // what the database holds for the post
        expect((after?.httpRequests ?? 0) - (before?.httpRequests ?? 0)).toBe(oneRequest)
      }
    })

    it("so does a query run beside its loads (a column of no known type)", async () => {
      await using session = new ReadSession(engine)
      const [post] = (await session.scalars(select(R5Post).where(R5Post.id.eq(11)))).all()
      if (!post) throw new Error("no post 11")
      post.userId = 2
      const before = await fixture.stats(scope)
      const rows = await session.execute(
        select(R5Post, literalColumn("'x'")).where(R5Post.id.eq(11)).options(selectinload(R5Post.author)),
      )
      const after = await fixture.stats(scope)
      expect(rows.all().map(([read, x]) => [read === post, x])).toEqual([[true, "x"]])
      expect(post.author?.name).toBe("ada") // was left unloaded: NotLoadedError
      expect((after?.httpRequests ?? 0) - (before?.httpRequests ?? 0)).toBe(oneRequest)
    })

    it("a deeper level goes to its objects by their database keys too (AsyncSession, noAutoflush)", async () => {
      await using session = new AsyncSession(engine)
      const [cy] = (await session.scalars(select(R5User).where(R5User.id.eq(3)))).all()
      if (!cy) throw new Error("no user 3")
      cy.managerId = 2
      const posts = await session.noAutoflush(async () =>
        (
          await session.scalars(
            select(R5Post)
              .where(R5Post.userId.eq(3))
              .options(selectinload(R5Post.author).selectinload(R5User.manager)),
          )
        ).all(),
      )
      expect(
        posts.map((post) => [post.id, post.author?.name, post.author?.managerId, post.author?.manager?.name]),
      ).toEqual([[12, "cy", 2, "ada"]])
      // Nothing was written: the database still says ada manages cy.
      await session.rollback()
      const plain = await session.execute(select(R5User.managerId).where(R5User.id.eq(3)))
      expect(plain.scalars().all()).toEqual([1])
    })
  })
}
