// A review of the query-result fixes, on both databases (tables rq_*): aliased() over subqueries of
// several entities, a UNION ordered by its columns, labels beside renamed columns, paginate() windows.

import { describe, expect, it } from "vitest"
import ws from "ws"
import {
  AsyncSession,
  aliased,
  bindparam,
  check,
  column,
  deleteFrom,
  type Engine,
  func,
  Integer,
  insert,
  joinedload,
  listen,
  literal,
  literalColumn,
  MetaData,
  ReadSession,
  String as Str,
  select,
  selectinload,
  table,
  text,
} from "../../src/index.ts"
import { compareSchemas, introspect, schemaOfMetadata } from "../../src/migrate.ts"
import { libsqlHttpFixture, neonFixture, type TransportFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"
import { RqPost, RqUser, registry, rqPairs } from "./review-models.ts"

const fixtures: TransportFixture[] = [neonFixture("http", ws), libsqlHttpFixture()]

async function seed(engine: Engine): Promise<void> {
  await using s = new AsyncSession(engine)
  await s.execute(deleteFrom(rqPairs))
  await s.execute(deleteFrom(RqPost), { synchronizeSession: false })
  await s.execute(deleteFrom(RqUser), { synchronizeSession: false })
  await s.execute(
    insert(RqUser).values([
      { id: 1, name: "ada", bio: "b1" },
      { id: 2, name: "bob", bio: null },
      { id: 3, name: "cy", bio: "b3" },
    ]),
  )
  // users' ids ascend while their posts' ids descend: ordering by one is not ordering by the other
  await s.execute(
    insert(RqPost).values([
      { id: 30, title: "a1", score: 1, userId: 1 },
      { id: 20, title: "b1", score: 2, userId: 2 },
      { id: 10, title: "c1", score: 3, userId: 3 },
    ]),
  )
  await s.commit()
}

for (const fixture of fixtures) {
  describe(`review queries on ${fixture.name}`, () => {
    const engine = fixture.engine(`rq-${fixture.name}-${Date.now().toString(36)}`)
    freshSchema(engine, registry.metadata)

    it("seeds", async () => {
      await seed(engine)
    })

    it("UNION of (User.id, Post.id) ordered by Post.id orders by the posts' ids", async () => {
      await using session = new ReadSession(engine)
      const q = (cond: number) => select(RqUser.id, RqPost.id).join(RqUser.posts).where(RqUser.id.eq(cond))
      const u = q(1).union(q(2), q(3)).orderBy(RqPost.id)
      const rows = (await session.execute(u)).all()
      expect(rows.map((r) => Number(r[1]))).toEqual([10, 20, 30])
    })

    it("UNION of ORM (User, Post) ordered by Post.id orders by the posts' ids", async () => {
      await using session = new ReadSession(engine)
      const q = (cond: number) => select(RqUser, RqPost).join(RqUser.posts).where(RqUser.id.eq(cond))
      const u = q(1).union(q(2), q(3)).orderBy(RqPost.id)
      const rows = (await session.execute(u)).all()
      expect(rows.map(([, p]) => p.id)).toEqual([10, 20, 30])
    })

    it("aliased(Post) over a subquery of an aliased(Post, subquery) entity", async () => {
      await using session = new ReadSession(engine)
      const sq = select(RqUser, RqPost).join(RqUser.posts).subquery("rq_up")
      const p = aliased(RqPost, sq)
      const sq2 = select(p).where(p.score.gt(1)).subquery("rq_up2")
      const p2 = aliased(RqPost, sq2)
      const rows = (await session.scalars(select(p2).orderBy(p2.id))).all()
      expect(rows.map((x) => x.id)).toEqual([10, 20])
    })

    it("select(aliasedPost.id) over a subquery of (User, Post) is keyed id, as the attribute", async () => {
      await using session = new ReadSession(engine)
      const sq = select(RqUser, RqPost).join(RqUser.posts).subquery("rq_up3")
      const p = aliased(RqPost, sq)
      const result = await session.execute(select(p.id, p.title).orderBy(p.id))
      expect(result.keys).toEqual(["id", "title"])
      expect(result.mappings()[0]).toEqual({ id: 10, title: "c1" })
    })

    it("INSERT ... FROM SELECT of two tables' ids", async () => {
      await using session = new AsyncSession(engine)
      await session.execute(
        insert(rqPairs).fromSelect(["a", "b"], select(RqPost.id, RqUser.id).join(RqPost.author)),
      )
      const rows = (await session.execute(select(rqPairs.c.a, rqPairs.c.b).orderBy(rqPairs.c.a))).all()
      expect(rows).toEqual([
        [10, 3],
        [20, 2],
        [30, 1],
      ])
      await session.rollback()
    })

    it("a subquery of two ids and a label named id_1 keeps three columns", async () => {
      await using session = new ReadSession(engine)
      const sq = select(RqUser.id, RqPost.id, literal(7).label("id_1"))
        .join(RqUser.posts)
        .where(RqUser.id.eq(1))
        .subquery("rq_lab")
      const [row] = (await session.execute(select(sq as never))).all()
      // the label's 7 is somewhere in the row (PostgreSQL: "id_1" is ambiguous; SQLite: 7 is lost)
      expect(JSON.stringify(row)).toContain("7")
    })

    it("paginate() of a query whose OFFSET or LIMIT is a bindparam is refused, naming why", async () => {
      await using session = new ReadSession(engine)
      for (const q of [
        select(RqUser).orderBy(RqUser.id).offset(bindparam("skip", Integer)),
        select(RqUser).orderBy(RqUser.id).limit(bindparam("n", Integer)),
      ]) {
        await expect(session.paginate(q, { page: 1, pageSize: 2, params: [1] })).rejects.toThrow(
          /paginate\(\) needs numbers in LIMIT and OFFSET/,
        )
      }
    })

    it("paginate() within a LIMIT with selectinload", async () => {
      await using session = new ReadSession(engine)
      const q = select(RqUser).orderBy(RqUser.id).limit(2).options(selectinload(RqUser.posts))
      const page = await session.paginate(q, { page: 1, pageSize: 1 })
      expect(page.items.map((u) => [u.id, u.posts.map((p) => p.id)])).toEqual([[1, [30]]])
      expect(page.total).toBe(2)
      const page3 = await session.paginate(q, { page: 3, pageSize: 1 })
      expect(page3.items).toEqual([])
      expect(page3.total).toBe(2)
    })

    it("UNION of (User.id, Post.id) ordered by User.id (SQLite: failed before the commits too)", async () => {
      await using session = new ReadSession(engine)
      const q = (cond: number) => select(RqUser.id, RqPost.id).join(RqUser.posts).where(RqUser.id.eq(cond))
      const u = q(3).union(q(2), q(1)).orderBy(RqUser.id)
      const rows = (await session.execute(u)).all()
      expect(rows.map((r) => Number(r[0]))).toEqual([1, 2, 3])
    })

    it("joinedload + selectinload on a query selecting Post and its author's columns, with a LIMIT", async () => {
      await using session = new ReadSession(engine)
      const q = select(RqPost, RqUser.id, RqUser.c.name)
        .join(RqPost.author)
        .orderBy(RqPost.id)
        .limit(2)
        .options(joinedload(RqPost.author).selectinload(RqUser.posts))
      const result = await session.execute(q)
      const rows = result.all()
      expect(rows.map(([p, uid, name]) => [p.id, uid, name, p.author?.id, p.author?.posts.length])).toEqual([
        [10, 3, "cy", 3, 1],
        [20, 2, "bob", 2, 1],
      ])
      expect(result.keys).toEqual(["RqPost", "id", "name"])
    })

    it("selectinload on a query reading the user's own CTE", async () => {
      await using session = new ReadSession(engine)
      const c = select(RqPost.userId).where(RqPost.score.ge(2)).cte("rq_c")
      const q = select(RqUser)
        .where(RqUser.id.in(select(c.c.userId)))
        .orderBy(RqUser.id)
        .options(selectinload(RqUser.posts))
      const users = (await session.scalars(q)).all()
      expect(users.map((u) => [u.id, u.posts.map((p) => p.id)])).toEqual([
        [2, [20]],
        [3, [10]],
      ])
    })

    it("selectinload on a FOR UPDATE query in a transaction", async () => {
      if (fixture.name.startsWith("libsql")) return
      await using session = new AsyncSession(engine)
      const users = (
        await session.scalars(
          select(RqUser).where(RqUser.id.eq(1)).forUpdate().options(selectinload(RqUser.posts)),
        )
      ).all()
      expect(users.map((u) => u.posts.length)).toEqual([1])
      await session.rollback()
    })

    it("SQLite ilike / notIlike / notLike with a literal %", async () => {
      await using session = new ReadSession(engine)
      const t = (e: ReturnType<typeof RqPost.title.like>) =>
        session.scalars(select(RqPost.id).where(e).orderBy(RqPost.id)).then((r) => r.all())
      expect(await t(RqPost.title.ilike("A%"))).toEqual([30])
      expect(await t(RqPost.title.notIlike("A%"))).toEqual([10, 20])
      expect(await t(RqPost.title.notLike("a\\%"))).toEqual([10, 20, 30])
      expect(await t(RqPost.title.like(literal("a").concat("%")))).toEqual([30])
    })

    it("a new object's unset columns: nullable null, server default left to the database", async () => {
      const seen: unknown[] = []
      const off = listen(RqUser, "beforeInsert", (target) => {
        seen.push([target.bio, target.nick])
      })
      try {
        await using session = new AsyncSession(engine)
        const u = new RqUser({ id: 50, name: "new" })
        expect([u.bio, u.nick]).toEqual([null, undefined])
        expect(JSON.parse(JSON.stringify(u))).toEqual({ id: 50, name: "new", bio: null, nick: null })
        session.add(u)
        await session.flush()
        expect(seen).toEqual([[null, undefined]])
        const row = (await session.execute(select(RqUser.bio, RqUser.nick).where(RqUser.id.eq(50)))).all()
        expect(row).toEqual([[null, "anon"]])
        await session.rollback()
      } finally {
        off()
      }
    })

    it("merge() of a new object with an unset nullable column keeps the row's value", async () => {
      await using session = new AsyncSession(engine)
      const ada = await session.get(RqUser, 1)
      expect(ada?.bio).toBe("b1")
      const merged = await session.merge(new RqUser({ id: 1, name: "ada2" }))
      expect(merged.bio).toBe("b1")
      await session.flush()
      const bio = (await session.execute(select(RqUser.bio).where(RqUser.id.eq(1)))).scalar()
      expect(bio).toBe("b1")
      await session.rollback()
    })

    it("keys: a label after a same-named column, and bindparam", async () => {
      await using session = new ReadSession(engine)
      const r = await session.execute(
        select(RqUser.c.name, RqPost.title.label("name")).join(RqUser.posts).where(RqUser.id.eq(1)),
      )
      expect(r.mappings()).toEqual([{ name: "ada", name_1: "a1" }])
    })

    it("ORDER BY a raw label with selectinload, quoted and desc", async () => {
      await using session = new ReadSession(engine)
      const q = select(RqUser, RqUser.c.name.label("nm"))
        .orderBy(literalColumn('"nm"').desc())
        .options(selectinload(RqUser.posts))
      const rows = (await session.execute(q)).all()
      expect(rows.map(([u]) => u.id)).toEqual([3, 2, 1])
    })

    it("paginate: limit 0, offset only, page past the limit", async () => {
      await using session = new ReadSession(engine)
      const base = select(RqUser).orderBy(RqUser.id)
      const zero = await session.paginate(base.limit(0), { page: 1, pageSize: 2 })
      expect([zero.items.length, zero.total]).toEqual([0, 0])
      const off = await session.paginate(base.offset(2), { page: 1, pageSize: 5 })
      expect([off.items.map((u) => u.id), off.total]).toEqual([[3], 1])
      const past = await session.paginate(base.limit(2).offset(1), { page: 2, pageSize: 2 })
      expect([past.items.map((u) => u.id), past.total]).toEqual([[], 2])
      const cut = await session.paginate(base.limit(2).offset(1), { page: 1, pageSize: 5 })
      expect([cut.items.map((u) => u.id), cut.total]).toEqual([[2, 3], 2])
    })

    it("aliased(User) over a UNION of ORM selects as a subquery", async () => {
      await using session = new ReadSession(engine)
      const sq = select(RqUser)
        .where(RqUser.id.eq(1))
        .union(select(RqUser).where(RqUser.id.eq(3)))
        .subquery("rq_uu")
      const u = aliased(RqUser, sq)
      const users = (await session.scalars(select(u).orderBy(u.id))).all()
      expect(users.map((x) => x.id)).toEqual([1, 3])
    })

    it("autogenerate sees no change in a SQLite CHECK with LIKE made before ESCAPE was rendered", async () => {
      if (!fixture.name.startsWith("libsql")) return
      await using conn = engine.connect()
      await conn.execute(text("DROP TABLE IF EXISTS rq_like_ck"))
      await conn.execute(
        text(
          "CREATE TABLE rq_like_ck (id INTEGER NOT NULL PRIMARY KEY, code VARCHAR(20) NOT NULL, CONSTRAINT ck_rq_code CHECK (code LIKE 'x%'))",
        ),
      )
      const withCheck = new MetaData()
      const cols = { id: column(Integer, { primaryKey: true }), code: column(Str(20)) }
      const probe = table("rq_like_probe", cols, { metadata: new MetaData() })
      const tc = table("rq_like_ck", cols, {
        metadata: withCheck,
        constraints: [check(probe.c.code.like("x%"), "ck_rq_code")],
      })
      void tc
      const live = await introspect(conn)
      const mine = new Map([...live].filter(([name]) => name === "rq_like_ck"))
      const changes = compareSchemas(mine, schemaOfMetadata(withCheck, conn.dialect))
      await conn.execute(text("DROP TABLE rq_like_ck"))
      expect(changes.flatMap((c) => c.upgrade.map((op) => op.kind))).toEqual([])
    })

    it("aliased(User) over a subquery of (Post, aliased User) takes the author's columns, not the post's", async () => {
      await using session = new ReadSession(engine)
      const author = aliased(RqUser, "rq_author")
      const sq = select(RqPost, author)
        .join(author, RqPost.userId.eq(author.id))
        .where(RqPost.id.eq(30))
        .subquery("rq_pa")
      const u = aliased(RqUser, sq)
      const users = (await session.scalars(select(u))).all()
      expect(users.map((x) => [x.id, x.name])).toEqual([[1, "ada"]])
      expect(await session.get(RqUser, 30)).toBeNull()
    })

    it("keys of count and a column", async () => {
      await using session = new ReadSession(engine)
      const r = await session.execute(
        select(RqUser.id, func.count(RqPost.id)).join(RqUser.posts).groupBy(RqUser.id),
      )
      expect(r.keys).toEqual(["id", "count"])
    })
  })
}
