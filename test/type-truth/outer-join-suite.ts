// A LEFT OUTER JOIN (and a FULL JOIN) gives NULL for the joined side of unmatched rows: its entities
// and tables are typed `| null` (a FULL JOIN's every item). A column of the joined side keeps its own
// type: columns are not traced to their table in the types (README).
import { describe, expect, expectTypeOf, it } from "vitest"
import { AsyncSession, aliased, type Engine, select } from "../../src/index.ts"
import { AtPost, AtUser, atValues } from "./models.ts"

/** Run by ./type-truth.test.ts on each database, over its schema. */
export function outerJoinsSuite(engine: Engine): void {
  describe("outer joins", () => {
    let lonely = 0
    let writer = 0

    it("seeds: a user with a post and one without", async () => {
      await using s = new AsyncSession(engine)
      const a = new AtUser({ name: "writer" })
      const b = new AtUser({ name: "lonely" })
      s.add(new AtPost({ title: "hello", author: a }))
      s.add(b)
      await s.commit()
      lonely = b.id
      writer = a.id
    })

    it("types the outer-joined entity of select(A, B).outerJoin(B) as B | null", async () => {
      await using s = new AsyncSession(engine)
      const rows = (
        await s.execute(select(AtUser, AtPost).outerJoin(AtPost).where(AtUser.id.eq(lonely)))
      ).all()
      expect(rows).toHaveLength(1)
      const post = rows[0]![1]
      expect(post).toBeNull() // runtime: null on both databases
      expectTypeOf(post).toEqualTypeOf<AtPost | null>()
    })

    it("types an outer-joined aliased() model as nullable", async () => {
      await using s = new AsyncSession(engine)
      const author = aliased(AtUser, "author")
      const orphan = new AtPost({ title: "orphan" })
      s.add(orphan)
      await s.commit()
      const rows = (
        await s.execute(
          select(AtPost, author)
            .outerJoin(author, AtPost.userId.eq(author.id))
            .where(AtPost.id.eq(orphan.id)),
        )
      ).all()
      const who = rows[0]![1]
      expect(who).toBeNull()
      expectTypeOf(who).toEqualTypeOf<AtUser | null>()
    })

    it("types the items of paginate() over an outer join as nullable", async () => {
      await using s = new AsyncSession(engine)
      const page = await s.paginate(
        select(AtUser, AtPost).outerJoin(AtPost).where(AtUser.id.eq(lonely)).orderBy(AtUser.id),
        { page: 1, pageSize: 5 },
      )
      const post = page.items[0]![1]
      expect(post).toBeNull()
      expectTypeOf(post).toEqualTypeOf<AtPost | null>()
    })

    it("gives null, not an object of nulls, for an unmatched outer-joined Core table (typed | null)", async () => {
      await using s = new AsyncSession(engine)
      const rows = (
        await s.execute(
          select(AtUser.c.name, atValues)
            .selectFrom(AtUser)
            .outerJoin(atValues, atValues.c.n.eq(AtUser.id))
            .where(AtUser.id.eq(writer)),
        )
      ).all()
      const value = rows[0]![1]
      // runtime today: { id: null, n: null, ... } although `id` is typed number
      expect(value).toBeNull()
      expectTypeOf(value).toEqualTypeOf<typeof atValues.$inferSelect | null>()
    })

    it("types the left side of a FULL JOIN as nullable too", async () => {
      await using s = new AsyncSession(engine)
      // FULL JOIN of posts with users: the lonely user has no post, so its post columns are NULL.
      const rows = (
        await s.execute(select(AtPost.title, AtUser.c.name).fullJoin(AtUser, AtPost.userId.eq(AtUser.id)))
      ).all()
      const titles = rows.map((row) => row[0])
      expect(titles).toContain(null)
      expectTypeOf(titles).toEqualTypeOf<(string | null)[]>()
    })
  })
}
