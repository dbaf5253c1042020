// What a transaction costs in HTTP requests over edgealchemy/libsql's own Hrana transport, and what
// close() leaves behind. The transport chooses each request's contents itself (src/drivers/libsql/
// hrana.ts): BEGIN travels with the first statement, COMMIT or ROLLBACK with the stream's close, and a
// transaction that sent nothing has nothing to end. Any change there shows here as a request more, or a
// lock kept (another connection's write would then wait for the stream to expire).
import { describe, expect, inject, it } from "vitest"
import { createEngine, text } from "../../src/index.ts"
import { libsql } from "../../src/libsql.ts"

const { url, authToken } = inject("libsql")
const TABLE = "r11h_tx_requests"

describe("a transaction's requests over libSQL HTTP", () => {
  const scope = `r11h-tx-requests-${Date.now().toString(36)}`
  const engine = createEngine(`${url}/s/${scope}/`, { driver: libsql({ authToken }) })
  const requests = async () =>
    ((await (await fetch(`${url}/s/${scope}/__stats`)).json()) as { httpRequests: number }).httpRequests
  const counted = async (work: () => Promise<unknown>) => {
    const before = await requests()
    await work()
    return (await requests()) - before
  }

  it("costs one request per statement; beginning and ending cost none of their own", async () => {
    await engine.execute(text(`DROP TABLE IF EXISTS ${TABLE}`))
    await engine.execute(text(`CREATE TABLE ${TABLE} (n INTEGER)`))
    await using connection = engine.connect()
    for (const end of ["rollback", "commit"] as const) {
      const nothing = async () => {
        await connection.begin()
        await connection[end]()
      }
      expect(await counted(nothing), end).toBe(0)
    }
    const committed = async () => {
      await connection.begin()
      await connection.execute(text(`INSERT INTO ${TABLE} VALUES (1)`))
      await connection.execute(text(`INSERT INTO ${TABLE} VALUES (2)`))
      await connection.commit()
    }
    expect(await counted(committed)).toBe(3)
    const batch = () => connection.batch([text(`INSERT INTO ${TABLE} VALUES (3)`), text(`SELECT 1`)])
    expect(await counted(batch)).toBe(1)
    expect((await engine.execute(text(`SELECT n FROM ${TABLE} ORDER BY n`))).all()).toEqual([
      [1n],
      [2n],
      [3n],
    ])
  })

  it("close() with a transaction open rolls it back in one request, and frees its lock", async () => {
    const connection = engine.connect()
    await connection.begin()
    await connection.execute(text(`INSERT INTO ${TABLE} VALUES (10)`))
    expect(await counted(() => connection.close())).toBe(1)
    // Another connection writes at once: the stream holds no lock.
    await using other = engine.connect()
    await other.begin()
    await other.execute(text(`INSERT INTO ${TABLE} VALUES (11)`))
    await other.commit()
    expect((await engine.execute(text(`SELECT count(*) FROM ${TABLE} WHERE n >= 10`))).all()).toEqual([[1n]])
  })
})
