// Subqueries against the rows they run on, on every transport (called from ./query-suite.ts): an
// UPDATE's or DELETE's subquery correlates to the row being changed (it once changed every row),
// FROM-clause subqueries, self-referential EXISTS, compounds and keyword names.
import { beforeEach, describe, expect, it } from "vitest"
import { AsyncSession, deleteFrom, exists, func, inspect, not, select, update } from "../../src/index.ts"
import type { TransportFixture } from "../engine/transports.ts"
import { Article, Author, Keywords, Node, Note, registry } from "./correlation-models.ts"
import { freshSchema } from "./fresh-schema.ts"

export function correlationSuite(fixture: TransportFixture) {
  describe(`subqueries, compounds and keyword names on ${fixture.name}`, () => {
    const engine = fixture.engine(`correlation-${fixture.name}-${Date.now().toString(36)}`)
    freshSchema(engine, registry.metadata)
    beforeEach(async () => {
      await using session = new AsyncSession(engine)
      await session.execute(deleteFrom(Note), { synchronizeSession: false })
      await session.execute(deleteFrom(Article), { synchronizeSession: false })
      await session.execute(deleteFrom(Author), { synchronizeSession: false })
      await session.execute(update(Node).values({ parentId: null }), { synchronizeSession: false })
      await session.execute(deleteFrom(Node), { synchronizeSession: false })
      // Authors a1..a3, each with articles a<n>t1..a<n>t3, each with two notes.
      for (let a = 1; a <= 3; a++) {
        const author = new Author({ handle: `a${a}` })
        for (let t = 1; t <= 3; t++) {
          const article = new Article({ title: `a${a}t${t}`, author })
          for (let n = 1; n <= 2; n++) new Note({ body: `a${a}t${t}n${n}`, article })
        }
        session.add(author)
      }
      const root = new Node({ label: "root" })
      const left = new Node({ label: "left", parent: root })
      session.addAll([
        root,
        left,
        new Node({ label: "right", parent: root }),
        new Node({ label: "leaf", parent: left }),
      ])
      await session.commit()
    })

    const column = async <T>(query: { readonly rowType: readonly [T] }) => {
      await using session = new AsyncSession(engine)
      return (await session.execute(query as never)).scalars().all() as T[]
    }

    it("deletes only the rows a relationship EXISTS in a DELETE's WHERE matches", async () => {
      await using session = new AsyncSession(engine)
      await session.execute(deleteFrom(Note).where(Note.article.has(Article.title.eq("a1t1"))))
      const left = await column(select(Note.body).orderBy(Note.id))
      expect(left).toHaveLength(16)
      expect(left.filter((body) => body.startsWith("a1t1"))).toEqual([])
    })

    it("updates only the rows a Core EXISTS naming the target table matches", async () => {
      await using connection = engine.connect()
      const byA3 = exists(select(Author.id).where(Author.id.eq(Article.authorId), Author.c.handle.eq("a3")))
      await connection.execute(update(Article).where(byA3).values({ title: "x" }))
      const titles = await column(select(Article.title).orderBy(Article.id))
      expect(titles).toEqual(["a1t1", "a1t2", "a1t3", "a2t1", "a2t2", "a2t3", "x", "x", "x"])
    })

    it("sets each row from a scalar subquery correlated to that row", async () => {
      await using connection = engine.connect()
      const latest = select(Article.title)
        .where(Article.authorId.eq(Author.id))
        .orderBy(Article.id.desc())
        .limit(1)
      await connection.execute(update(Author).values({ handle: latest.scalarSubquery() as never }))
      expect(await column(select(Author.c.handle).orderBy(Author.id))).toEqual(["a1t3", "a2t3", "a3t3"])
      const counted = select(func.count()).selectFrom(Note).where(Note.articleId.eq(Article.id))
      await connection.execute(deleteFrom(Article).where(counted.scalarSubquery().gt(2)))
      expect(await column(select(func.count()).selectFrom(Article))).toEqual([9])
    })

    it("keeps a FROM-clause subquery's own tables, joined or selected from in EXISTS", async () => {
      const byHandle = select(Article.id, Author.c.handle)
        .where(Article.authorId.eq(Author.id))
        .subquery("by")
      await using session = new AsyncSession(engine)
      const counts = select(Author.c.handle, func.count())
        .join(byHandle, byHandle.c.handle.eq(Author.c.handle))
        .groupBy(Author.c.handle)
        .orderBy(Author.c.handle)
      expect((await session.execute(counts)).all().map((row) => [...row])).toEqual([
        ["a1", 3],
        ["a2", 3],
        ["a3", 3],
      ])
      const byA1 = select(Article.id)
        .where(Article.authorId.eq(Author.id), Author.c.handle.eq("a1"))
        .subquery("s")
      const any = select(Author.c.handle)
        .where(exists(select(byA1.c.id).selectFrom(byA1)))
        .orderBy(Author.id)
      expect(await column(any)).toEqual(["a1", "a2", "a3"])
    })

    it("runs a set operation of limited selects, ordered by an output column", async () => {
      const first = select(Author.c.handle).orderBy(Author.c.handle).limit(1)
      const last = select(Author.c.handle).orderBy(Author.c.handle.desc()).limit(1)
      expect(await column(first.union(last).orderBy(Author.c.handle.desc()))).toEqual(["a3", "a1"])
      const some = select(Article.title).where(Article.title.like("a2%"))
      const many = some
        .unionAll(select(Article.title).where(Article.title.like("%t3")))
        .orderBy(Article.title)
        .limit(4)
      expect(await column(many)).toEqual(["a1t3", "a2t1", "a2t2", "a2t3"])
    })

    it("joins a relationship from its parent when the parent is not the first FROM item", async () => {
      await using session = new AsyncSession(engine)
      const query = select(Article.title, Author.c.handle)
        .join(Author.articles)
        .where(Article.title.like("%t2"))
        .orderBy(Article.title)
      expect((await session.execute(query)).all().map((row) => [...row])).toEqual([
        ["a1t2", "a1"],
        ["a2t2", "a2"],
        ["a3t2", "a3"],
      ])
    })

    it("creates, writes and reads a table whose name and columns are keywords of SQLite or PostgreSQL", async () => {
      await using session = new AsyncSession(engine)
      const values = { add: 1, alter: 2, autoincrement: 3, commit: 4, nothing: 5, raise: 6, collation: "c" }
      session.add(new Keywords(values))
      await session.commit()
      await session.execute(
        update(Keywords)
          .where(Keywords.c.nothing.eq(5))
          .values({ raise: Keywords.c.add.add(9) }),
      )
      const query = select(Keywords.c.add, Keywords.c.raise, Keywords.c.collation).where(
        Keywords.c.commit.eq(4),
      )
      expect((await session.execute(query)).all().map((row) => [...row])).toEqual([[1, 10, "c"]])
      await session.execute(deleteFrom(Keywords).where(Keywords.c.alter.eq(2)))
      expect(await column(select(func.count()).selectFrom(Keywords))).toEqual([0])
    })

    it("updates from other tables (UPDATE ... FROM), RETURNING included, and keeps session objects in step", async () => {
      await using session = new AsyncSession(engine)
      const held = (await session.scalars(select(Article).orderBy(Article.id))).all()
      // Both tables have an id: RETURNING must name the updated table's (ambiguous on PostgreSQL else).
      const result = await session.execute(
        update(Article)
          .where(Article.authorId.eq(Author.id), Author.c.handle.eq("a2"))
          .values({ title: Author.c.handle.concat("-x") })
          .returning(Article.id, Article.title),
      )
      expect(result.all().map(([, title]) => title)).toEqual(["a2-x", "a2-x", "a2-x"])
      const titles = await column(select(Article.title).orderBy(Article.id))
      expect(titles).toEqual(["a1t1", "a1t2", "a1t3", "a2-x", "a2-x", "a2-x", "a3t1", "a3t2", "a3t3"])
      // The objects the session holds were synchronized: memory cannot evaluate another table's column,
      // so the database said which rows changed.
      expect(held.map((article) => article.title)).toEqual(titles)
      expect(held.flatMap((article) => inspect(article).modified)).toEqual([])
    })

    it("deletes by other tables' rows (an EXISTS correlated to the row), through three tables", async () => {
      await using session = new AsyncSession(engine)
      const gone = await session.execute(
        deleteFrom(Note)
          .where(Note.articleId.eq(Article.id), Article.authorId.eq(Author.id), Author.c.handle.eq("a3"))
          .returning(Note.body),
      )
      expect(gone.scalars().all().sort()).toEqual([
        "a3t1n1",
        "a3t1n2",
        "a3t2n1",
        "a3t2n2",
        "a3t3n1",
        "a3t3n2",
      ])
      await session.execute(deleteFrom(Note).where(Note.articleId.eq(Article.id), Article.title.eq("a1t1")))
      const left = await column(select(Note.body).orderBy(Note.id))
      expect(left).toHaveLength(10)
      expect(left.filter((body) => body.startsWith("a3") || body.startsWith("a1t1"))).toEqual([])
    })

    it("finds self-referential relatives with any() and has(), and deletes by them", async () => {
      const labels = (condition: ReturnType<typeof not>) =>
        column(select(Node.c.label).where(condition).orderBy(Node.id))
      expect(await labels(Node.children.any())).toEqual(["root", "left"])
      expect(await labels(Node.children.any(Node.c.label.eq("leaf")))).toEqual(["left"])
      expect(await labels(Node.parent.has(Node.c.label.eq("root")))).toEqual(["left", "right"])
      await using session = new AsyncSession(engine)
      await session.execute(deleteFrom(Node).where(not(Node.children.any())))
      expect(await column(select(Node.c.label).orderBy(Node.id))).toEqual(["root", "left"])
    })

    it("finds self-referential relatives through a nested any() or has(), NOT included, and deletes by one", async () => {
      const labels = (condition: ReturnType<typeof not>) =>
        column(select(Node.c.label).where(condition).orderBy(Node.id))
      // root -> left -> leaf, root -> right.
      expect(await labels(Node.children.any(Node.children.any()))).toEqual(["root"])
      expect(await labels(Node.children.any(Node.children.any(Node.c.label.eq("leaf"))))).toEqual(["root"])
      expect(await labels(Node.children.any(Node.children.any(Node.c.label.eq("right"))))).toEqual([])
      expect(await labels(not(Node.children.any(Node.children.any())))).toEqual(["left", "right", "leaf"])
      expect(await labels(Node.parent.has(Node.parent.has()))).toEqual(["leaf"])
      // root has no parent (a NULL key): NOT of the nested has() is true for it.
      expect(await labels(not(Node.parent.has(Node.parent.has())))).toEqual(["root", "left", "right"])
      expect(await labels(Node.children.any(Node.children.any(Node.children.any())))).toEqual([])
      expect(await labels(Node.parent.has(Node.children.any(Node.c.label.eq("leaf"))))).toEqual(["leaf"])
      await using session = new AsyncSession(engine)
      await session.execute(deleteFrom(Node).where(Node.parent.has(Node.parent.has())))
      expect(await column(select(Node.c.label).orderBy(Node.id))).toEqual(["root", "left", "right"])
    })
  })
}
