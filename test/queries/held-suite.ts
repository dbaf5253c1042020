// What held under attack, on both databases: kept as regression tests (they pass today). Run from
// shape-and-count.test.ts, after its own suite: both use the aq_* tables, which one file at a time may own.
import { describe, expect, it } from "vitest"
import {
  AsyncSession,
  aliased,
  and,
  exists,
  func,
  insert,
  joinedload,
  not,
  ReadSession,
  select,
  selectinload,
} from "../../src/index.ts"
import type { TransportFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"
import { seed } from "./fixture.ts"
import { AqDoc, AqNode, AqPost, AqTag, AqUser, registry } from "./models.ts"

export function heldSuite(fixture: TransportFixture): void {
  describe(`query attacks that held on ${fixture.name}`, () => {
    const engine = fixture.engine(`aq-held-${fixture.name}-${Date.now().toString(36)}`)
    freshSchema(engine, registry.metadata)
    const sqlite = fixture.dialect === "sqlite"

    it("seeds", async () => {
      await seed(engine)
      await using s = new AsyncSession(engine)
      await s.execute(
        insert(AqNode).values([
          { id: 1, label: "root", parentId: null },
          { id: 2, label: "a", parentId: 1 },
          { id: 3, label: "b", parentId: 1 },
          { id: 4, label: "a1", parentId: 2 },
          { id: 5, label: "a2", parentId: 2 },
          { id: 6, label: "b1", parentId: 3 },
        ]),
      )
      await s.execute(
        insert(AqDoc).values([
          {
            id: 1,
            ownerId: 1,
            body: { a: [1, "x"], s: "1.0" },
            at: new Date("1969-12-31T23:59:59.999Z"),
            amount: "1234.125",
            flag: true,
          },
          {
            id: 2,
            ownerId: 1,
            body: "just text",
            at: new Date("2024-02-29T12:00:00.001Z"),
            amount: "-0.000001",
            flag: false,
          },
          { id: 3, ownerId: null, body: null, at: null, amount: null, flag: null },
        ]),
      )
      await s.commit()
    })

    it("joinedload of a collection with LIMIT/OFFSET: every parent, whole collections", async () => {
      await using s = new ReadSession(engine)
      const users = (
        await s.scalars(
          select(AqUser).options(joinedload(AqUser.posts)).orderBy(AqUser.id).limit(2).offset(1),
        )
      ).all()
      expect(users.map((u) => [u.id, u.posts.map((p) => p.id).sort()])).toEqual([
        [2, [20, 21]],
        [3, [30]],
      ])
    })

    it("a join keeps duplicate parent rows (as SQLAlchemy's plain select), DISTINCT removes them, loads are whole", async () => {
      await using s = new ReadSession(engine)
      const joined = select(AqUser).join(AqUser.posts).orderBy(AqUser.id)
      expect((await s.scalars(joined)).all().map((u) => u.id)).toEqual([1, 1, 1, 2, 2, 3])
      const distinct = (await s.scalars(joined.distinct().options(selectinload(AqUser.posts)))).all()
      expect(distinct.map((u) => [u.id, u.posts.length])).toEqual([
        [1, 3],
        [2, 2],
        [3, 1],
      ])
    })

    it("ORDER BY a related column with a LIMIT: the same rows with loads as without", async () => {
      await using s = new ReadSession(engine)
      const q = select(AqUser)
        .join(AqUser.posts)
        .where(AqPost.score.isNotNull())
        .orderBy(AqPost.score.desc(), AqPost.id)
        .limit(3)
      const plain = (await s.scalars(q)).all().map((u) => u.id)
      const loaded = (await s.scalars(q.options(selectinload(AqUser.posts)))).all().map((u) => u.id)
      expect(plain).toEqual([1, 2, 2])
      expect(loaded).toEqual(plain)
    })

    it("GROUP BY with an aggregate beside the entity, and a subquery joined in, with loads", async () => {
      await using s = new ReadSession(engine)
      const grouped = (
        await s.execute(
          select(AqUser, func.count(AqPost.id).label("n"))
            .join(AqUser.posts)
            .groupBy(AqUser.id, AqUser.c.name, AqUser.age)
            .orderBy(AqUser.id)
            .options(selectinload(AqUser.posts)),
        )
      ).all()
      expect(grouped.map(([u, n]) => [u.id, Number(n), u.posts.length])).toEqual([
        [1, 3, 3],
        [2, 2, 2],
        [3, 1, 1],
      ])
      const cnt = select(AqPost.userId, func.count().label("n")).groupBy(AqPost.userId).subquery("aq_cnt")
      const rows = (
        await s.execute(
          select(AqUser, cnt.c.n)
            .join(cnt, cnt.c.userId.eq(AqUser.id))
            .orderBy(cnt.c.n.desc(), AqUser.id)
            .limit(2)
            .options(selectinload(AqUser.posts)),
        )
      ).all()
      expect(rows.map(([u, n]) => [u.id, Number(n), u.posts.length])).toEqual([
        [1, 3, 3],
        [2, 2, 2],
      ])
    })

    it("identity: an entity and its own column, the same model twice, two aliases of one row", async () => {
      await using s = new ReadSession(engine)
      const own = (await s.execute(select(AqUser, AqUser.c.name).where(AqUser.id.eq(1)))).one()
      expect([own[0].id, own[1]]).toEqual([1, "ada"])
      const [twice] = (await s.execute(select(AqUser, AqUser).where(AqUser.id.eq(1)))).all()
      expect(twice?.[0]).toBe(twice?.[1])
      const a = aliased(AqUser, "aq_a")
      const b = aliased(AqUser, "aq_b")
      const pairs = (await s.execute(select(a, b).where(a.id.eq(b.id)))).all()
      expect(pairs.every(([x, y]) => x === y)).toBe(true)
      expect(pairs[0]?.[0]).toBe(await s.get(AqUser, pairs[0]?.[0].id))
    })

    it("populateExisting overwrites an object's unflushed change; without it the change is kept", async () => {
      await using s = new ReadSession(engine)
      const u = (await s.get(AqUser, 1))!
      u.age = 99
      await s.scalars(select(AqUser).where(AqUser.id.eq(1)))
      expect(u.age).toBe(99)
      const again = (await s.scalars(select(AqUser).where(AqUser.id.eq(1)), { populateExisting: true })).one()
      expect(again).toBe(u)
      expect(u.age).toBe(36)
    })

    it("IN / NOT IN: empty lists, NULLs (three-valued logic), subqueries with NULLs", async () => {
      await using s = new ReadSession(engine)
      const ids = async (q: ReturnType<typeof select<[typeof AqUser.id]>>) =>
        (await s.scalars(q.orderBy(AqUser.id))).all()
      expect(await ids(select(AqUser.id).where(AqUser.age.in([])))).toEqual([])
      expect(await ids(select(AqUser.id).where(AqUser.age.notIn([])))).toEqual([1, 2, 3, 4])
      expect(await ids(select(AqUser.id).where(not(AqUser.age.in([]))))).toEqual([1, 2, 3, 4])
      expect(await ids(select(AqUser.id).where(AqUser.age.notIn([36, null])))).toEqual([])
      expect(await ids(select(AqUser.id).where(AqUser.id.notIn(select(AqPost.userId))))).toEqual([])
      expect(await ids(select(AqUser.id).where(AqUser.age.in([36, null])))).toEqual([1])
    })

    it("any / has / contains / exists, nested and negated", async () => {
      await using s = new ReadSession(engine)
      const nested = select(AqUser.id).where(
        AqUser.posts.any(and(AqPost.score.gt(2), AqPost.tags.any(AqTag.c.name.eq("x")))),
      )
      expect((await s.scalars(nested)).all()).toEqual([1])
      expect((await s.scalars(select(AqUser.id).where(not(AqUser.posts.any())))).all()).toEqual([4])
      expect(
        (
          await s.scalars(select(AqPost.id).where(AqPost.author.has(AqUser.age.isNull())).orderBy(AqPost.id))
        ).all(),
      ).toEqual([20, 21])
      expect((await s.scalars(select(AqPost.id).where(not(AqPost.author.has())))).all()).toEqual([99])
      expect(
        (await s.scalars(select(AqPost.id).where(not(AqPost.tags.any())).orderBy(AqPost.id))).all(),
      ).toEqual([12, 21, 30, 99])
      const x = (await s.get(AqTag, 1))!
      expect(
        (await s.scalars(select(AqPost.id).where(AqPost.tags.contains(x)).orderBy(AqPost.id))).all(),
      ).toEqual([10, 11])
      const flagged = (
        await s.execute(
          select(AqUser, exists(select(AqPost.id).where(AqPost.userId.eq(AqUser.id))).label("has"))
            .orderBy(AqUser.id)
            .options(selectinload(AqUser.posts)),
        )
      ).all()
      expect(flagged.map(([u, h]) => [u.id, h, u.posts.length])).toEqual([
        [1, true, 3],
        [2, true, 2],
        [3, true, 1],
        [4, false, 0],
      ])
    })

    it("count over a LIMIT subquery; paginate with joins, DISTINCT, GROUP BY, past the end, bad sizes", async () => {
      await using s = new ReadSession(engine)
      expect(
        Number(await s.scalar(select(func.count()).selectFrom(select(AqPost).limit(3).subquery("aq_l")))),
      ).toBe(3)
      const joined = await s.paginate(select(AqUser).join(AqUser.posts).orderBy(AqUser.id), {
        page: 1,
        pageSize: 2,
      })
      expect([joined.total, joined.items.map((u) => u.id)]).toEqual([6, [1, 1]])
      const distinct = await s.paginate(select(AqUser).join(AqUser.posts).distinct().orderBy(AqUser.id), {
        page: 2,
        pageSize: 2,
      })
      expect([distinct.total, distinct.items.map((u) => u.id)]).toEqual([3, [3]])
      const grouped = await s.paginate(
        select(AqUser.c.name, func.count(AqPost.id))
          .join(AqUser.posts)
          .groupBy(AqUser.c.name)
          .orderBy(AqUser.c.name),
        { page: 1, pageSize: 2 },
      )
      expect([grouped.total, grouped.items.map(([n, c]) => [n, Number(c)])]).toEqual([
        3,
        [
          ["ada", 3],
          ["bob", 2],
        ],
      ])
      const past = await s.paginate(select(AqUser).orderBy(AqUser.id), { page: 9, pageSize: 2 })
      expect([past.total, past.items]).toEqual([4, []])
      for (const bad of [
        { page: 0, pageSize: 2 },
        { page: 1, pageSize: 0 },
        { page: 1.5, pageSize: 2 },
        { page: 1, pageSize: -1 },
      ]) {
        await expect(s.paginate(select(AqUser), bad)).rejects.toThrow(/must be a whole number from 1/)
      }
    })

    it("NULL ordering follows each database's default unless NULLS FIRST/LAST is given, with loads as without", async () => {
      await using s = new ReadSession(engine)
      const asc = select(AqUser).orderBy(AqUser.age, AqUser.id)
      const plain = (await s.scalars(asc)).all().map((u) => u.id)
      expect(plain).toEqual(sqlite ? [2, 4, 3, 1] : [3, 1, 2, 4])
      expect((await s.scalars(asc.options(selectinload(AqUser.posts)))).all().map((u) => u.id)).toEqual(plain)
      const last = select(AqUser)
        .orderBy(AqUser.age.asc().nullsLast(), AqUser.id)
        .options(selectinload(AqUser.posts))
      expect((await s.scalars(last)).all().map((u) => u.id)).toEqual([3, 1, 2, 4])
    })

    it("self-referential trees: two selectin levels, joined parents through an alias and a chain", async () => {
      await using s = new ReadSession(engine)
      const roots = (
        await s.scalars(
          select(AqNode)
            .where(AqNode.parentId.isNull())
            .options(selectinload(AqNode.children).selectinload(AqNode.children)),
        )
      ).all()
      expect(
        roots.map((n) => [n.id, n.children.map((c) => [c.id, c.children.map((g) => g.id).sort()]).sort()]),
      ).toEqual([
        [
          1,
          [
            [2, [4, 5]],
            [3, [6]],
          ],
        ],
      ])
      const p = aliased(AqNode, "aq_p")
      const under = (
        await s.scalars(
          select(AqNode)
            .join(p, AqNode.parentId.eq(p.id))
            .where(p.label.eq("a"))
            .orderBy(AqNode.id)
            .options(joinedload(AqNode.parent)),
        )
      ).all()
      expect(under.map((n) => [n.id, n.parent?.id])).toEqual([
        [4, 2],
        [5, 2],
      ])
      const chain = (
        await s.scalars(
          select(AqNode).where(AqNode.id.eq(4)).options(joinedload(AqNode.parent).joinedload(AqNode.parent)),
        )
      ).one()
      expect([chain.parent?.id, chain.parent?.parent?.id]).toEqual([2, 1])
    })

    it("values read through a load's JSON equal the plain query's (Json, DateTime before 1970, Numeric, Boolean)", async () => {
      await using a = new ReadSession(engine)
      await using b = new ReadSession(engine)
      const plain = (await a.scalars(select(AqDoc).orderBy(AqDoc.id))).all().map((d) => d.toJSON())
      const loaded = (await b.scalars(select(AqDoc).orderBy(AqDoc.id).options(selectinload(AqDoc.owner))))
        .all()
        .map((d) => d.toJSON())
      expect(loaded).toEqual(plain)
    })

    it("a UNION read through aliased(Model, union.subquery()) gives objects, with loads", async () => {
      await using s = new ReadSession(engine)
      const u = select(AqUser)
        .where(AqUser.id.eq(1))
        .union(select(AqUser).where(AqUser.id.eq(2)))
        .subquery("aq_uu")
      const a = aliased(AqUser, u)
      const users = (await s.scalars(select(a).orderBy(a.id).options(selectinload(AqUser.posts)))).all()
      expect(users.map((x) => [x instanceof AqUser, x.id, x.posts.length])).toEqual([
        [true, 1, 3],
        [true, 2, 2],
      ])
    })
  })
}
