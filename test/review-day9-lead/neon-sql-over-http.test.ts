// The Neon transport speaks SQL over HTTP itself (src/drivers/neon/sql-over-http.ts) instead of
// through the driver's `neon()`, which resolved the connection string again on every query. What the
// driver did for it must still hold: a text() statement's values arrive as node-postgres sends them
// over the WebSocket (arrays as array literals, bytes as bytea, objects as JSON), the endpoint function
// is asked with the URL's host and port, a batch's transaction options reach Neon, and a database's
// error keeps its fields. A URL that names no user, host or database is refused before anything is
// sent, without its password in the message (the driver's said "connection string: <the URL>").

import { describe, expect, inject, it } from "vitest"
import ws from "ws"
import { ConnectionError, type Engine, IntegrityError, InvalidRequestError, text } from "../../src/index.ts"
import { createEngine } from "../../src/neon.ts"

const endpoint = inject("neon")
const sqlEndpoint = `${endpoint.httpUrl}/s/l9-http/sql`
const wsProxy = (host: string, port: number | string) =>
  `${endpoint.httpUrl.replace(/^http:\/\//, "")}/v2?address=${host}:${port}`

const engineIn = (mode: "http" | "websocket"): Engine =>
  createEngine(endpoint.connectionString, {
    fetchEndpoint: sqlEndpoint,
    mode,
    wsProxy,
    webSocketConstructor: ws,
    useSecureWebSocket: false,
  })

/** A row of what `text()` with `params` reads back, over each mode. */
async function readInBothModes(sql: string, params: unknown[]): Promise<unknown[][]> {
  const rows: unknown[][] = []
  for (const mode of ["http", "websocket"] as const) {
    const engine = engineIn(mode)
    await using conn = engine.connect()
    rows.push((await conn.execute(text(sql).bind(params))).all()[0] as unknown[])
  }
  return rows
}

describe("Neon's SQL over HTTP, spoken by the transport", () => {
  it("sends a text() statement's values as the WebSocket mode does", async () => {
    const bytes = new Uint8Array([0, 1, 0xfe, 0xff])
    const when = new Date("2026-03-04T05:06:07.089Z")
    const [http = [], socket] = await readInBothModes(
      "SELECT $1::int[] AS ints, $2::text[] AS texts, $3::int[] AS nested, $4::bytea AS bytes, " +
        "$5::jsonb AS doc, $6::timestamptz AS at, $7::int8 AS big, $8::boolean AS flag, $9::text AS nothing",
      [
        [1, null, 3],
        ['a "quoted" \\ back', "", null, "NULL", "{x,y}"],
        [
          [1, 2],
          [3, 4],
        ],
        bytes,
        { a: [1, "two"], b: null },
        when,
        9007199254740993n,
        false,
        null,
      ],
    )
    expect(http).toEqual(socket)
    expect(http).toEqual([
      [1, null, 3],
      ['a "quoted" \\ back', "", null, "NULL", "{x,y}"],
      [
        [1, 2],
        [3, 4],
      ],
      expect.any(Uint8Array),
      { a: [1, "two"], b: null },
      when,
      "9007199254740993",
      false,
      null,
    ])
    expect([...(http[3] as Uint8Array)]).toEqual([...bytes])
  })

  it("asks the endpoint function with the URL's host and port, once per engine and URL", async () => {
    const asked: string[] = []
    const url = new URL(endpoint.connectionString)
    const engine = createEngine(endpoint.connectionString, {
      fetchEndpoint: (host, port) => {
        asked.push(`${host}:${port}`)
        return sqlEndpoint
      },
    })
    for (let i = 0; i < 3; i++) {
      await using conn = engine.connect()
      expect((await conn.execute(text("SELECT 1 AS one"))).scalar()).toBe(1)
    }
    expect(asked).toEqual([`${url.hostname}:${url.port}`])
  })

  it("keeps two engines' endpoints apart in one process", async () => {
    const good = engineIn("http")
    const elsewhere = createEngine(endpoint.connectionString, { fetchEndpoint: "http://127.0.0.1:9/sql" })
    for (let i = 0; i < 2; i++) {
      expect((await good.execute(text("SELECT 2 AS two"))).scalar()).toBe(2)
      await expect(elsewhere.execute(text("SELECT 2 AS two"))).rejects.toBeInstanceOf(ConnectionError)
    }
  })

  it("sends a batch's isolation level and read-only mode", async () => {
    await using conn = engineIn("http").connect()
    const [level, readOnly] = await conn.batch(
      [text("SHOW transaction_isolation"), text("SHOW transaction_read_only")],
      { isolationLevel: "repeatable read", readOnly: true },
    )
    expect([level?.scalar(), readOnly?.scalar()]).toEqual(["repeatable read", "on"])
  })

  it("keeps a database error's fields: the constraint and the columns of a unique violation", async () => {
    const engine = engineIn("http")
    await engine.execute(
      text("CREATE TABLE IF NOT EXISTS l9_http_keys (id int PRIMARY KEY, email text UNIQUE)"),
    )
    await engine.execute(text("DELETE FROM l9_http_keys"))
    await engine.execute(text("INSERT INTO l9_http_keys VALUES (1, 'a@x')"))
    const error = await engine
      .execute(text("INSERT INTO l9_http_keys VALUES (2, 'a@x')"))
      .catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(IntegrityError)
    expect(error).toMatchObject({ kind: "unique", constraint: "l9_http_keys_email_key", columns: ["email"] })
    expect((error as Error & { cause: { code: string } }).cause.code).toBe("23505")
  })

  it("refuses a URL without a user, host or database before sending, and does not echo its password", async () => {
    for (const url of [
      "postgresql://user:s3cret@/db",
      "postgresql://user:s3cret@host",
      "postgresql://host/db",
      "postgresql://user:s3cret@host:99999/db",
    ]) {
      let requests = 0
      const engine = createEngine(url, {
        fetchEndpoint: () => {
          requests++
          return sqlEndpoint
        },
      })
      const error = await engine.execute(text("SELECT 1")).catch((caught: unknown) => caught)
      expect(error).toBeInstanceOf(InvalidRequestError)
      expect((error as Error).message).toBe("The database URL is not postgresql://user:password@host/db")
      expect(requests).toBe(0)
    }
  })
})
