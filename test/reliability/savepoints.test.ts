// Rolling back a savepoint in an error handler, on every transport that has savepoints, in Core and
// in the ORM. A statement that fails inside a savepoint rolls it back at once (the enclosing
// transaction goes on); the application's own rollback() must then do nothing rather than throw, as
// in SQLAlchemy, and rolling back one that was released or ended with its transaction too.
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import ws from "ws"
import {
  AsyncSession,
  beginNested,
  type Connection,
  column,
  deleteFrom,
  Integer,
  IntegrityError,
  InvalidRequestError,
  insert,
  inspect,
  model,
  Registry,
  String,
  select,
  table,
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

class Account extends model(
  "sp_accounts",
  { id: column(Integer, { primaryKey: true }), name: column(String(40), { unique: true }) },
  { registry },
) {}

registry.registerModels(Account)

/** The Core tests' table. */
const ledger = table(
  "sp_ledger",
  { id: column(Integer, { primaryKey: true }), name: column(String(40), { unique: true }) },
  { metadata: registry.metadata },
)

const fixtures: TransportFixture[] = [
  neonFixture("websocket", ws),
  libsqlHttpFixture(),
  libsqlEmbeddedFixture(libsqlEmbedded(), join(scratchDir("ea-savepoints"), "sp.db")),
]

for (const fixture of fixtures) {
  describe(`savepoint rollback after a failure on ${fixture.name}`, () => {
    const engine = fixture.engine(`savepoints-${fixture.name}-${Date.now().toString(36)}`)
    freshSchema(engine, registry.metadata)

    /** The names stored in the Core table, or the ORM's. */
    async function names(orm = false): Promise<string[]> {
      const column = orm ? Account.c.name : ledger.c.name
      return (await engine.execute(select(column).orderBy(column))).scalars().all()
    }

    async function empty(): Promise<void> {
      await engine.execute(deleteFrom(ledger))
      await engine.execute(deleteFrom(Account))
    }

    const add = (connection: Connection, name: string) => connection.execute(insert(ledger).values({ name }))

    it("Core: rollback() in the error handler does nothing; the transaction goes on and commits", async () => {
      await empty()
      await using connection = engine.connect()
      await connection.begin()
      await add(connection, "before")
      const savepoint = await beginNested(connection)
      let caught: unknown
      try {
        await add(connection, "inside")
        await add(connection, "before")
        await savepoint.commit()
      } catch (error) {
        caught = error
        await savepoint.rollback()
      }
      expect(caught).toBeInstanceOf(IntegrityError)
      expect(savepoint.state).toBe("rolled back")
      await savepoint.rollback()
      await expect(savepoint.commit()).rejects.toThrow(/no longer active \(rolled back\)/)
      await add(connection, "after")
      await connection.commit()
      expect(await names()).toEqual(["after", "before"])
    })

    it("Core: commit() after the failure is refused, naming the fix", async () => {
      await empty()
      await using connection = engine.connect()
      await connection.begin()
      const savepoint = await beginNested(connection)
      await add(connection, "x")
      await expect(add(connection, "x")).rejects.toBeInstanceOf(IntegrityError)
      expect(savepoint.state).toBe("failed")
      const refused = await savepoint.commit().catch((error: unknown) => error)
      expect(refused).toBeInstanceOf(InvalidRequestError)
      expect((refused as Error).message).toMatch(/no longer active \(failed\); roll it back/)
      await savepoint.rollback()
      await connection.commit()
      // The savepoint's own work went with it.
      expect(await names()).toEqual([])
    })

    it("Core: a failure in an inner savepoint leaves the outer one to commit or roll back", async () => {
      await empty()
      await using connection = engine.connect()
      await connection.begin()
      const outer = await beginNested(connection)
      await add(connection, "outer")
      const inner = await beginNested(connection)
      await expect(add(connection, "outer")).rejects.toBeInstanceOf(IntegrityError)
      await inner.rollback()
      expect(outer.state).toBe("active")
      await add(connection, "outer-2")
      await outer.commit()
      // A second failure, then the outer savepoint rolled back first: the inner one ended with it.
      const second = await beginNested(connection)
      await add(connection, "dropped")
      const innermost = await beginNested(connection)
      await expect(add(connection, "dropped")).rejects.toBeInstanceOf(IntegrityError)
      await second.rollback()
      expect(innermost.state).toBe("closed")
      await innermost.rollback()
      await connection.commit()
      expect(await names()).toEqual(["outer", "outer-2"])
    })

    it("Core: rolling back a released savepoint, or one whose transaction ended, does nothing", async () => {
      await empty()
      await using connection = engine.connect()
      await connection.begin()
      const released = await beginNested(connection)
      await add(connection, "kept")
      await released.commit()
      await released.rollback()
      const open = await beginNested(connection)
      await connection.commit()
      expect(open.state).toBe("closed")
      await open.rollback()
      await expect(open.commit()).rejects.toThrow(/no longer active \(closed\)/)
      expect(await names()).toEqual(["kept"])
    })

    it("ORM: after a failed flush in beginNested(), rollback() restores the objects and the session commits", async () => {
      await empty()
      await using session = new AsyncSession(engine)
      const first = new Account({ name: "first" })
      session.add(first)
      await session.flush()
      const nested = await session.beginNested()
      const duplicate = new Account({ name: "renamed" }) // first takes it: the UPDATE goes before the INSERT
      first.name = "renamed"
      session.add(duplicate)
      let caught: unknown
      try {
        await session.flush()
        await nested.commit()
      } catch (error) {
        caught = error
        await nested.rollback()
      }
      expect(caught).toBeInstanceOf(IntegrityError)
      // As at the savepoint: the new object is gone from the session, the change undone.
      expect(inspect(duplicate).state).toBe("transient")
      expect(first.name).toBe("first")
      await nested.rollback()
      session.add(new Account({ name: "second" }))
      await session.commit()
      expect(await names(true)).toEqual(["first", "second"])
    })

    it("ORM: rolling back a savepoint after its transaction ended changes no object", async () => {
      await empty()
      await using session = new AsyncSession(engine)
      const nested = await session.beginNested()
      const kept = new Account({ name: "kept" })
      session.add(kept)
      await nested.commit()
      await session.commit()
      await nested.rollback()
      expect(inspect(kept).state).toBe("persistent")
      expect(kept.id).toEqual(expect.any(Number))
      const open = await session.beginNested()
      kept.name = "changed"
      await session.commit()
      await open.rollback()
      expect(kept.name).toBe("changed")
      expect(await names(true)).toEqual(["changed"])
    })
  })
}
