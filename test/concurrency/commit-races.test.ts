// commit() called while a statement of the same transaction is still under way (a Promise.all in a
// handler): the COMMIT goes out behind it. When that statement failed, PostgreSQL answered the COMMIT
// of the aborted transaction with a rollback and SQLite committed the rest without it; either way
// commit() reported success: on PostgreSQL the flushed rows were lost, on SQLite they were stored while
// the session made their objects transient again (a retry would insert them twice).
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import ws from "ws"
import {
  AsyncSession,
  InvalidRequestError,
  insert,
  inspect,
  OperationalError,
  PendingRollbackError,
  select,
  text,
  update,
} from "../../src/index.ts"
import { libsqlEmbedded } from "../../src/libsql-node.ts"
import { libsqlEmbeddedFixture, libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"
import { scratchDir } from "../setup/scratch.ts"
import { concurrencyModels } from "./models.ts"

const { registry, Doc, storedIn } = concurrencyModels("commit")

const embedded = libsqlEmbeddedFixture(libsqlEmbedded(), join(scratchDir("cc-commit"), "commit.db"))

for (const fixture of [
  neonFixture("http", ws),
  neonFixture("websocket", ws),
  libsqlHttpFixture(),
  embedded,
]) {
  describe(`commit() racing a statement of its transaction on ${fixture.name}`, () => {
    const engine = fixture.engine(`cc-commit-${fixture.name}-${Date.now().toString(36)}`)
    freshSchema(engine, registry.metadata)
    let next = 0
    const unique = (what: string) => `${what}-${++next}`

    const stored = (name: string) => storedIn(engine, name)

    it("fails when a statement under way fails, and stores nothing of the transaction", async () => {
      await using session = new AsyncSession(engine)
      const taken = unique("taken")
      session.add(new Doc({ name: taken }))
      await session.commit()
      const flushed = new Doc({ name: unique("flushed") })
      session.add(flushed)
      await session.flush()
      const duplicate = insert(Doc).values({ name: taken })
      const [statement, commit] = await Promise.allSettled([session.execute(duplicate), session.commit()])
      expect(statement.status).toBe("rejected")
      expect(commit.status).toBe("rejected")
      expect((commit as PromiseRejectedResult).reason).toBeInstanceOf(PendingRollbackError)
      // The session says what the database has: the flushed row is not there, its object is new again.
      expect(await stored(flushed.name)).toBe(0)
      expect(inspect(flushed).state).toBe("transient")
      await session.rollback()
      session.add(flushed)
      await session.commit()
      expect(await stored(flushed.name)).toBe(1)
    })

    it("on a Connection: commit() refuses once a statement under way ended the transaction", async () => {
      const taken = unique("taken")
      const kept = unique("kept")
      await using connection = engine.connect()
      await connection.execute(insert(Doc).values({ name: taken }))
      await connection.begin()
      await connection.execute(insert(Doc).values({ name: kept }))
      const [statement, commit] = await Promise.allSettled([
        connection.execute(insert(Doc).values({ name: taken })),
        connection.commit(),
      ])
      expect([statement.status, commit.status]).toEqual(["rejected", "rejected"])
      expect((commit as PromiseRejectedResult).reason).toBeInstanceOf(InvalidRequestError)
      expect(connection.inTransaction).toBe(false)
      expect(await stored(kept)).toBe(0)
    })

    it("a flush beside a statement of its transaction that fails is rolled back with it, and says so", async () => {
      await using session = new AsyncSession(engine, { autoflush: false })
      await session.begin()
      const doc = new Doc({ name: unique("beside") })
      session.add(doc)
      const failing = text("SELECT * FROM cc_commit_no_such_table")
      const [statement, flush] = await Promise.allSettled([session.execute(failing), session.flush()])
      expect(statement.status).toBe("rejected")
      // PostgreSQL refuses it inside the aborted transaction. SQLite ran it before the rollback its
      // neighbour's failure sent: it was reported done, its object persistent, for a row never committed.
      const refusal = fixture.dialect === "sqlite" ? PendingRollbackError : OperationalError
      expect((flush as PromiseRejectedResult).reason).toBeInstanceOf(refusal)
      expect(inspect(doc).state).toBe("pending")
      await session.rollback()
      expect(await stored(doc.name)).toBe(0)
    })

    it("a write beside a statement of its transaction that fails is rolled back with it, and says so", async () => {
      const taken = unique("taken")
      await using session = new AsyncSession(engine)
      session.add(new Doc({ name: taken }))
      await session.commit()
      await session.begin()
      const beside = unique("beside")
      const [failed, written] = await Promise.allSettled([
        session.execute(insert(Doc).values({ name: taken })),
        session.execute(insert(Doc).values({ name: beside })),
      ])
      expect(failed.status).toBe("rejected")
      // SQLite ran it before the rollback its neighbour's failure sent, and it was reported done.
      expect(written.status).toBe("rejected")
      expect(await stored(beside)).toBe(0)
    })

    it("a write after a failure ended the transaction waits for rollback(), as flush and commit do", async () => {
      const taken = unique("taken")
      await using session = new AsyncSession(engine)
      session.add(new Doc({ name: taken }))
      await session.commit()
      await session.begin()
      const flushed = new Doc({ name: unique("flushed") })
      session.add(flushed)
      await session.flush()
      await expect(session.execute(insert(Doc).values({ name: taken }))).rejects.toThrow()
      // In autocommit, as it ran before, it was durable while the flushed row had been undone.
      const bulk = update(Doc).where(Doc.c.name.eq(taken)).values({ n: 9 })
      await expect(session.execute(bulk)).rejects.toBeInstanceOf(PendingRollbackError)
      await expect(session.execute(insert(Doc).values({ name: unique("after") }))).rejects.toBeInstanceOf(
        PendingRollbackError,
      )
      // Hand-written SQL is a write wherever the write is in it (after a comment, in a CTE).
      const name = unique("by-hand")
      for (const sql of [
        `-- note\nINSERT INTO cc_commit_docs (name, n) VALUES ('${name}', 0)`,
        `WITH v(x) AS (SELECT 1) INSERT INTO cc_commit_docs (name, n) SELECT '${name}', x FROM v`,
      ]) {
        await expect(session.execute(text(sql))).rejects.toBeInstanceOf(PendingRollbackError)
      }
      // A WITH that only reads is a read.
      expect(Number(await session.scalar(text("WITH v(x) AS (SELECT 7) SELECT x FROM v")))).toBe(7)
      expect(await stored(name)).toBe(0)
      // Reads go on; after rollback() writes do too.
      expect(await stored(taken)).toBe(1)
      await session.rollback()
      await session.execute(bulk)
      await using reader = new AsyncSession(engine)
      expect(await reader.scalar(select(Doc.c.n).where(Doc.c.name.eq(taken)))).toBe(9)
      expect(await stored(flushed.name)).toBe(0)
    })

    it("begin() beside commit(): the commit goes first and stays, the transaction begins after it", async () => {
      await using session = new AsyncSession(engine)
      await session.get(Doc, 0) // the connection open, so both calls go out at once
      const committed = new Doc({ name: unique("committed") })
      session.add(committed)
      await Promise.all([session.commit(), session.begin()])
      expect(session.inTransaction()).toBe(true)
      await session.rollback()
      // On Neon the BEGIN went ahead of the commit's request, and the commit's INSERT joined its transaction.
      expect(await stored(committed.name)).toBe(1)
      expect(inspect(committed).state).toBe("persistent")
    })

    if (fixture.dialect === "postgresql") {
      it("commit() beside a FOR UPDATE read without autoflush commits the transaction its writes are in", async () => {
        await using session = new AsyncSession(engine, { autoflush: false })
        await session.get(Doc, 0)
        const committed = new Doc({ name: unique("beside-lock") })
        session.add(committed)
        await Promise.all([session.commit(), session.scalars(select(Doc).forUpdate())])
        await session.rollback()
        // In websocket mode the commit's INSERT joined the transaction the read opened on the socket,
        // and was left in it: commit() said done, and rollback() undid it.
        expect(await stored(committed.name)).toBe(1)
        expect(inspect(committed).state).toBe("persistent")
      })
    }

    if (fixture.name === "neon-http") {
      // Over Neon HTTP an autocommitted statement and the transaction's WebSocket are separate channels.
      it("a write sent in autocommit stays reported done when a transaction fails while it is out", async () => {
        const taken = unique("taken")
        const locked = unique("locked")
        await using session = new AsyncSession(engine, { autoflush: false })
        session.add(new Doc({ name: taken }))
        session.add(new Doc({ name: locked }))
        await session.commit()
        // Another session holds the row, so the autocommitted UPDATE waits for it.
        await using holder = new AsyncSession(engine)
        await holder.begin()
        await holder.execute(text(`UPDATE cc_commit_docs SET n = 1 WHERE name = '${locked}'`))
        const write = session.execute(text(`UPDATE cc_commit_docs SET n = 2 WHERE name = '${locked}'`)).then(
          () => "done",
          (error: unknown) => error,
        )
        // Meanwhile a flush of the session's own transaction fails (a duplicate name).
        session.add(new Doc({ name: taken }))
        await expect(session.flush()).rejects.toThrow()
        await holder.commit()
        // The UPDATE committed on its own: it was not rolled back with the transaction, as
        // PendingRollbackError said.
        expect(await write).toBe("done")
        await using reader = new AsyncSession(engine)
        expect(await reader.scalar(select(Doc.c.n).where(Doc.c.name.eq(locked)))).toBe(2)
        await session.rollback()
      })
    }

    it("commits a statement under way that succeeds, with the rest", async () => {
      await using session = new AsyncSession(engine)
      const flushed = new Doc({ name: unique("flushed") })
      session.add(flushed)
      await session.flush()
      const other = unique("other")
      await Promise.all([session.execute(insert(Doc).values({ name: other })), session.commit()])
      expect(inspect(flushed).state).toBe("persistent")
      expect([await stored(flushed.name), await stored(other)]).toEqual([1, 1])
    })
  })
}
