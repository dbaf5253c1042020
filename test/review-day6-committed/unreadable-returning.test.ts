// commit() said a commit the database applied had failed. The flush and its COMMIT go out as one atomic
// request; the rows its INSERT ... RETURNING sends back were decoded after the request, so a value the
// model's type cannot read (PostgreSQL's 'infinity' in a DateTime, text in one on SQLite, an id past
// 2^53 in an Integer) threw a DataError after the COMMIT. The session then put the objects back as
// pending, without keys, and a retry inserted the rows again. Now the commit stands: the objects are
// persistent with their keys, the value that could not be read is unloaded (refresh() reads it, and
// raises the DataError), and commit() rejects with CommittedButUnreadableError, which says it was
// applied. An object whose key cannot be read is detached, not pending. Inside an interactive
// transaction the flush's rows are read before COMMIT, and the failure rolls it back, as before.
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import ws from "ws"
import {
  AsyncSession,
  CommittedButUnreadableError,
  column,
  DataError,
  DateTime,
  type Engine,
  func,
  Integer,
  insert,
  inspect,
  model,
  NotLoadedError,
  PendingRollbackError,
  Registry,
  String,
  select,
  text,
  update,
} from "../../src/index.ts"
import { libsqlEmbedded } from "../../src/libsql-node.ts"
import {
  libsqlEmbeddedFixture,
  libsqlHttpFixture,
  neonFixture,
  type TransportFixture,
} from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"
import { scratchDir } from "../setup/scratch.ts"

const registry = new Registry()
/** `at` is filled in by the database: 'infinity', which no Date holds. */
class Gauge extends model(
  "r6c_ur_gauges",
  {
    id: column(Integer, { primaryKey: true }),
    label: column(String(20)),
    at: column(DateTime, { serverDefault: "infinity" }),
  },
  { registry },
) {}
/** Ids past 2^53, mapped as Integer: the key of a new row cannot be read. */
class Meter extends model(
  "r6c_ur_meters",
  { id: column(Integer, { primaryKey: true }), label: column(String(20)) },
  { registry },
) {}
class Note extends model(
  "r6c_ur_notes",
  { id: column(Integer, { primaryKey: true }), body: column(String(20)) },
  { registry },
) {}
registry.registerModels(Gauge, Meter, Note)

const BIG_KEYS = {
  postgresql: [
    "DROP TABLE IF EXISTS r6c_ur_meters",
    "CREATE TABLE r6c_ur_meters (id bigserial PRIMARY KEY, label varchar(20) NOT NULL)",
    "INSERT INTO r6c_ur_meters (id, label) VALUES (9007199254740992, 'last')",
    "SELECT setval(pg_get_serial_sequence('r6c_ur_meters', 'id'), 9007199254740992)",
  ],
  sqlite: [
    "DROP TABLE IF EXISTS r6c_ur_meters",
    "CREATE TABLE r6c_ur_meters (id INTEGER PRIMARY KEY, label VARCHAR(20) NOT NULL)",
    "INSERT INTO r6c_ur_meters (id, label) VALUES (9007199254740992, 'last')",
  ],
}

async function count(engine: Engine, table: string): Promise<number> {
  const result = await engine.execute(text(`SELECT count(*) FROM ${table}`).columns(Integer))
  return result.rows[0]?.[0] as number
}

for (const fixture of [
  neonFixture("http", ws),
  neonFixture("websocket", ws),
  libsqlHttpFixture(),
  libsqlEmbeddedFixture(libsqlEmbedded(), join(scratchDir("r6c-ur"), "x.db")),
] as TransportFixture[]) {
  describe(`a commit whose returned rows cannot be read, on ${fixture.name}`, () => {
    const engine = fixture.engine(`r6c-ur-${fixture.name}-${Date.now().toString(36)}`)
    freshSchema(engine, registry.metadata)

    it("stands: the objects are persistent, the value unloaded, and a retry writes nothing", async () => {
      await using session = new AsyncSession(engine)
      const gauge = new Gauge({ label: "a" })
      session.add(gauge)
      const failure = await session.commit().then(
        () => undefined,
        (error: unknown) => error,
      )
      expect(failure).toBeInstanceOf(CommittedButUnreadableError)
      expect((failure as Error).message).toMatch(/was applied.*do not retry/)
      expect((failure as Error).cause).toBeInstanceOf(DataError)
      expect(await count(engine, "r6c_ur_gauges")).toBe(1)
      expect(inspect(gauge).state).toBe("persistent")
      expect(typeof gauge.id).toBe("number")
      expect(gauge.label).toBe("a")
      // Not invented: unloaded, and reading it from the row raises what the row holds.
      expect(() => gauge.at).toThrow(NotLoadedError)
      await expect(session.refresh(gauge)).rejects.toThrow(/read from the database/)
      expect(await session.get(Gauge, gauge.id)).toBe(gauge)

      // The application retries, as after a failure: there is nothing left to write.
      await session.commit()
      expect(await count(engine, "r6c_ur_gauges")).toBe(1)
      // And the session goes on: a change of a readable column is written, and the UPDATE's answer,
      // which holds the value again, says so.
      gauge.label = "b"
      await expect(session.commit()).rejects.toThrow(CommittedButUnreadableError)
      expect(gauge.label).toBe("b")
      expect(inspect(gauge).state).toBe("persistent")
      expect(session.isModified(gauge)).toBe(false)
      await session.commit()
      const [label] = (
        await engine.execute(text("SELECT label FROM r6c_ur_gauges").columns(String(20)))
      ).rows.map((row) => row[0])
      expect(label).toBe("b")
      await engine.execute(text("DELETE FROM r6c_ur_gauges"))
    })

    it("detaches an object whose key cannot be read: not pending, not inserted again", async () => {
      for (const sql of BIG_KEYS[fixture.dialect]) await engine.execute(text(sql))
      await using session = new AsyncSession(engine)
      const meter = new Meter({ label: "b" })
      const note = new Note({ body: "beside it" })
      session.addAll([meter, note])
      const failure = await session.commit().catch((error: unknown) => error)
      expect(failure).toBeInstanceOf(CommittedButUnreadableError)
      expect((failure as Error).message).toMatch(
        /was applied.*1 new Meter whose key could not be read is detached/,
      )
      expect(await count(engine, "r6c_ur_meters")).toBe(2)
      expect(inspect(meter).state).toBe("detached")
      expect(inspect(note).state).toBe("persistent")
      await session.commit()
      // Added again, it is not inserted again either.
      session.add(meter)
      await session.commit()
      expect(await count(engine, "r6c_ur_meters")).toBe(2)
      expect(await count(engine, "r6c_ur_notes")).toBe(1)
      await engine.execute(text("DELETE FROM r6c_ur_notes"))
    })

    it("stands when the read sent with it cannot be read", async () => {
      await engine.execute(text("INSERT INTO r6c_ur_gauges (id, label) VALUES (7, 'x')"))
      await using session = new AsyncSession(engine)
      const note = new Note({ body: "read after" })
      session.add(note)
      const failure = await session
        .commit({ read: select(Gauge).where(Gauge.id.eq(7)) })
        .catch((error: unknown) => error)
      expect(failure).toBeInstanceOf(CommittedButUnreadableError)
      expect(await count(engine, "r6c_ur_notes")).toBe(1)
      expect(inspect(note).state).toBe("persistent")
      await session.commit()
      expect(await count(engine, "r6c_ur_notes")).toBe(1)
      await engine.execute(text("DELETE FROM r6c_ur_gauges"))
      await engine.execute(text("DELETE FROM r6c_ur_notes"))
    })

    it("says an autocommitted session.execute() write whose RETURNING row cannot be read was applied", async () => {
      await using session = new AsyncSession(engine)
      const failure = await session
        .execute(insert(Gauge).values({ label: "e" }).returning(Gauge))
        .catch((error: unknown) => error)
      expect(failure).toBeInstanceOf(CommittedButUnreadableError)
      expect(await count(engine, "r6c_ur_gauges")).toBe(1)
      // Its readable columns come back as before.
      const updated = await session.execute(
        update(Gauge).where(Gauge.label.eq("e")).values({ label: "f" }).returning(Gauge.id),
      )
      expect(updated.rows).toEqual([[expect.any(Number)]])
      await engine.execute(text("DELETE FROM r6c_ur_gauges"))
    })

    it("fails inside an interactive transaction, which is rolled back: the object pending, its row gone", async () => {
      await using session = new AsyncSession(engine)
      await session.begin()
      const gauge = new Gauge({ label: "c" })
      session.add(gauge)
      const failure = await session.flush().catch((error: unknown) => error)
      expect(failure).toBeInstanceOf(DataError)
      expect(failure).not.toBeInstanceOf(CommittedButUnreadableError)
      expect(inspect(gauge).state).toBe("pending")
      // The application gives the object up: its INSERT must not be committed by the next commit. (It
      // was: the transaction stayed open, holding the row of an object put back as pending.)
      session.expunge(gauge)
      await expect(session.commit()).rejects.toThrow(PendingRollbackError)
      await session.rollback()
      expect(await count(engine, "r6c_ur_gauges")).toBe(0)
      const [total] = (await session.execute(select(func.count(Gauge.id)))).rows[0] ?? []
      expect(total).toBe(0)
    })

    it("fails inside a savepoint, which alone is rolled back: the work before it is committed", async () => {
      await using session = new AsyncSession(engine)
      await session.begin()
      const note = new Note({ body: "before" })
      session.add(note)
      await session.flush()
      const savepoint = await session.beginNested()
      const gauge = new Gauge({ label: "d" })
      session.add(gauge)
      const failure = await session.flush().catch((error: unknown) => error)
      expect(failure).toBeInstanceOf(DataError)
      expect(failure).not.toBeInstanceOf(CommittedButUnreadableError)
      expect(inspect(gauge).state).toBe("pending")
      // Given up; the failure rolled back to the savepoint (the INSERT with it), so the commit that
      // follows keeps only the work before it. (The INSERT stayed, and was committed.)
      session.expunge(gauge)
      await session.commit()
      await savepoint.rollback()
      expect(inspect(note).state).toBe("persistent")
      expect(await count(engine, "r6c_ur_notes")).toBe(1)
      expect(await count(engine, "r6c_ur_gauges")).toBe(0)
      await engine.execute(text("DELETE FROM r6c_ur_notes"))
    })
  })
}
