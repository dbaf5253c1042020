// `select(...).subquery()` without a name, and `aliased(Model, someCte)`, crashed inside the compiler
// ("Cannot read properties of undefined (reading 'includes')", "name.includes is not a function") and
// TypeScript refused both. SQLAlchemy allows both: an unnamed subquery or CTE is named anon_<n>, and
// aliased(Model, cte) maps the model onto the CTE. Here they run, with their neighbours: subqueries in
// joins, two unnamed ones in one statement, a CTE read twice, aliased entities in where and orderBy, and
// unions of aliased selects.
import { describe, expect, expectTypeOf, it } from "vitest"
import ws from "ws"
import { AsyncSession, aliased, func, InvalidRequestError, insert, select } from "../../src/index.ts"
import { libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"
import { r5Models } from "../review-day5-reads/models.ts"

const { R5Post, R5User, registry } = r5Models("r7o_anon")

for (const fixture of [neonFixture("http", ws), libsqlHttpFixture()]) {
  describe(`unnamed subqueries and CTEs on ${fixture.name}`, () => {
    const engine = fixture.engine(`r7o-anon-${fixture.name}-${Date.now().toString(36)}`)
    freshSchema(engine, registry.metadata)

    it("seeds", async () => {
      await using session = new AsyncSession(engine)
      await session.execute(
        insert(R5User).values([
          { id: 1, name: "ada", managerId: null },
          { id: 2, name: "bob", managerId: 1 },
          { id: 3, name: "cy", managerId: 1 },
        ]),
      )
      await session.execute(
        insert(R5Post).values([
          { id: 10, title: "a1", userId: 1 },
          { id: 11, title: "b1", userId: 2 },
          { id: 12, title: "c1", userId: 3 },
        ]),
      )
      await session.commit()
    })

    it("an unnamed subquery is named anon_<n>, selected from and joined to", async () => {
      await using session = new AsyncSession(engine)
      const others = select(R5User).where(R5User.id.gt(1)).subquery()
      expect(others.name).toMatch(/^anon_\d+$/)
      // The entity's columns are typed in .c, as they are there at run time.
      expectTypeOf(others.c.name.valueType).toEqualTypeOf<string>()
      const count = await session.scalar(select(func.count()).selectFrom(others))
      expect(Number(count)).toBe(2)
      const rows = await session.execute(
        select(R5Post.title, others.c.name).join(others, R5Post.userId.eq(others.c.id)).orderBy(R5Post.id),
      )
      expect(rows.all().map((row) => [...row])).toEqual([
        ["b1", "bob"],
        ["c1", "cy"],
      ])
    })

    it("two unnamed subqueries in one statement have names of their own", async () => {
      await using session = new AsyncSession(engine)
      const left = select(R5User.id).where(R5User.id.le(2)).subquery()
      const right = select(R5User.id).where(R5User.id.ge(2)).subquery()
      expect(left.name).not.toBe(right.name)
      const ids = await session.scalars(select(left.c.id).where(left.c.id.eq(right.c.id)))
      expect(ids.all()).toEqual([2])
    })

    it("an unnamed CTE, read twice", async () => {
      await using session = new AsyncSession(engine)
      const managers = select(R5User.managerId).where(R5User.managerId.isNotNull()).cte()
      expect(managers.name).toMatch(/^anon_\d+$/)
      const ids = await session.scalars(
        select(R5User.id)
          .where(R5User.id.in(select(managers.c.managerId)), R5User.id.in(select(managers.c.managerId)))
          .orderBy(R5User.id),
      )
      expect(ids.all()).toEqual([1])
    })

    it("aliased(Model, cte) maps the model onto the CTE, in where, orderBy and a join", async () => {
      await using session = new AsyncSession(engine)
      const others = select(R5User).where(R5User.id.gt(1)).cte("r7o_others")
      const other = aliased(R5User, others)
      const users = await session.scalars(select(other).where(other.name.ne("zz")).orderBy(other.name.desc()))
      const all = users.all()
      expect(all.map((user) => user.name)).toEqual(["cy", "bob"])
      // Objects of the model, through the identity map.
      expect(all[0]).toBeInstanceOf(R5User)
      expect(all[0]).toBe(await session.get(R5User, 3))
      const pairs = await session.execute(
        select(R5Post, other).join(other, R5Post.userId.eq(other.id)).orderBy(other.id),
      )
      expect(pairs.all().map(([post, user]) => [post.title, user.name])).toEqual([
        ["b1", "bob"],
        ["c1", "cy"],
      ])
      // An unnamed CTE too.
      const unnamed = aliased(R5User, select(R5User).where(R5User.id.eq(1)).cte())
      expect((await session.scalars(select(unnamed))).all().map((user) => user.name)).toEqual(["ada"])
    })

    it("a union of aliased selects, read through aliased(Model, union.subquery())", async () => {
      await using session = new AsyncSession(engine)
      const first = aliased(R5User)
      const second = aliased(R5User)
      const union = select(first)
        .where(first.id.eq(1))
        .union(select(second).where(second.id.eq(3)))
      const both = aliased(R5User, union.subquery())
      const names = await session.scalars(select(both).orderBy(both.id))
      expect(names.all().map((user) => user.name)).toEqual(["ada", "cy"])
    })

    it("aliased(Model, something else) is refused naming what it takes", () => {
      expect(() => aliased(R5User, 42 as never)).toThrow(InvalidRequestError)
      expect(() => aliased(R5User, 42 as never)).toThrow(/takes a name, a subquery or a CTE/)
    })
  })
}
