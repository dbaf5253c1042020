// Two writers on one embedded libSQL file, as two migration runners are: the second one's atomic batch
// fails with SQLITE_BUSY while the first holds the write lock, and once the first commits, the second
// one's batch sent again must go through. The client's failed BEGIN IMMEDIATE stayed in progress on the
// connection it returned to its pool, so the batch sent again failed at its COMMIT ("cannot commit
// transaction - SQL statements in progress") and left the lock held until garbage collection: a second
// migrator retried for 1.5 to over 20 seconds before it could read that the first had done the work.
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, expect, it } from "vitest"
import { createEngine, OperationalError, text } from "../../src/index.ts"
import { libsqlEmbedded } from "../../src/libsql-node.ts"

const directory = mkdtempSync(join(tmpdir(), "r5m-busy-"))
afterAll(() => rmSync(directory, { recursive: true, force: true }))

it("sends a batch again once the writer that made it busy has committed", async () => {
  const url = `file:${join(directory, "busy.db")}`
  const first = createEngine(url, { driver: libsqlEmbedded() })
  const second = createEngine(url, { driver: libsqlEmbedded() })
  await first.execute(text("CREATE TABLE r5m_log (n INTEGER)"))

  const holder = first.connect()
  const waiter = second.connect()
  try {
    await holder.begin()
    await holder.execute(text("INSERT INTO r5m_log VALUES (1)"))
    // Two statements: a transaction of their own (one would go as a plain execute).
    const pair = (a: number, b: number) => [
      text(`INSERT INTO r5m_log VALUES (${a})`),
      text(`INSERT INTO r5m_log VALUES (${b})`),
    ]
    const busy = await waiter.batch(pair(2, 20)).catch((e: unknown) => e)
    expect(busy).toBeInstanceOf(OperationalError)
    expect(String(busy)).toMatch(/SQLITE_BUSY|database is locked/)
    await holder.commit()

    // The same connection, sent again (as the migrator's retry does): it goes through at once.
    await waiter.batch(pair(3, 30))
    await waiter.batch(pair(4, 40))
  } finally {
    await holder.close()
    await waiter.close()
  }
  const rows = (await first.execute(text("SELECT n FROM r5m_log ORDER BY n"))).all()
  expect(rows.map((row) => Number(row[0]))).toEqual([1, 3, 4, 30, 40])
  // And the file takes a writer from elsewhere: no lock was left behind.
  await first.execute(text("INSERT INTO r5m_log VALUES (5)"))
})
