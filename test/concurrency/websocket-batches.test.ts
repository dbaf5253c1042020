// Atomic batches over Neon's WebSocket (mode "websocket") beside other calls of the same connection
// (a Promise.all). A batch sends its own BEGIN ... COMMIT; sent while a transaction was being opened
// (its BEGIN out), it committed that transaction there and then (PostgreSQL only warns of the second
// BEGIN): session.begin() beside a paginate() left the session writing in autocommit, and rollback()
// undid nothing; a FOR UPDATE beside it held no lock. And a batch whose values have no exact text (an
// array) ran as BEGIN, its statements one by one, COMMIT: meanwhile the connection said it was inside
// a transaction, and a statement sent then went into the batch's, reported done, then rolled back with
// the batch when one of its statements failed.
import { describe, expect, it } from "vitest"
import ws from "ws"
import { AsyncSession, func, insert, OperationalError, select, text, update } from "../../src/index.ts"
import { neonFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"
import { concurrencyModels } from "./models.ts"

const { registry, Doc, docsTable: table, storedIn } = concurrencyModels("wsbatch")
const fixture = neonFixture("websocket", ws)

describe("WebSocket batches beside other calls of their connection", () => {
  const engine = fixture.engine(`cc-wsbatch-${Date.now().toString(36)}`)
  freshSchema(engine, registry.metadata)

  it("a statement sent while a batch runs statement by statement is not undone with it", async () => {
    await using connection = engine.connect()
    await connection.execute(insert(Doc).values({ name: "taken" }))
    const [batch, statement] = await Promise.allSettled([
      connection.batch([
        // An array parameter: the batch cannot be inlined as one script.
        text(`INSERT INTO ${table} (name, n) SELECT 'array-' || x, x FROM unnest($1::int[]) AS x`).bind([
          [1, 2],
        ]),
        insert(Doc).values({ name: "taken" }),
      ]),
      connection.execute(update(Doc).where(Doc.c.name.eq("taken")).values({ n: 77 })),
    ])
    expect(batch.status).toBe("rejected")
    expect(connection.inTransaction).toBe(false)
    await using reader = new AsyncSession(engine)
    const arrays = await reader.scalar(select(func.count()).selectFrom(Doc).where(Doc.c.name.like("array-%")))
    expect(Number(arrays)).toBe(0)
    const n = await reader.scalar(select(Doc.c.n).where(Doc.c.name.eq("taken")))
    // Whatever became of the statement, it says so: done and stored, or refused.
    expect(statement.status === "fulfilled" ? n : "refused").toBe(
      statement.status === "fulfilled" ? 77 : "refused",
    )
  })
  const stored = (name: string) => storedIn(engine, name)
  const page = select(Doc).orderBy(Doc.id)

  it("begin() beside a paginate(): the transaction stays open, and rollback() undoes what it wrote", async () => {
    await using session = new AsyncSession(engine)
    await session.get(Doc, 0) // the socket open, so both calls go out at once
    const [, paged] = await Promise.all([session.begin(), session.paginate(page, { page: 1, pageSize: 2 })])
    expect(paged.total).toBeGreaterThan(0)
    session.add(new Doc({ name: "rolled-back" }))
    await session.flush()
    await session.rollback()
    expect(await stored("rolled-back")).toBe(0)
  })

  it("a FOR UPDATE read beside a paginate() holds its lock until the session ends", async () => {
    await using session = new AsyncSession(engine)
    await session.get(Doc, 0)
    const [locked] = await Promise.all([
      session.scalars(select(Doc).where(Doc.c.name.eq("taken")).forUpdate()),
      session.paginate(page, { page: 1, pageSize: 2 }),
    ])
    expect(locked.one().name).toBe("taken")
    expect(session.inTransaction()).toBe(true)
    await using other = new AsyncSession(engine)
    const nowait = select(Doc).where(Doc.c.name.eq("taken")).forUpdate({ nowait: true })
    await expect(other.scalars(nowait)).rejects.toBeInstanceOf(OperationalError)
  })
})
