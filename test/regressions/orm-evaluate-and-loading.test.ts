// Regressions found in review: the in-memory evaluator against what the databases compute (Numeric,
// length, lower/upper, division, bigint), lazy "joined" with aliased roots, FOR UPDATE and GROUP BY,
// defaults of joined objects, populateExisting of loaded relationships; on Neon HTTP and libSQL embedded.
import { join } from "node:path"
import { beforeEach, describe, expect, it } from "vitest"
import ws from "ws"
import { AsyncSession, aliased, deleteFrom, func, select, text, update } from "../../src/index.ts"
import { libsqlEmbedded } from "../../src/libsql-node.ts"
import { libsqlEmbeddedFixture, neonFixture, type TransportFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"
import { scratchDir } from "../setup/scratch.ts"
import { RAccount, REntry, RNote, RReading, RScore, RStamp, registry } from "./models.ts"

const fixtures: TransportFixture[] = [
  neonFixture("http", ws),
  neonFixture("websocket", ws),
  libsqlEmbeddedFixture(libsqlEmbedded(), join(scratchDir("ea-review"), "r.db")),
]

for (const fixture of fixtures) {
  describe(`evaluator and loading regressions on ${fixture.name}`, () => {
    const engine = fixture.engine(`review-${fixture.name}-${Date.now().toString(36)}`)
    freshSchema(engine, registry.metadata)
    beforeEach(async () => {
      await using session = new AsyncSession(engine)
      await session.execute(deleteFrom(RNote), { synchronizeSession: false })
      await session.execute(deleteFrom(REntry), { synchronizeSession: false })
      await session.execute(deleteFrom(RAccount), { synchronizeSession: false })
      const a = new RAccount({ label: "Élan", balance: "20.00" })
      const b = new RAccount({ label: "😀a", balance: "150.00" })
      a.entries.push(new REntry({ amount: 1 }))
      session.addAll([a, b])
      await session.flush()
      session.add(new RNote({ accountId: a.id }))
      await session.commit()
    })

    it("hybrid: Integer column divided by a Float column computes as SQL does", async () => {
      await using session = new AsyncSession(engine)
      const score = new RScore({ points: 5, weight: 2 })
      session.add(score)
      await session.flush()
      const sql = await session.scalar(select(RScore.ratio).where(RScore.id.eq(score.id)))
      expect(score.ratio).toBe(sql)
      await session.rollback()
    })

    for (const mode of ["fetch", "evaluate", "auto"] as const) {
      it(`bulk UPDATE ... RETURNING the entity with synchronizeSession ${mode}`, async () => {
        await using session = new AsyncSession(engine)
        const accounts = (await session.scalars(select(RAccount).orderBy(RAccount.id))).all()
        const result = await session.execute(
          update(RAccount)
            .where(RAccount.label.eq("Élan"))
            .values({ frozen: 5 })
            .returning(RAccount, RAccount.frozen),
          { synchronizeSession: mode },
        )
        const rows = result.all()
        expect(rows.length).toBe(1)
        expect(rows[0]?.[0]).toBe(accounts[0])
        expect(rows[0]?.[1]).toBe(5)
        expect(accounts.map((a) => a.frozen)).toEqual([5, 0])
      })
    }

    it("reads without changes open no transaction", async () => {
      await using session = new AsyncSession(engine)
      await session.scalars(select(REntry))
      await session.scalars(select(RNote))
      await session.scalars(select(RAccount))
      await session.scalars(select(REntry))
      expect(session.inTransaction()).toBe(false)
    })

    it("populateExisting refreshes a relationship loaded by the query, not only the columns", async () => {
      await using session = new AsyncSession(engine)
      const [entry] = (await session.scalars(select(REntry))).all()
      const [, other] = (await session.scalars(select(RAccount).orderBy(RAccount.id))).all()
      {
        await using elsewhere = new AsyncSession(engine)
        await elsewhere.execute(update(REntry).values({ accountId: other?.id as number }))
      }
      await session.scalars(select(REntry), { populateExisting: true })
      expect(entry?.accountId).toBe(other?.id)
      expect(entry?.account?.label).toBe(other?.label)
    })

    it("evaluate: Numeric comparison matches the rows the database updated", async () => {
      await using session = new AsyncSession(engine)
      const accounts = (await session.scalars(select(RAccount).orderBy(RAccount.id))).all()
      await session.execute(update(RAccount).where(RAccount.balance.lt("100.00")).values({ frozen: 1 }))
      const inDb = (await session.execute(select(RAccount.label, RAccount.frozen).orderBy(RAccount.id))).all()
      expect(accounts.map((a) => [a.label, a.frozen])).toEqual(inDb)
    })

    it("evaluate: length() counts characters as the database does", async () => {
      await using session = new AsyncSession(engine)
      const accounts = (await session.scalars(select(RAccount).orderBy(RAccount.id))).all()
      await session.execute(update(RAccount).where(func.length(RAccount.label).eq(2)).values({ frozen: 2 }))
      const inDb = (await session.execute(select(RAccount.label, RAccount.frozen).orderBy(RAccount.id))).all()
      expect(accounts.map((a) => [a.label, a.frozen])).toEqual(inDb)
    })

    it("evaluate: lower() folds case as the database does", async () => {
      await using session = new AsyncSession(engine)
      const accounts = (await session.scalars(select(RAccount).orderBy(RAccount.id))).all()
      await session.execute(
        update(RAccount).where(func.lower(RAccount.label).eq("élan")).values({ frozen: 3 }),
      )
      const inDb = (await session.execute(select(RAccount.label, RAccount.frozen).orderBy(RAccount.id))).all()
      expect(accounts.map((a) => [a.label, a.frozen])).toEqual(inDb)
    })

    it("evaluate: a failure computing the new values after the UPDATE ran", async () => {
      await using session = new AsyncSession(engine)
      await session.scalars(select(RAccount))
      const error = await session
        .execute(update(RAccount).values({ hits: RAccount.hits.add(7n).div(2n) }))
        .then(
          () => undefined,
          (e: unknown) => String(e),
        )
      await using other = new AsyncSession(engine)
      const inDb = (await other.execute(select(RAccount.hits))).scalars().all()
      expect({ error, inDb }).toEqual({ error: undefined, inDb: [3n, 3n] })
    })

    it("evaluate: BigInteger division", async () => {
      await using session = new AsyncSession(engine)
      const accounts = (await session.scalars(select(RAccount).orderBy(RAccount.id))).all()
      await session.execute(update(RAccount).values({ hits: RAccount.hits.add(7n).div(2n) }))
      const inDb = (await session.execute(select(RAccount.hits).orderBy(RAccount.id))).scalars().all()
      expect(accounts.map((a) => a.hits)).toEqual(inDb)
    })

    it("evaluate: a Date equal to a stored timestamp's millisecond is not taken for it", async () => {
      // PostgreSQL keeps microseconds; SQLite compares its text, and CURRENT_TIMESTAMP's has no
      // milliseconds: either way the row is not the Date it reads as, and matches no `=` with it.
      const at = fixture.dialect === "postgresql" ? "2024-01-01 00:00:00.0005+00" : "2024-01-01 00:00:00"
      await using session = new AsyncSession(engine)
      await session.execute(deleteFrom(RStamp), { synchronizeSession: false })
      await session.execute(text(`INSERT INTO r_stamps (id, at, label) VALUES (1, '${at}', 'before')`))
      const stamp = await session.get(RStamp, 1)
      expect(stamp?.at).toEqual(new Date("2024-01-01T00:00:00.000Z"))
      const result = await session.execute(
        update(RStamp)
          .where(RStamp.at.eq(new Date("2024-01-01T00:00:00.000Z")))
          .values({ label: "after" }),
      )
      expect(result.rowsAffected).toBe(0)
      expect(stamp?.label).toBe("before")
      await session.rollback()
    })

    if (fixture.dialect === "sqlite") {
      it("evaluate: % of a Float is left to SQLite, which takes both sides as integers", async () => {
        await using session = new AsyncSession(engine)
        await session.execute(deleteFrom(RStamp), { synchronizeSession: false })
        const stamp = new RStamp({ id: 2, ratio: 7.5, label: "ratio" })
        session.add(stamp)
        await session.flush()
        await session.execute(update(RStamp).values({ ratio: RStamp.ratio.mod(2) }))
        const stored = await session.scalar(select(RStamp.ratio).where(RStamp.id.eq(2)))
        expect([stamp.ratio, stored]).toEqual([1, 1])
        await session.rollback()
      })
    }

    it("evaluate: values a bulk UPDATE sets read as the database holds them, as after a flush", async () => {
      await using session = new AsyncSession(engine)
      const accounts = (await session.scalars(select(RAccount).orderBy(RAccount.id))).all()
      await session.execute(update(RAccount).values({ balance: "12.5", hits: 5 as never }))
      const inDb = (await session.execute(select(RAccount.balance, RAccount.hits).orderBy(RAccount.id))).all()
      expect(accounts.map((a) => [a.balance, a.hits])).toEqual(inDb)
      expect(inDb[0]).toEqual(["12.50", 5n])
      await session.rollback()
    })

    it("updates and deletes a row whose DateTime key holds more than milliseconds", async () => {
      const at =
        fixture.dialect === "postgresql" ? "2024-05-01 12:00:00.123456+00" : "2024-05-01 12:00:00.123456"
      await using session = new AsyncSession(engine)
      await session.execute(deleteFrom(RReading), { synchronizeSession: false })
      await session.execute(text(`INSERT INTO r_readings (sensor, at, note) VALUES (1, '${at}', 'raw')`))
      const reading = (await session.scalars(select(RReading))).one()
      reading.note = "edited"
      await session.flush()
      expect((await session.execute(select(RReading.note))).scalars().all()).toEqual(["edited"])
      await session.delete(reading)
      await session.flush()
      expect((await session.execute(select(RReading.note))).scalars().all()).toEqual([])
      await session.rollback()
    })

    for (const [zone, day] of [
      ["Pacific/Kiritimati", "1994-12-31"],
      ["Pacific/Apia", "2011-12-30"],
    ] as const) {
      it(`reads back ${day} in ${zone}, which skipped that day`, async () => {
        const before = process.env.TZ
        process.env.TZ = zone
        try {
          await using session = new AsyncSession(engine)
          await session.execute(deleteFrom(RReading), { synchronizeSession: false })
          session.add(new RReading({ sensor: 2, at: new Date(0), note: "day", day }))
          await session.flush()
          session.expungeAll()
          expect((await session.scalars(select(RReading.day))).all()).toEqual([day])
          await session.rollback()
        } finally {
          if (before === undefined) delete process.env.TZ
          else process.env.TZ = before
        }
      })
    }

    it("selects an aliased model whose relationship loads by default (lazy selectin)", async () => {
      await using session = new AsyncSession(engine)
      const acct = aliased(RAccount, "acct")
      const rows = (await session.scalars(select(acct).orderBy(acct.id))).all()
      expect(rows.map((a) => a.entries.length)).toEqual([1, 0])
    })

    it("selects an aliased model whose many-to-one is lazy joined", async () => {
      await using session = new AsyncSession(engine)
      const e = aliased(REntry, "e")
      const rows = (await session.scalars(select(e))).all()
      expect(rows.map((r) => r.account?.label)).toEqual(["Élan"])
    })

    it("loads the lazy selectin defaults of an object loaded by a lazy joined many-to-one", async () => {
      await using session = new AsyncSession(engine)
      const [note] = (await session.scalars(select(RNote))).all()
      expect(() => note?.account.entries.length).not.toThrow()
    })

    it("groups rows of a model with a lazy joined many-to-one (GROUP BY its key)", async () => {
      await using session = new AsyncSession(engine)
      const rows = (await session.execute(select(REntry, func.count()).groupBy(REntry.id))).all()
      expect(rows.length).toBe(1)
    })

    it("locks rows of a model with a lazy joined many-to-one (FOR UPDATE; SQLite has none)", async () => {
      await using session = new AsyncSession(engine)
      const locking = session.scalars(select(REntry).forUpdate())
      if (fixture.dialect === "sqlite") {
        await expect(locking).rejects.toThrow(/FOR UPDATE/)
      } else {
        expect((await locking).all().length).toBe(1)
      }
      await session.rollback()
    })
  })
}
