// Transactions as the public API offers them, on Neon HTTP, Neon WebSocket and libSQL HTTP (table
// tx_items): begin() options, read-only writes, savepoints, FOR UPDATE, statements that would take the
// transaction out of the session's hands. The cases an attack found wrong failed before their fixes.
import { describe, expect, it } from "vitest"
import ws from "ws"
import {
  AsyncSession,
  column,
  deleteFrom,
  func,
  Integer,
  IntegrityError,
  InvalidRequestError,
  inspect,
  model,
  Registry,
  String,
  select,
  text,
  UnsupportedCapabilityError,
  update,
} from "../../src/index.ts"
import { libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"

const registry = new Registry()
class Item extends model(
  "tx_items",
  {
    id: column(Integer, { primaryKey: true }),
    name: column(String(80), { unique: true }),
    n: column(Integer, { default: 0 }),
  },
  { registry },
) {}

const fixtures = [neonFixture("http", ws), neonFixture("websocket", ws), libsqlHttpFixture()]

for (const fixture of fixtures) {
  describe(`tx on ${fixture.name}`, () => {
    const engine = fixture.engine(`tx-${fixture.name}-${Date.now().toString(36)}`)
    freshSchema(engine, registry.metadata)
    let counter = 0
    const u = (name: string) => `${fixture.name}-${name}-${++counter}-${Date.now().toString(36)}`
    const pg = fixture.dialect === "postgresql"

    async function count(prefix: string): Promise<number> {
      await using conn = engine.connect()
      const r = await conn.execute(
        select(func.count())
          .selectFrom(Item)
          .where(Item.c.name.like(`${prefix}%`)),
      )
      return Number(r.scalar())
    }
    /** Runs hand-written SQL in a read-only transaction: what it raised (nothing: undefined). */
    async function inReadOnly(sql: string): Promise<unknown> {
      await using s = new AsyncSession(engine)
      await s.begin({ readOnly: true })
      return await s.execute(text(sql)).then(
        () => undefined,
        (error: unknown) => error,
      )
    }
    async function seed(name: string, n = 0): Promise<void> {
      await using s = new AsyncSession(engine)
      s.add(new Item({ name, n }))
      await s.commit()
    }

    it("readOnly: flush of a new object is refused and nothing written", async () => {
      const p = u("ro-flush")
      const s = new AsyncSession(engine)
      await s.begin({ readOnly: true })
      s.add(new Item({ name: p }))
      await expect(s.commit()).rejects.toThrow()
      await s.close()
      expect(await count(p)).toBe(0)
    })

    it("readOnly: a write in hand-written SQL is refused unsent, after a comment or in a CTE", async () => {
      const p = u("ro-text")
      for (const sql of [
        `/* audit */ INSERT INTO tx_items (name, n) VALUES ('${p}', 0)`,
        `WITH v AS (SELECT 1 AS x) INSERT INTO tx_items (name, n) SELECT '${p}', x FROM v`,
      ]) {
        expect(await inReadOnly(sql)).toBeInstanceOf(InvalidRequestError)
      }
      expect(await count(p)).toBe(0)
    })

    it("readOnly: a read naming the function replace() is not refused as a write", async () => {
      expect(await inReadOnly("SELECT replace('a-b', '-', ' ') AS r")).toBeUndefined()
      // Nor one whose strings, quoted names or comments hold a write's word.
      for (const sql of [
        "SELECT count(*) FROM tx_items WHERE name = 'delete' OR name = 'it''s an update'",
        'SELECT name AS "insert" FROM tx_items -- drop nothing',
        "SELECT /* create */ 1",
      ]) {
        expect(await inReadOnly(sql)).toBeUndefined()
      }
      // Still refused: SQLite's REPLACE INTO, and a write after a comment holding an apostrophe (a quote
      // there starts no string).
      const p = u("ro-quote")
      for (const sql of [
        "REPLACE INTO tx_items (id, name) VALUES (-1, 'x')",
        `-- don't log this\nINSERT INTO tx_items (name, n) VALUES ('${p}', 0)`,
        `/* it's */ INSERT INTO tx_items (name, n) VALUES ('${p}', 0) -- '`,
        `SELECT 'a'; INSERT INTO tx_items (name, n) VALUES ('${p}', 0)`,
      ]) {
        expect(await inReadOnly(sql)).toBeInstanceOf(InvalidRequestError)
      }
      expect(await count(p)).toBe(0)
    })

    it("readOnly: bulk update is refused and nothing written", async () => {
      const p = u("ro-bulk")
      await seed(p, 1)
      const s = new AsyncSession(engine)
      await s.begin({ readOnly: true })
      await expect(s.execute(update(Item).where(Item.c.name.eq(p)).values({ n: 5 }))).rejects.toThrow()
      await s.close()
      await using c = engine.connect()
      expect(Number((await c.execute(select(Item.n).where(Item.c.name.eq(p)))).scalar())).toBe(1)
    })

    it("readOnly: inTransaction after refused write; then rollback; then normal write works", async () => {
      const p = u("ro-after")
      const s = new AsyncSession(engine)
      await s.begin({ readOnly: true })
      s.add(new Item({ name: p }))
      // One error on every transport, before anything is sent.
      await expect(s.commit()).rejects.toThrow(/This transaction is read-only/)
      await s.rollback()
      expect(s.inTransaction()).toBe(false)
      s.add(new Item({ name: `${p}-b` }))
      await s.commit()
      await s.close()
      expect(await count(p)).toBe(1)
    })

    it("text() refuses statements that would take the transaction out of the session's hands", async () => {
      for (const sql of [
        "BEGIN",
        " /* x */ commit",
        "ROLLBACK",
        "SAVEPOINT a",
        "RELEASE a",
        "START TRANSACTION",
        "END",
      ]) {
        expect(() => text(sql), sql).toThrow(InvalidRequestError)
      }
      // The session's own transaction is untouched: still open, and its rollback undoes what it flushed.
      const p = u("user-commit")
      await using s = new AsyncSession(engine)
      await s.begin()
      s.add(new Item({ name: p }))
      await s.flush()
      expect(() => text("COMMIT")).toThrow(
        /use session.begin\(\), commit\(\), rollback\(\) and beginNested\(\)/,
      )
      expect(s.inTransaction()).toBe(true)
      await s.rollback()
      expect(await count(p)).toBe(0)
    })

    it("savepoint commit flushes its own changes (a failure belongs to the savepoint)", async () => {
      const p = u("sp-noflush")
      await seed(`${p}-dup`)
      await using s = new AsyncSession(engine)
      await s.begin()
      s.add(new Item({ name: `${p}-keep` }))
      await s.flush()
      const sp = await s.beginNested()
      s.add(new Item({ name: `${p}-dup` }))
      await expect(sp.commit()).rejects.toBeInstanceOf(IntegrityError)
      await sp.rollback()
      await s.commit()
      expect(await count(`${p}-keep`)).toBe(1)
    })

    it("flush inside a savepoint, released, then outer commit keeps it; outer rollback makes it transient", async () => {
      const p = u("sp-flush")
      await using s = new AsyncSession(engine)
      await s.begin()
      const sp = await s.beginNested()
      s.add(new Item({ name: `${p}-a` }))
      await s.flush()
      await sp.commit()
      await s.commit()
      expect(await count(`${p}-a`)).toBe(1)
      await s.begin()
      const sp2 = await s.beginNested()
      const b = new Item({ name: `${p}-b` })
      s.add(b)
      await s.flush()
      await sp2.commit()
      await s.rollback()
      expect(inspect(b).state).toBe("transient")
      expect(await count(`${p}-b`)).toBe(0)
    })

    it("failure inside a savepoint: outer work kept", async () => {
      const p = u("sp-fail")
      await seed(`${p}-dup`)
      const s = new AsyncSession(engine)
      await s.begin()
      s.add(new Item({ name: `${p}-keep` }))
      const sp = await s.beginNested()
      s.add(new Item({ name: `${p}-dup` }))
      await expect(s.flush()).rejects.toBeInstanceOf(IntegrityError)
      await sp.rollback()
      expect(s.inTransaction()).toBe(true)
      await s.commit()
      await s.close()
      expect(await count(`${p}-keep`)).toBe(1)
      expect(await count(`${p}-dup`)).toBe(1)
    })

    it("nested twice, outer rolled back: inner commit refused, inner rollback no-op, outer tx goes on", async () => {
      const p = u("sp-2")
      const s = new AsyncSession(engine)
      await s.begin()
      s.add(new Item({ name: `${p}-base` }))
      const sp1 = await s.beginNested()
      s.add(new Item({ name: `${p}-one` }))
      const sp2 = await s.beginNested()
      s.add(new Item({ name: `${p}-two` }))
      await s.flush()
      await sp1.rollback()
      await expect(sp2.commit()).rejects.toThrow()
      await sp2.rollback()
      expect(s.inTransaction()).toBe(true)
      await s.commit()
      await s.close()
      expect(await count(`${p}-base`)).toBe(1)
      expect(await count(`${p}-one`)).toBe(0)
      expect(await count(`${p}-two`)).toBe(0)
    })

    it("savepoint released after outer rollback is refused", async () => {
      const s = new AsyncSession(engine)
      await s.begin()
      const sp = await s.beginNested()
      await s.rollback()
      await expect(sp.commit()).rejects.toThrow()
      expect(s.inTransaction()).toBe(false)
      await s.close()
    })

    it("close() with open transaction rolls back", async () => {
      const p = u("close")
      const s = new AsyncSession(engine)
      await s.begin()
      s.add(new Item({ name: p }))
      await s.flush()
      expect(s.inTransaction()).toBe(true)
      await s.close()
      expect(s.inTransaction()).toBe(false)
      expect(await count(p)).toBe(0)
    })

    it("second begin() refused and the first transaction intact", async () => {
      const p = u("begin2")
      const s = new AsyncSession(engine)
      await s.begin()
      s.add(new Item({ name: p }))
      await s.flush()
      await expect(s.begin()).rejects.toThrow(/already open/)
      expect(s.inTransaction()).toBe(true)
      await s.commit()
      await s.close()
      expect(await count(p)).toBe(1)
    })

    it("bulk update inside begin is rolled back; outside commits at once", async () => {
      const p = u("bulk")
      await seed(p, 1)
      const s = new AsyncSession(engine)
      await s.begin()
      await s.execute(update(Item).where(Item.c.name.eq(p)).values({ n: 2 }))
      await s.rollback()
      await using c = engine.connect()
      expect(Number((await c.execute(select(Item.n).where(Item.c.name.eq(p)))).scalar())).toBe(1)
      await s.execute(update(Item).where(Item.c.name.eq(p)).values({ n: 3 }))
      expect(s.inTransaction()).toBe(false)
      await s.rollback()
      expect(Number((await c.execute(select(Item.n).where(Item.c.name.eq(p)))).scalar())).toBe(3)
      await s.execute(deleteFrom(Item).where(Item.c.name.eq(p)))
      await s.close()
      expect(await count(p)).toBe(0)
    })

    it("begin options reach the database", async () => {
      const s = new AsyncSession(engine)
      if (pg) {
        await s.begin({ isolationLevel: "serializable", readOnly: true, deferrable: true })
        const r = await s.execute(
          text(
            "SELECT current_setting('transaction_isolation'), current_setting('transaction_read_only'), current_setting('transaction_deferrable')",
          ),
        )
        expect(r.all()).toEqual([["serializable", "on", "on"]])
        await s.rollback()
        await s.begin({ isolationLevel: "repeatable read" })
        const r2 = await s.execute(text("SELECT current_setting('transaction_isolation')"))
        expect(r2.scalar()).toBe("repeatable read")
        await s.rollback()
      } else {
        await s.begin({ isolationLevel: "serializable" })
        await s.rollback()
      }
      await s.close()
    })

    it("commit({read}) inside a readOnly transaction", async () => {
      const p = u("ro-read")
      await seed(p, 4)
      const s = new AsyncSession(engine)
      await s.begin({ readOnly: true })
      const r = await s.commit({ read: select(Item).where(Item.c.name.eq(p)) })
      expect(r.scalars().one().n).toBe(4)
      expect(s.inTransaction()).toBe(false)
      await s.close()
    })

    if (pg) {
      it("FOR UPDATE outside begin opens a transaction kept until commit; rollback ends it", async () => {
        const p = u("forupd")
        await seed(p, 1)
        const s = new AsyncSession(engine)
        const item = (await s.scalars(select(Item).where(Item.c.name.eq(p)).forUpdate())).one()
        expect(s.inTransaction()).toBe(true)
        item.n = 9
        await s.rollback()
        expect(s.inTransaction()).toBe(false)
        expect(item.n).toBe(1)
        const again = (await s.scalars(select(Item).where(Item.c.name.eq(p)).forUpdate())).one()
        again.n = 10
        await s.commit()
        expect(s.inTransaction()).toBe(false)
        await s.close()
        await using c = engine.connect()
        expect(Number((await c.execute(select(Item.n).where(Item.c.name.eq(p)))).scalar())).toBe(10)
      })
    } else {
      it("FOR UPDATE on sqlite: refused before any transaction, which would block other writers", async () => {
        const p = u("forupd-lock")
        await using s = new AsyncSession(engine)
        await expect(s.execute(select(Item).forUpdate())).rejects.toBeInstanceOf(UnsupportedCapabilityError)
        expect(s.inTransaction()).toBe(false)
        await s.scalars(select(Item).where(Item.c.name.eq("nothing")))
        // Another session writes: no write lock is held by the first (it waited ~5 s, then SQLITE_BUSY).
        await seed(p)
        expect(await count(p)).toBe(1)
      })
    }
  })
}
