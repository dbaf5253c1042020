// An autocommitted write whose answer could not be read was reported as a plain DataError, after the
// database had committed it. engine.execute(), a connection's execute() or batch() outside a
// transaction, and a ReadSession's execute() send a write in autocommit; the rows its RETURNING sends
// back were decoded afterwards, and a value the model's type cannot read (a server default of
// PostgreSQL's 'infinity' in a DateTime, an id past 2^53 in an Integer) threw the DataError a bad value
// is refused with before anything is written. An application that answers DataError as "bad input,
// nothing written" retried, and wrote the row again. Now such a failure of a request that committed is
// CommittedButUnreadableError (applied: do not retry), its cause the DataError; a read, and a write
// inside an open transaction (which the caller can still roll back), still fail with the DataError.
import { beforeEach, describe, expect, it } from "vitest"
import ws from "ws"
import {
  CommittedButUnreadableError,
  column,
  DataError,
  DateTime,
  type Engine,
  Integer,
  insert,
  model,
  ReadSession,
  Registry,
  String,
  select,
  text,
  update,
} from "../../src/index.ts"
import { libsqlHttpFixture, neonFixture, type TransportFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"

const registry = new Registry()
/** `at` is filled in by the database: 'infinity', which no Date holds. */
class Beacon extends model(
  "r7b_au_beacons",
  {
    id: column(Integer, { primaryKey: true }),
    label: column(String(20)),
    at: column(DateTime, { serverDefault: "infinity" }),
  },
  { registry },
) {}
registry.registerModels(Beacon)

async function count(engine: Engine): Promise<number> {
  const result = await engine.execute(text("SELECT count(*) FROM r7b_au_beacons").columns(Integer))
  return result.rows[0]?.[0] as number
}

async function failureOf(work: Promise<unknown>): Promise<unknown> {
  return work.then(
    () => undefined,
    (error: unknown) => error,
  )
}

/** The failure of a write the database applied: said so, with the value's DataError as its cause. */
function expectApplied(failure: unknown): void {
  expect(failure).toBeInstanceOf(CommittedButUnreadableError)
  expect((failure as Error).message).toMatch(
    /was applied but its answer could not be read \(.*\): do not retry it$/,
  )
  expect((failure as Error).message).toMatch(/read from the database/)
  expect((failure as Error).cause).toBeInstanceOf(DataError)
}

for (const fixture of [
  neonFixture("http", ws),
  neonFixture("websocket", ws),
  libsqlHttpFixture(),
] as TransportFixture[]) {
  describe(`an autocommitted write whose answer cannot be read, on ${fixture.name}`, () => {
    const engine = fixture.engine(`r7b-au-${fixture.name}-${Date.now().toString(36)}`)
    freshSchema(engine, registry.metadata)
    beforeEach(() => engine.execute(text("DELETE FROM r7b_au_beacons")))

    it("engine.execute(): applied, and said so", async () => {
      const failure = await failureOf(
        engine.execute(insert(Beacon).values({ label: "a" }).returning(Beacon.at)),
      )
      expectApplied(failure)
      expect(await count(engine)).toBe(1)
    })

    it("a connection's execute() outside a transaction, and a text() write typed by its columns", async () => {
      await using connection = engine.connect()
      expectApplied(
        await failureOf(connection.execute(insert(Beacon).values({ label: "b" }).returning(Beacon))),
      )
      expectApplied(
        await failureOf(
          connection.execute(text("UPDATE r7b_au_beacons SET label = 'c' RETURNING at").columns(DateTime)),
        ),
      )
      expect(await count(engine)).toBe(1)
      // The connection goes on.
      const [label] = (await connection.execute(select(Beacon.label))).rows[0] ?? []
      expect(label).toBe("c")
    })

    it("a connection's batch(): the whole batch was applied", async () => {
      await using connection = engine.connect()
      const failure = await failureOf(
        connection.batch([
          insert(Beacon).values({ label: "d" }),
          update(Beacon).where(Beacon.label.eq("d")).values({ label: "e" }).returning(Beacon.id, Beacon.at),
        ]),
      )
      expectApplied(failure)
      expect(await count(engine)).toBe(1)
    })

    it("a ReadSession's execute() of a write", async () => {
      await using session = new ReadSession(engine)
      expectApplied(await failureOf(session.execute(insert(Beacon).values({ label: "f" }).returning(Beacon))))
      expect(await count(engine)).toBe(1)
    })

    it("a read that cannot be read is the DataError: nothing was written", async () => {
      await engine.execute(insert(Beacon).values({ label: "g" }))
      const failure = await failureOf(engine.execute(select(Beacon.at)))
      expect(failure).toBeInstanceOf(DataError)
      expect(failure).not.toBeInstanceOf(CommittedButUnreadableError)
      await using session = new ReadSession(engine)
      const loaded = await failureOf(session.scalars(select(Beacon)))
      expect(loaded).toBeInstanceOf(DataError)
      expect(loaded).not.toBeInstanceOf(CommittedButUnreadableError)
      // Raw SQL that only reads, though it does not start with SELECT, and a batch of such reads.
      const cte = text("WITH t AS (SELECT at FROM r7b_au_beacons) SELECT at FROM t").columns(DateTime)
      const read = await failureOf(engine.execute(cte))
      expect(read).toBeInstanceOf(DataError)
      expect(read).not.toBeInstanceOf(CommittedButUnreadableError)
      await using connection = engine.connect()
      const batched = await failureOf(connection.batch([select(Beacon.label), cte]))
      expect(batched).toBeInstanceOf(DataError)
      expect(batched).not.toBeInstanceOf(CommittedButUnreadableError)
      expect(await count(engine)).toBe(1)
    })

    if (fixture.name !== "neon-http") {
      it("a write inside an open transaction is the DataError: nothing is committed yet", async () => {
        await using connection = engine.connect()
        await connection.begin()
        const failure = await failureOf(
          connection.execute(insert(Beacon).values({ label: "h" }).returning(Beacon.at)),
        )
        expect(failure).toBeInstanceOf(DataError)
        expect(failure).not.toBeInstanceOf(CommittedButUnreadableError)
        await connection.rollback()
        expect(await count(engine)).toBe(0)
      })
    }
  })
}
