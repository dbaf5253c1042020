// Loading found wrong by attacks, on every transport (test/node/orm-query.test.ts): loader options
// applied to the entity they name (the query's second one included), or refused with a message naming it, loads of more keys than a
// statement may bind one by one, still in one request, keys of every kind kept apart (DateTime keys a
// millisecond apart, 64-bit integers past 2^53, bytes, text like the key encoding), and values read the
// same whether or not the query travels as JSON with its loads (REALs, typed literals).
import { beforeEach, describe, expect, it } from "vitest"
import {
  AsyncSession,
  deleteFrom,
  Integer,
  InvalidRequestError,
  Json,
  joinedload,
  literal,
  literalColumn,
  NotLoadedError,
  select,
  selectinload,
  text,
} from "../../src/index.ts"
import type { Stats, TransportFixture } from "../engine/transports.ts"
import { freshSchema } from "./fresh-schema.ts"
import {
  Article,
  KeyedBig,
  KeyedBigKid,
  KeyedBytes,
  KeyedBytesKid,
  KeyedText,
  KeyedTextKid,
  Reading,
  ReadingNote,
  Remark,
  registry,
  Writer,
} from "./loading-attacks-models.ts"

export function loadingAttacksSuite(fixture: TransportFixture) {
  const scope = (name: string) => `load-attacks-${fixture.name}-${name}-${Date.now().toString(36)}`
  const requests = (before: Stats | undefined, after: Stats | undefined) =>
    before && after ? after.httpRequests - before.httpRequests : undefined
  /** One HTTP request on HTTP transports; Neon's websocket mode sends none (it rides the socket). */
  const oneRequest = fixture.name === "neon-websocket" ? 0 : 1

  describe(`Loading attacks on ${fixture.name}`, () => {
    const engine = fixture.engine(scope("setup"))
    freshSchema(engine, registry.metadata)
    beforeEach(async () => {
      await using session = new AsyncSession(engine)
      await session.execute(deleteFrom(Remark), { synchronizeSession: false })
      await session.execute(deleteFrom(Article), { synchronizeSession: false })
      await session.execute(deleteFrom(Writer), { synchronizeSession: false })
      // Each remark's article id is the id of a writer who is neither the remark's nor the article's.
      const ada = new Writer({ id: 1, name: "ada" })
      const bob = new Writer({ id: 2, name: "bob" })
      const cy = new Writer({ id: 3, name: "cy" })
      const first = new Article({ id: 1, title: "first", writer: cy })
      const second = new Article({ id: 2, title: "second", writer: cy })
      session.addAll([ada, bob, cy, first, second])
      await session.flush()
      session.add(new Remark({ id: 1, body: "bob on first", article: first, writer: bob }))
      session.add(new Remark({ id: 2, body: "ada on second", article: second, writer: ada }))
      await session.commit()
    })

    it("joins a joinedload of the query's second entity on that entity's key, in one request", async () => {
      const name = scope("joined-second")
      const sql: string[] = []
      await using session = new AsyncSession(fixture.engine(name, { echo: (line) => sql.push(line) }))
      const query = select(Remark, Article)
        .join(Remark.article)
        .orderBy(Remark.id)
        .options(joinedload(Article.writer))
      const before = await fixture.stats(name)
      const rows = (await session.execute(query)).all()
      expect(requests(before, await fixture.stats(name))).toBe(before ? oneRequest : undefined)
      expect(sql.join("\n")).toContain(
        'LEFT OUTER JOIN "la_writers" AS "_j0" ON "la_articles"."writerId" = "_j0"."id"',
      )
      expect(rows.map(([remark, article]) => [remark.body, article.title, article.writer.name])).toEqual([
        ["bob on first", "first", "cy"],
        ["ada on second", "second", "cy"],
      ])
      // The remarks' own writers were not asked for: they are not loaded, least of all with cy.
      for (const [remark] of rows) expect(() => remark.writer).toThrow(NotLoadedError)
    })

    it("selectinloads from the query's second entity onto that entity's objects, in one request", async () => {
      const name = scope("selectin-second")
      await using session = new AsyncSession(fixture.engine(name))
      // Each remark's id is its article's, the writers' ids another's: a level landed on the first
      // entity, or keyed by its columns, would give the writers remarks, or the articles others'.
      const query = select(Writer, Article)
        .join(Writer.articles)
        .orderBy(Article.id)
        .options(selectinload(Article.remarks).selectinload(Remark.writer))
      const before = await fixture.stats(name)
      const rows = (await session.execute(query)).all()
      expect(requests(before, await fixture.stats(name))).toBe(before ? oneRequest : undefined)
      expect(
        rows.map(([writer, article]) => [
          writer.name,
          article.title,
          article.remarks.map((remark) => `${remark.body} by ${remark.writer.name}`),
        ]),
      ).toEqual([
        ["cy", "first", ["bob on first by bob"]],
        ["cy", "second", ["ada on second by ada"]],
      ])
      // The first entity's relationships were not asked for.
      expect(() => rows[0]?.[0].articles).toThrow(NotLoadedError)
      // Both entities' loads at once, each onto its own objects.
      session.expungeAll()
      const both = await session.execute(
        select(Article, Writer)
          .join(Article.writer)
          .orderBy(Article.id)
          .options(selectinload(Article.remarks), selectinload(Writer.articles)),
      )
      expect(
        both
          .all()
          .map(([article, writer]) => [
            article.remarks.map((remark) => remark.body),
            writer.articles.map((a) => a.title).sort(),
          ]),
      ).toEqual([
        [["bob on first"], ["first", "second"]],
        [["ada on second"], ["first", "second"]],
      ])
    })

    it("refuses, naming the option and the entities, loader options it cannot apply", async () => {
      await using session = new AsyncSession(engine)
      // An entity the query does not select: SQLAlchemy's "does not apply to any of the root entities".
      const absent = select(Article).options(selectinload(Writer.articles))
      await expect(session.scalars(absent)).rejects.toThrow(
        /selectinload\(Writer\.articles\) does not apply to any entity of select\(Article\)/,
      )
      // A path whose next hop does not start where the last one ended.
      const broken = select(Writer).options(selectinload(Writer.articles).selectinload(Remark.writer))
      await expect(session.scalars(broken)).rejects.toThrow(/Remark\.writer does not load from Article/)
      // What it can apply still loads: the first entity's relationships, in one statement.
      const rows = (
        await session.execute(
          select(Writer, Article)
            .join(Writer.articles)
            .orderBy(Article.id)
            .options(selectinload(Writer.articles)),
        )
      ).all()
      expect(rows.map(([writer, article]) => [writer.name, article.title, writer.articles.length])).toEqual([
        ["cy", "first", 2],
        ["cy", "second", 2],
      ])
    })

    it("selects a level by IN (SELECT keys), which PostgreSQL hash-joins where the column has no index", async () => {
      // `= ANY(ARRAY(SELECT keys))` scanned the whole key array for each row: 70,000 parents took 13 s.
      const sql: string[] = []
      await using session = new AsyncSession(
        fixture.engine(scope("in-keys"), { echo: (line) => sql.push(line) }),
      )
      const writers = (
        await session.scalars(select(Writer).orderBy(Writer.id).options(selectinload(Writer.articles)))
      ).all()
      expect(writers.map((writer) => writer.articles.length)).toEqual([0, 0, 2])
      expect(sql.join("\n")).toContain('WHERE "la_articles"."writerId" IN (SELECT "_l0"."c0" FROM "_l0")')
      expect(sql.join("\n")).not.toContain("ANY(")
    })

    it("loads a relationship for more objects than a statement may bind keys, in one request", async () => {
      // Past both limits: SQLite's 32,766 parameters and PostgreSQL's 65,535 (its count wraps at 65,536).
      const count = 65_540
      const name = scope("many-keys")
      await using session = new AsyncSession(fixture.engine(name))
      const writers = `WITH RECURSIVE g(n) AS (SELECT 4 UNION ALL SELECT n + 1 FROM g WHERE n < ${count}) SELECT n, 'w' FROM g`
      await session.execute(text(`INSERT INTO la_writers (id, name) ${writers}`))
      session.add(new Article({ id: 3, title: "last", writerId: count }))
      await session.commit()
      const loaded = (await session.scalars(select(Writer).orderBy(Writer.id))).all()
      expect(loaded).toHaveLength(count)
      const before = await fixture.stats(name)
      await session.load(loaded, Writer.articles)
      expect(requests(before, await fixture.stats(name))).toBe(before ? oneRequest : undefined)
      expect(loaded.filter((writer) => writer.articles.length > 0).map((writer) => writer.id)).toEqual([
        3,
        count,
      ])
      expect(loaded.at(-1)?.articles.map((article) => article.title)).toEqual(["last"])
      expect(loaded[2]?.articles.map((article) => article.title).sort()).toEqual(["first", "second"])
    })

    describe("values", () => {
      // Two instants in the same second: a Date's text stops at the second.
      const first = new Date("2024-03-10T10:00:00.001Z")
      const second = new Date("2024-03-10T10:00:00.002Z")
      beforeEach(async () => {
        await using session = new AsyncSession(engine)
        await session.execute(deleteFrom(ReadingNote), { synchronizeSession: false })
        await session.execute(deleteFrom(Reading), { synchronizeSession: false })
        session.add(new Reading({ at: first, label: "first", count: 1, weight: 3 }))
        session.add(new Reading({ at: second, label: "second", count: 2, weight: 8 }))
        await session.flush()
        session.add(new ReadingNote({ id: 1, readingAt: first, body: "on first" }))
        session.add(new ReadingNote({ id: 2, readingAt: second, body: "on second" }))
        await session.commit()
      })

      it("keeps rows whose DateTime keys are a millisecond apart as two objects, loaded or got", async () => {
        await using session = new AsyncSession(engine)
        const readings = (
          await session.scalars(select(Reading).orderBy(Reading.at).options(selectinload(Reading.notes)))
        ).all()
        expect(readings.map((r) => [r.label, r.at.toISOString(), r.notes.map((n) => n.body)])).toEqual([
          ["first", first.toISOString(), ["on first"]],
          ["second", second.toISOString(), ["on second"]],
        ])
        expect((await session.get(Reading, second))?.label).toBe("second")
        await using other = new AsyncSession(engine)
        const notes = (
          await other.scalars(
            select(ReadingNote).orderBy(ReadingNote.id).options(joinedload(ReadingNote.reading)),
          )
        ).all()
        expect(notes.map((note) => note.reading.label)).toEqual(["first", "second"])
      })

      it("keeps apart keys an identity could confuse: past 2^53, bytes, text like the key encoding", async () => {
        const [a, b, max] = [2n ** 53n + 1n, 2n ** 53n + 2n, 2n ** 63n - 1n]
        // Each kid's key is another parent's: a mix-up of parents and kids shows too.
        const bigKeys: [bigint, bigint][] = [
          [a, max],
          [b, a],
          [max, b],
        ]
        const words = ["1", "n1", "number:1", "string:1", "01", "1.0"]
        {
          await using session = new AsyncSession(engine)
          // Kids first (they point at their parents); one statement each, typed by its own model.
          for (const clear of [
            deleteFrom(KeyedBigKid),
            deleteFrom(KeyedBytesKid),
            deleteFrom(KeyedTextKid),
            deleteFrom(KeyedBig),
            deleteFrom(KeyedBytes),
            deleteFrom(KeyedText),
          ])
            await session.execute(clear, { synchronizeSession: false })
          for (const [id, kidId] of bigKeys)
            session.add(new KeyedBig({ id, kids: [new KeyedBigKid({ id: kidId })] }))
          for (const [i, bytes] of [[1, 2], [12], [0]].entries()) {
            const kid = new KeyedBytesKid({ id: i })
            session.add(new KeyedBytes({ id: new Uint8Array(bytes), label: bytes.join(","), kids: [kid] }))
          }
          for (const [i, id] of words.entries())
            session.add(new KeyedText({ id, kids: [new KeyedTextKid({ id: i })] }))
          await session.commit()
        }
        await using session = new AsyncSession(engine)
        const bigs = (
          await session.scalars(select(KeyedBig).orderBy(KeyedBig.id).options(selectinload(KeyedBig.kids)))
        ).all()
        expect(bigs.map((p) => [p.id, p.kids.map((k) => k.id)])).toEqual(
          bigKeys.map(([id, kidId]) => [id, [kidId]]),
        )
        const bigKids = (
          await session.scalars(
            select(KeyedBigKid).orderBy(KeyedBigKid.id).options(joinedload(KeyedBigKid.parent)),
          )
        ).all()
        // By kid: a's parent is b, b's is max, max's is a.
        expect(bigKids.map((k) => [k.id, k.parent.id])).toEqual([
          [a, b],
          [b, max],
          [max, a],
        ])
        expect((await session.get(KeyedBig, b))?.kids.map((k) => k.id)).toEqual([a])
        const bytes = (
          await session.scalars(
            select(KeyedBytesKid).orderBy(KeyedBytesKid.id).options(joinedload(KeyedBytesKid.parent)),
          )
        ).all()
        expect(bytes.map((k) => k.parent.label)).toEqual(["1,2", "12", "0"])
        const texts = (await session.scalars(select(KeyedText).options(selectinload(KeyedText.kids)))).all()
        expect(texts.map((p) => [p.id, p.kids.map((k) => k.id)]).sort()).toEqual(
          words.map((w, i) => [w, [i]]).sort(),
        )
      })

      it("reads a REAL to its last digit with a selectinload as without, whatever its number type", async () => {
        // An Integer over a Float is a Float (so it compares with 0.25); the raw fraction says Integer.
        const ratio = Reading.count.div(Reading.weight)
        const third = literalColumn("1.0 / 3", Integer)
        const query = select(Reading, ratio.label("ratio"), third.label("third")).where(ratio.gt(0.25))
        await using session = new AsyncSession(engine)
        const plain = (await session.execute(query)).all()
        await using other = new AsyncSession(engine)
        const loaded = (await other.execute(query.options(selectinload(Reading.notes)))).all()
        for (const rows of [plain, loaded]) {
          expect(rows.map(([reading, ...values]) => [reading.label, ...values])).toEqual([
            ["first", 1 / 3, 1 / 3],
          ])
        }
      })

      it("reads typed literals beside an entity as their types, with a selectinload as without", async () => {
        // PostgreSQL reads an untyped parameter as text: a document came back as its JSON, bytes as hex,
        // and extract(epoch FROM $1) of a timestamp, as a load sends it, found no function.
        const at = new Date("2024-01-01T00:00:00.500Z")
        const doc = { a: [1, "x"] }
        const bytes = new Uint8Array([0, 255])
        const query = select(
          Reading,
          literal(at).label("at"),
          literal(doc, Json()).label("doc"),
          literal(bytes).label("bytes"),
        ).where(Reading.at.eq(first))
        await using session = new AsyncSession(engine)
        const plain = (await session.execute(query)).all()
        await using other = new AsyncSession(engine)
        const loaded = (await other.execute(query.options(selectinload(Reading.notes)))).all()
        for (const rows of [plain, loaded]) {
          expect(rows.map(([, ...values]) => values)).toEqual([[at, doc, bytes]])
          expect(rows[0]?.[3]).toBeInstanceOf(Uint8Array)
        }
      })
    })

    it("refuses before sending a statement of more parameters than the database takes", async () => {
      const name = scope("many-params")
      await using session = new AsyncSession(fixture.engine(name))
      const most = fixture.dialect === "postgresql" ? 65_535 : 32_766
      const ids = (count: number) => Array.from({ length: count }, (_, i) => i + 1)
      const before = await fixture.stats(name)
      // Past PostgreSQL's, a count its protocol wraps (65,536 + 4): not a connection error to retry.
      await expect(session.scalars(select(Writer).where(Writer.id.in(ids(65_540))))).rejects.toThrow(
        new RegExp(`^65540 parameters; ${fixture.dialect} takes ${most} a statement`),
      )
      await expect(session.scalars(select(Writer).where(Writer.id.in(ids(most + 1))))).rejects.toThrow(
        InvalidRequestError,
      )
      expect(requests(before, await fixture.stats(name))).toBe(before ? 0 : undefined)
      // At the limit it runs.
      const found = await session.scalars(
        select(Writer)
          .where(Writer.id.in(ids(most)))
          .orderBy(Writer.id),
      )
      expect(found.all().map((writer) => writer.name)).toEqual(["ada", "bob", "cy"])
    })
  })
}
