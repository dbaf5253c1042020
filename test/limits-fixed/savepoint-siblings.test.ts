// Statements sent together inside a savepoint (a Promise.all) when one of them fails: the failure rolls
// the savepoint back, and with it the work of the others. On SQLite a statement sent beside the failing
// one ran and was reported done, then the automatic rollback to the savepoint undid it; on PostgreSQL
// the same statement failed with "current transaction is aborted" (an OperationalError), and one
// answered before the failure was reported done on both. Now, on both databases, each statement out
// beside the failure is refused with a PendingRollbackError whose cause is the failure, the failing one
// keeps its own error, and the enclosing transaction goes on.
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import ws from "ws"
import {
  AsyncSession,
  beginNested,
  type Connection,
  IntegrityError,
  insert,
  PendingRollbackError,
  select,
} from "../../src/index.ts"
import { libsqlEmbedded } from "../../src/libsql-node.ts"
import { concurrencyModels } from "../concurrency/models.ts"
import { libsqlEmbeddedFixture, libsqlHttpFixture, neonFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"
import { scratchDir } from "../setup/scratch.ts"

const { registry, Doc, storedIn } = concurrencyModels("lf_siblings")

const outcomeOf = (work: Promise<unknown>) =>
  work.then(
    () => "done",
    (error: unknown) =>
      error instanceof PendingRollbackError && error.cause instanceof IntegrityError
        ? "refused, the failure its cause"
        : error instanceof IntegrityError
          ? "integrity error"
          : `unexpected: ${String(error)}`,
  )

const fixtures = [
  neonFixture("http", ws),
  neonFixture("websocket", ws),
  libsqlHttpFixture(),
  libsqlEmbeddedFixture(libsqlEmbedded(), join(scratchDir("lf-siblings"), "siblings.db")),
]

for (const fixture of fixtures) {
  describe(`statements beside a failing one inside a savepoint, on ${fixture.name}`, () => {
    const engine = fixture.engine(`lf-siblings-${fixture.name}-${Date.now().toString(36)}`)
    freshSchema(engine, registry.metadata)
    let next = 0
    const unique = (what: string) => `${what}-${++next}`
    const stored = (name: string) => storedIn(engine, name)

    /** A name already stored: inserting it again fails. */
    const taken = async () => {
      const name = unique("taken")
      await using seed = new AsyncSession(engine)
      seed.add(new Doc({ name }))
      await seed.commit()
      return name
    }

    /** A connection in a transaction with a row written, then in a savepoint. */
    const inSavepoint = async (connection: Connection) => {
      await connection.begin()
      const outer = unique("outer")
      await connection.execute(insert(Doc).values({ name: outer }))
      return { outer, savepoint: await beginNested(connection) }
    }

    for (const order of ["after", "before"] as const) {
      it(`a write and a read sent ${order} the failing INSERT are refused; the transaction goes on`, async () => {
        const name = await taken()
        await using connection = engine.connect()
        const { outer, savepoint } = await inSavepoint(connection)
        const beside = unique("beside")
        const failing = () => connection.execute(insert(Doc).values({ name }))
        const others = () => [
          connection.execute(insert(Doc).values({ name: beside })),
          connection.execute(select(Doc.c.id).where(Doc.c.name.eq(outer))),
        ]
        const sent = order === "after" ? [failing(), ...others()] : [...others(), failing()]
        const outcomes = await Promise.all(sent.map(outcomeOf))
        const refused = "refused, the failure its cause"
        expect(outcomes).toEqual(
          order === "after" ? ["integrity error", refused, refused] : [refused, refused, "integrity error"],
        )
        expect([connection.inTransaction, savepoint.state]).toEqual([true, "failed"])
        await savepoint.rollback()
        await connection.commit()
        expect([await stored(outer), await stored(beside)]).toEqual([1, 0])
      })
    }

    it("through a session: the write beside the failure is refused, and its objects go back", async () => {
      const name = await taken()
      await using session = new AsyncSession(engine)
      await session.begin()
      const outer = new Doc({ name: unique("outer") })
      session.add(outer)
      await session.flush()
      const nested = await session.beginNested()
      const beside = unique("beside")
      const outcomes = await Promise.all([
        outcomeOf(session.execute(insert(Doc).values({ name }))),
        outcomeOf(session.execute(insert(Doc).values({ name: beside }))),
      ])
      expect(outcomes).toEqual(["integrity error", "refused, the failure its cause"])
      await nested.rollback()
      await session.commit()
      expect([await stored(outer.name), await stored(beside)]).toEqual([1, 0])
    })

    it("statements sent together that all succeed are all done, and kept", async () => {
      await using connection = engine.connect()
      const { outer, savepoint } = await inSavepoint(connection)
      const names = [unique("one"), unique("two"), unique("three")]
      const outcomes = await Promise.all(
        names.map((name) => outcomeOf(connection.execute(insert(Doc).values({ name })))),
      )
      expect(outcomes).toEqual(["done", "done", "done"])
      await savepoint.commit()
      await connection.commit()
      expect(await Promise.all([outer, ...names].map(stored))).toEqual([1, 1, 1, 1])
    })

    it("a statement sent after the failure was answered runs in the enclosing transaction, and stays", async () => {
      const name = await taken()
      await using connection = engine.connect()
      const { outer, savepoint } = await inSavepoint(connection)
      await expect(connection.execute(insert(Doc).values({ name }))).rejects.toBeInstanceOf(IntegrityError)
      const after = unique("after")
      await connection.execute(insert(Doc).values({ name: after }))
      expect(savepoint.state).toBe("failed")
      await connection.commit()
      expect([await stored(outer), await stored(after)]).toEqual([1, 1])
    })
  })
}
