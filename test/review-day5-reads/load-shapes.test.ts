// What held: loader options under the classic traps (a join and WHERE on the related table, a joined
// collection with LIMIT, NULL foreign keys, three self-referential levels and a joined chain, zero rows
// through every result method and paginate, DISTINCT with ORDER BY and LIMIT, two entities, an aliased
// self-join, GROUP BY with an aggregate, OFFSET alone, a many-to-one shared by many rows).
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import ws from "ws"
import {
  AsyncSession,
  aliased,
  func,
  insert,
  joinedload,
  NoResultFound,
  ReadSession,
  select,
  selectinload,
} from "../../src/index.ts"
import { libsqlEmbedded } from "../../src/libsql-node.ts"
import { libsqlEmbeddedFixture, libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"
import { scratchDir } from "../setup/scratch.ts"
import { r5Models } from "./models.ts"

const { R5Post, R5Tag, R5User, r5Links, registry } = r5Models("r5r_ps")

for (const fixture of [
  neonFixture("http", ws),
  libsqlHttpFixture(),
  libsqlEmbeddedFixture(libsqlEmbedded(), join(scratchDir("r5r-shape"), "x.db")),
]) {
  describe(`loads under query shapes on ${fixture.name}`, () => {
    const engine = fixture.engine(`r5r-shapes-${fixture.name}-${Date.now().toString(36)}`)
    freshSchema(engine, registry.metadata)
    const out: unknown[] = []
    const check = async (name: string, f: () => Promise<void>) => {
      try {
        await f()
      } catch (e) {
        out.push(`${name}: ${(e as Error).message.slice(0, 600)}`)
      }
    }

    it("loads whole collections and the right parents whatever the query's joins, filters, windows, groups and aliases", async () => {
      {
        await using s = new AsyncSession(engine)
        await s.execute(
          insert(R5User).values([
            { id: 1, name: "boss", managerId: null },
            { id: 2, name: "ann", managerId: 1 },
            { id: 3, name: "bob", managerId: 1 },
            { id: 4, name: "cat", managerId: 2 },
            { id: 5, name: "dan", managerId: 4 },
          ]),
        )
        await s.execute(
          insert(R5Post).values([
            { id: 1, title: "a", userId: 2 },
            { id: 2, title: "b", userId: 2 },
            { id: 3, title: "c", userId: 3 },
            { id: 4, title: "orphan", userId: null },
          ]),
        )
        await s.execute(
          insert(R5Tag).values([
            { id: 1, name: "x" },
            { id: 2, name: "y" },
          ]),
        )
        await s.execute(
          insert(r5Links).values([
            { id: 1, postId: 1, tagId: 1 },
            { id: 2, postId: 1, tagId: 1 },
            { id: 3, postId: 1, tagId: 2 },
            { id: 4, postId: 2, tagId: 2 },
          ]),
        )
        await s.commit()
      }
      await check("join+where keeps full collection", async () => {
        await using s = new ReadSession(engine)
        const users = (
          await s.scalars(
            select(R5User).join(R5User.posts).where(R5Post.title.eq("a")).options(selectinload(R5User.posts)),
          )
        ).all()
        expect(users.map((u) => [u.id, u.posts.map((p) => p.id).sort()])).toEqual([[2, [1, 2]]])
      })
      await check("joinedload collection + where on related + limit", async () => {
        await using s = new ReadSession(engine)
        const users = (
          await s.scalars(
            select(R5User)
              .join(R5User.posts)
              .where(R5Post.title.eq("b"))
              .orderBy(R5User.id)
              .limit(1)
              .options(joinedload(R5User.posts)),
          )
        ).all()
        expect(users.map((u) => [u.id, u.posts.map((p) => p.id).sort()])).toEqual([[2, [1, 2]]])
      })
      await check("null fk joinedload/selectin", async () => {
        await using s = new ReadSession(engine)
        const [p] = (
          await s.scalars(select(R5Post).where(R5Post.id.eq(4)).options(joinedload(R5Post.author)))
        ).all()
        expect(p!.author).toBeNull()
        await using s2 = new ReadSession(engine)
        const [q] = (
          await s2.scalars(select(R5Post).where(R5Post.id.eq(4)).options(selectinload(R5Post.author)))
        ).all()
        expect(q!.author).toBeNull()
      })
      await check("self-ref three levels + joined chain", async () => {
        await using s = new ReadSession(engine)
        const [boss] = (
          await s.scalars(
            select(R5User)
              .where(R5User.id.eq(1))
              .options(
                selectinload(R5User.reports).selectinload(R5User.reports).selectinload(R5User.reports),
              ),
          )
        ).all()
        expect(
          boss!.reports.map((r) => [r.id, r.reports.map((x) => [x.id, x.reports.map((y) => y.id)])]).sort(),
        ).toEqual([
          [2, [[4, [5]]]],
          [3, []],
        ])
        const [dan] = (
          await s.scalars(
            select(R5User)
              .where(R5User.id.eq(5))
              .options(joinedload(R5User.manager).joinedload(R5User.manager).joinedload(R5User.manager)),
          )
        ).all()
        expect(dan!.manager?.manager?.manager?.id).toBe(1)
        expect(dan!.manager?.manager?.manager).toBe(boss)
      })
      await check("self-ref joinedload manager and selectin reports same query", async () => {
        await using s = new ReadSession(engine)
        const users = (
          await s.scalars(
            select(R5User)
              .orderBy(R5User.id)
              .options(joinedload(R5User.manager), selectinload(R5User.reports)),
          )
        ).all()
        expect(users.map((u) => [u.id, u.manager?.id ?? null, u.reports.map((r) => r.id).sort()])).toEqual([
          [1, null, [2, 3]],
          [2, 1, [4]],
          [3, 1, []],
          [4, 2, [5]],
          [5, 4, []],
        ])
        expect(users[1]!.manager).toBe(users[0])
      })
      await check("zero rows", async () => {
        await using s = new ReadSession(engine)
        const q = select(R5User)
          .where(R5User.id.eq(99))
          .options(selectinload(R5User.posts), joinedload(R5User.manager))
        const r = await s.scalars(q)
        expect(r.all()).toEqual([])
        expect(r.first()).toBeUndefined()
        expect(r.oneOrNone()).toBeNull()
        expect(() => r.one()).toThrow(NoResultFound)
        expect(await s.scalar(q)).toBeUndefined()
        const page = await s.paginate(q, { page: 1, pageSize: 3 })
        expect(page.items).toEqual([])
        expect(page.total).toBe(0)
        const emptyIn = (
          await s.scalars(select(R5User).where(R5User.id.in([])).options(selectinload(R5User.posts)))
        ).all()
        expect(emptyIn).toEqual([])
      })
      await check("distinct+order+limit with loads", async () => {
        await using s = new ReadSession(engine)
        const q = select(R5User).join(R5User.posts).distinct().orderBy(R5User.c.name.desc()).limit(1)
        const plain = (await s.scalars(q)).all().map((u) => u.id)
        await using s2 = new ReadSession(engine)
        const loaded = (
          await s2.scalars(q.options(selectinload(R5User.posts), joinedload(R5User.manager)))
        ).all()
        expect(loaded.map((u) => u.id)).toEqual(plain)
        expect(loaded.map((u) => [u.posts.length, u.manager?.id])).toEqual([[1, 1]])
      })
      await check("two entities joined, loads of each", async () => {
        await using s = new ReadSession(engine)
        const rows = (
          await s.execute(
            select(R5User, R5Post)
              .join(R5User.posts)
              .orderBy(R5Post.id)
              .options(selectinload(R5User.posts), selectinload(R5Post.tags), joinedload(R5User.manager)),
          )
        ).all()
        expect(rows.map(([u, p]) => [u.id, p.id, u.posts.length, p.tags.length, u.manager?.id])).toEqual([
          [2, 1, 2, 2, 1],
          [2, 2, 2, 1, 1],
          [3, 3, 1, 0, 1],
        ])
      })
      await check("aliased self join with loads", async () => {
        await using s = new ReadSession(engine)
        const boss = aliased(R5User, "r5r_boss")
        const rows = (
          await s.execute(
            select(R5User, boss)
              .join(boss, R5User.managerId.eq(boss.id))
              .where(boss.id.eq(1))
              .orderBy(R5User.id)
              .options(selectinload(R5User.posts)),
          )
        ).all()
        expect(rows.map(([u, b]) => [u.id, b.id, u.posts.length])).toEqual([
          [2, 1, 2],
          [3, 1, 1],
        ])
        expect(rows[0]![1]).toBe(rows[1]![1])
      })
      await check("group by entity with count and loads", async () => {
        await using s = new ReadSession(engine)
        const rows = (
          await s.execute(
            select(R5User, func.count(R5Post.id).label("n"))
              .outerJoin(R5User.posts)
              .groupBy(R5User.id, R5User.c.name, R5User.managerId)
              .orderBy(func.count(R5Post.id).desc(), R5User.id)
              .limit(3)
              .options(selectinload(R5User.posts), joinedload(R5User.manager)),
          )
        ).all()
        expect(rows.map(([u, n]) => [u.id, n, u.posts.length, u.manager?.id ?? null])).toEqual([
          [2, 2, 2, 1],
          [3, 1, 1, 1],
          [1, 0, 0, null],
        ])
      })
      await check("offset without limit", async () => {
        await using s = new ReadSession(engine)
        const users = (
          await s.scalars(select(R5User).orderBy(R5User.id).offset(3).options(selectinload(R5User.reports)))
        ).all()
        expect(users.map((u) => [u.id, u.reports.length])).toEqual([
          [4, 1],
          [5, 0],
        ])
      })
      await check("selectin of a many-to-one from many rows with same parent", async () => {
        await using s = new ReadSession(engine)
        const posts = (
          await s.scalars(
            select(R5Post).orderBy(R5Post.id).options(selectinload(R5Post.author).selectinload(R5User.posts)),
          )
        ).all()
        expect(posts.map((p) => [p.id, p.author?.id ?? null, p.author?.posts.length ?? null])).toEqual([
          [1, 2, 2],
          [2, 2, 2],
          [3, 3, 1],
          [4, null, null],
        ])
        expect(posts[0]!.author!.posts).toContain(posts[0])
      })
      expect(out).toEqual([])
    })
  })
}
