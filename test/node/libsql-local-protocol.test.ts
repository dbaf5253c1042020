// libsql-local at the wire level: raw Hrana-over-HTTP requests for what @libsql/client never sends
// (v3, cursors, describe, reused batons) and the SQL analysis that stands in for sqld's parser.
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type LibsqlLocal, startLibsqlLocal } from "../../tools/libsql-local/index.ts"
import { analyzeSequence, analyzeSingleStatement } from "../../tools/libsql-local/sql-analysis.ts"

const TOKEN = "protocol-token"
let local: LibsqlLocal

beforeAll(async () => {
  local = await startLibsqlLocal({ port: 0, authToken: TOKEN })
  await pipeline("/v2/pipeline", {
    requests: [execute("CREATE TABLE p (id INTEGER PRIMARY KEY, name TEXT UNIQUE)"), { type: "close" }],
  })
})
afterAll(() => local.stop())

interface StmtResultJson {
  cols: { name: string | null; decltype: string | null }[]
  rows: unknown[][]
  affected_row_count: number
  last_insert_rowid: string | null
}

interface PipelineJson {
  baton: string | null
  base_url: string | null
  results: {
    type: "ok" | "error"
    response?: { type: string; result?: unknown; is_autocommit?: boolean }
    error?: { message: string; code: string }
  }[]
}

interface Answer {
  status: number
  contentType: string | null
  text: string
  /** The body as a pipeline response (only meaningful when the status is 200). */
  json: PipelineJson
}

async function post(path: string, body: unknown, authToken: string | null = TOKEN): Promise<Answer> {
  const headers: Record<string, string> = { "content-type": "application/json" }
  if (authToken !== null) headers.authorization = `Bearer ${authToken}`
  const response = await fetch(`${local.url}${path}`, { method: "POST", headers, body: JSON.stringify(body) })
  const text = await response.text()
  const contentType = response.headers.get("content-type")
  const json = (contentType === "application/json" ? JSON.parse(text) : {}) as PipelineJson
  return { status: response.status, contentType, text, json }
}

/** The StmtResult of an `execute` at position `index`, which must have succeeded. */
function stmtResult(answer: Answer, index: number): StmtResultJson {
  const result = answer.json.results[index]
  expect(result?.type, `request ${index}: ${JSON.stringify(result?.error)}`).toBe("ok")
  return result?.response?.result as StmtResultJson
}

const pipeline = post

function execute(sql: string, extra: Record<string, unknown> = {}) {
  return { type: "execute", stmt: { sql, ...extra } }
}

const integer = (value: bigint | number) => ({ type: "integer", value: String(value) })

describe("libsql-local batons and streams", () => {
  it("hands out a new baton per response and refuses a reused one with HTTP 400", async () => {
    const first = await pipeline("/v2/pipeline", { baton: null, requests: [] })
    expect(first.json).toEqual({ baton: expect.any(String), base_url: null, results: [] })
    const second = await pipeline("/v2/pipeline", { baton: first.json.baton, requests: [] })
    expect(second.json.baton).not.toBe(first.json.baton)
    const reused = await pipeline("/v2/pipeline", { baton: first.json.baton, requests: [] })
    expect([reused.status, reused.contentType, reused.text]).toEqual([
      400,
      "text/plain",
      "Received a baton that has already been used",
    ])
    const forged = await pipeline("/v2/pipeline", { baton: "not-a-baton", requests: [] })
    expect([forged.status, forged.text]).toEqual([400, "Received an invalid baton"])
  })

  it("keeps a transaction on its stream, and drops stream and transaction on a protocol error", async () => {
    const begun = await pipeline("/v2/pipeline", {
      requests: [execute("BEGIN"), execute("INSERT INTO p (name) VALUES ('half')")],
    })
    expect(begun.json.results.map((result) => result.type)).toEqual(["ok", "ok"])
    const failed = await pipeline("/v2/pipeline", {
      baton: begun.json.baton,
      requests: [
        { type: "store_sql", sql_id: 1, sql: "SELECT 1" },
        { type: "store_sql", sql_id: 1, sql: "SELECT 2" },
      ],
    })
    expect([failed.status, failed.text]).toEqual([400, "SQL text 1 already exists"])
    const gone = await pipeline("/v2/pipeline", { baton: begun.json.baton, requests: [] })
    expect(gone.text).toBe("Received an invalid baton")
    const check = await pipeline("/v2/pipeline", {
      requests: [execute("SELECT count(*) FROM p WHERE name = 'half'")],
    })
    expect(stmtResult(check, 0).rows).toEqual([[integer(0)]])
  })

  it("keeps stored SQL per stream and closes the stream on `close`", async () => {
    const stored = await pipeline("/v2/pipeline", {
      requests: [
        { type: "store_sql", sql_id: 7, sql: "SELECT ? AS echo" },
        execute("", { sql: undefined, sql_id: 7, args: [{ type: "blob", base64: "AAH/" }] }),
        { type: "close" },
      ],
    })
    expect(stored.json.baton).toBeNull()
    expect(stmtResult(stored, 1).rows).toEqual([[{ type: "blob", base64: "AAH/" }]])
    const elsewhere = await pipeline("/v2/pipeline", {
      requests: [execute("", { sql: undefined, sql_id: 7 })],
    })
    expect([elsewhere.status, elsewhere.text]).toEqual([400, "SQL text 7 not found"])
  })
})

describe("libsql-local requests and results", () => {
  it("reports affected rows and exact rowids, also after RETURNING, and honours want_rows", async () => {
    const big = 2n ** 53n + 11n
    const answer = await pipeline("/v2/pipeline", {
      requests: [
        execute("INSERT INTO p (id, name) VALUES (?, 'big') RETURNING id", { args: [integer(big)] }),
        execute("UPDATE p SET name = name WHERE id = ?", { args: [integer(big)], want_rows: false }),
        execute("INSERT INTO p (name) VALUES ('hidden') RETURNING name", { want_rows: false }),
        execute("SELECT 1"),
      ],
    })
    const [inserted, updated, hidden, selected] = [0, 1, 2, 3].map((index) => stmtResult(answer, index))
    expect(inserted).toEqual({
      cols: [{ name: "id", decltype: "INTEGER" }],
      rows: [[integer(big)]],
      affected_row_count: 1,
      last_insert_rowid: big.toString(),
    })
    expect([updated?.affected_row_count, updated?.last_insert_rowid]).toEqual([1, null])
    expect([hidden?.rows, hidden?.affected_row_count]).toEqual([[], 1])
    expect([selected?.affected_row_count, selected?.last_insert_rowid]).toEqual([0, null])
  })

  it("answers SQL errors the way sqld does", async () => {
    const cases: [string, Record<string, unknown>, string, string][] = [
      ["SELECT 1; SELECT 2", {}, "SQL_MANY_STATEMENTS", "SQL string contains more than one statement"],
      ["  -- nothing\n;", {}, "SQL_NO_STATEMENT", "SQL string does not contain any statement"],
      ["SELEC 1", {}, "SQL_PARSE_ERROR", 'SQL string could not be parsed: near "SELEC": syntax error'],
      [
        "PRAGMA journal_mode = delete",
        {},
        "SQL_PARSE_ERROR",
        "SQL string could not be parsed: unsupported statement",
      ],
      ["CREATE TEMP TABLE t (x)", {}, "SQL_PARSE_ERROR", "unsupported statement"],
      // Named into the temp schema, an object would outlive its stream on a pooled connection.
      ["CREATE TABLE temp.t (x)", {}, "SQL_PARSE_ERROR", "unsupported statement"],
      ["CREATE TABLE IF NOT EXISTS TEMP.t (x)", {}, "SQL_PARSE_ERROR", "unsupported statement"],
      [
        'CREATE TRIGGER "TEMP".t AFTER INSERT ON main.x BEGIN SELECT 1; END',
        {},
        "SQL_PARSE_ERROR",
        "unsupported statement",
      ],
      ["SELECT * FROM missing", {}, "SQLITE_ERROR", "SQLite error: no such table: missing"],
      ["SELECT :a", { args: [integer(1)] }, "ARGS_INVALID", "value for parameter :a not found"],
      [
        "SELECT ?",
        { args: [integer(1), integer(2)] },
        "ARGS_INVALID",
        "too many parameters, expected 1 found 2",
      ],
      [
        "SELECT ?",
        { args: [integer(1)], named_args: [{ name: "a", value: integer(1) }] },
        "ARGS_BOTH_POSITIONAL_AND_NAMED",
        "Specifying both positional and named arguments is not supported",
      ],
    ]
    const answer = await pipeline("/v2/pipeline", {
      requests: cases.map(([sql, extra]) => execute(sql, extra)),
    })
    cases.forEach(([sql, , code, message], i) => {
      const result = answer.json.results[i]
      expect(result?.type, sql).toBe("error")
      expect(result?.error?.code, sql).toBe(code)
      expect(result?.error?.message, sql).toContain(message)
    })
  })

  it("creates a view whose body reads a table aliased temp", async () => {
    const answer = await pipeline("/s/temp-alias/v2/pipeline", {
      requests: [
        execute("CREATE TABLE readings (x)"),
        execute("CREATE VIEW read_back AS SELECT temp.x FROM readings AS temp"),
        execute("SELECT count(*) FROM read_back"),
      ],
    })
    expect(stmtResult(answer, 2).rows).toEqual([[integer(0)]])
  })

  it("fails a statement whose rows pass 10 MB, as sqld does, and the stream goes on", async () => {
    const rows = 11_000 // of over a thousand bytes each
    const answer = await pipeline("/v2/pipeline", {
      requests: [
        execute(
          `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${rows}) SELECT i, printf('%.1000c', 'x') FROM n`,
        ),
        execute("SELECT 1"),
      ],
    })
    expect(answer.json.results[0]?.error?.code).toBe("RESPONSE_TOO_LARGE")
    expect(stmtResult(answer, 1).rows).toEqual([[integer(1)]])
  })

  it("runs a sequence until its first failing statement", async () => {
    const answer = await post("/s/sequence/v2/pipeline", {
      requests: [
        {
          type: "sequence",
          sql: "CREATE TABLE seq (x); INSERT INTO seq VALUES (1); INSERT INTO nope VALUES (2); INSERT INTO seq VALUES (3)",
        },
        execute("SELECT group_concat(x) FROM seq"),
      ],
    })
    expect(answer.json.results[0]?.error).toEqual({
      message: "SQLite error: no such table: nope",
      code: "SQLITE_ERROR",
    })
    expect(stmtResult(answer, 1).rows).toEqual([[{ type: "text", value: "1" }]])
    // CREATE, the first INSERT and the SELECT ran; the INSERT into a missing table never got past
    // SQLite's prepare, and the last INSERT was not attempted.
    expect(local.stats("sequence")).toEqual({ httpRequests: 1, statements: 3 })
  })

  it("speaks Hrana 3: get_autocommit, is_autocommit conditions, describe and the cursor", async () => {
    const v3 = await pipeline("/v3/pipeline", {
      requests: [
        { type: "get_autocommit" },
        execute("BEGIN"),
        { type: "get_autocommit" },
        {
          type: "batch",
          batch: {
            steps: [
              { stmt: { sql: "SELECT 1" }, condition: { type: "is_autocommit" } },
              { stmt: { sql: "SELECT 2" }, condition: { type: "not", cond: { type: "is_autocommit" } } },
            ],
          },
        },
        { type: "describe", sql: "SELECT id, name FROM p WHERE id > :min AND name <> ?" },
        execute("ROLLBACK"),
        { type: "close" },
      ],
    })
    const responses = v3.json.results.map((result) => result.response)
    expect(responses[0]).toEqual({ type: "get_autocommit", is_autocommit: true })
    expect(responses[2]).toEqual({ type: "get_autocommit", is_autocommit: false })
    expect(responses[3]?.result).toMatchObject({
      step_results: [null, { rows: [[integer(2)]] }],
      step_errors: [null, null],
    })
    expect(responses[4]?.result).toEqual({
      params: [{ name: ":min" }, { name: null }],
      cols: [
        { name: "id", decltype: "INTEGER" },
        { name: "name", decltype: "TEXT" },
      ],
      is_explain: false,
      is_readonly: true,
    })
    const v2 = await pipeline("/v2/pipeline", { requests: [{ type: "get_autocommit" }] })
    expect(v2.status).toBe(400)

    const cursor = await post("/v3/cursor", {
      baton: null,
      batch: { steps: [{ stmt: { sql: "SELECT 7 AS seven" } }, { stmt: { sql: "SELECT * FROM nope" } }] },
    })
    const lines = cursor.text
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line))
    expect(lines).toEqual([
      { baton: expect.any(String), base_url: null },
      { type: "step_begin", step: 0, cols: [{ name: "seven", decltype: null }] },
      { type: "row", row: [integer(7)] },
      { type: "step_end", affected_row_count: 0, last_insert_rowid: null },
      {
        type: "step_error",
        step: 1,
        error: { message: "SQLite error: no such table: nope", code: "SQLITE_ERROR" },
      },
    ])
  })
})

describe("libsql-local HTTP surface", () => {
  it("refuses missing and wrong tokens with 401 and sqld's JSON body", async () => {
    const missing = await post("/v2/pipeline", { requests: [] }, null)
    expect([missing.status, JSON.parse(missing.text)]).toEqual([
      401,
      { error: "Unauthorized: `The `Authorization` HTTP header is required but was not specified`" },
    ])
    const wrong = await post("/v2/pipeline", { requests: [] }, "nope")
    expect([wrong.status, JSON.parse(wrong.text)]).toEqual([
      401,
      { error: "Unauthorized: `The JWT is invalid`" },
    ])
  })

  it("counts per scope and globally, and resets one scope without touching others", async () => {
    await post("/s/count-a/v2/pipeline", { requests: [execute("SELECT 1"), execute("SELECT 2")] })
    await post("/s/count-b/v2/pipeline", { requests: [execute("SELECT 1")] })
    const read = async (path: string) => (await fetch(`${local.url}${path}`)).json()
    expect(await read("/s/count-a/__stats")).toEqual({ httpRequests: 1, statements: 2 })
    expect(await read("/s/never-seen/__stats")).toEqual({ httpRequests: 0, statements: 0 })
    const global = await read("/__stats")
    expect((await fetch(`${local.url}/s/count-a/__stats`, { method: "DELETE" })).status).toBe(204)
    expect(await read("/s/count-a/__stats")).toEqual({ httpRequests: 0, statements: 0 })
    expect(await read("/s/count-b/__stats")).toEqual({ httpRequests: 1, statements: 1 })
    // Version checks and stats reads are not database requests.
    expect((await fetch(`${local.url}/s/count-b/v2`)).status).toBe(200)
    expect((await fetch(`${local.url}/v3`)).status).toBe(200)
    expect(await read("/__stats")).toEqual(global)
    local.resetStats()
    expect(local.stats()).toEqual({ httpRequests: 0, statements: 0 })
    expect(local.stats("count-b")).toEqual({ httpRequests: 1, statements: 1 })
  })

  it("declines Protobuf and explains a scoped URL without its trailing slash", async () => {
    expect((await fetch(`${local.url}/v3-protobuf`)).status).toBe(404)
    const protobuf = await post("/v3-protobuf/pipeline", { requests: [] })
    expect(protobuf.status).toBe(415)
    const unslashed = await post("/s/v2/pipeline", { requests: [] })
    expect(unslashed.status).toBe(404)
    expect(unslashed.text).toContain("must end with a slash")
  })
})

describe("SQL analysis standing in for sqld's parser", () => {
  it("finds one statement despite semicolons in strings, identifiers, comments and trigger bodies", () => {
    const single = [
      "SELECT ';' -- ;\n ;  ",
      `SELECT "a;b", [c;d], \`e;f\` FROM t /* ; */`,
      "SELECT 'it''s; fine'",
      "CREATE TRIGGER tr AFTER INSERT ON t BEGIN INSERT INTO u VALUES (1); UPDATE u SET x = CASE WHEN 1 THEN 2 END; END;",
    ]
    for (const sql of single) expect(() => analyzeSingleStatement(sql), sql).not.toThrow()
    expect(
      analyzeSequence("CREATE TABLE a (x); INSERT INTO a VALUES (';');\n-- done").map((s) => s.text),
    ).toEqual(["CREATE TABLE a (x)", "INSERT INTO a VALUES (';')"])
  })

  it("numbers parameters as SQLite does", () => {
    expect(analyzeSingleStatement("SELECT :a, ?, ?5, :a, @b, $c").parameterNames).toEqual([
      ":a",
      undefined,
      undefined,
      undefined,
      "?5",
      "@b",
      "$c",
    ])
    // An index keeps its first name: `?1` after `:b` is the same parameter, as SQLite numbers it.
    expect(analyzeSingleStatement("SELECT :b, :a, ?1").parameterNames).toEqual([":b", ":a"])
    expect(analyzeSingleStatement("SELECT ?2, ?, ?3").parameterNames).toEqual([undefined, "?2", "?3"])
  })

  it("tells INSERT, UPDATE and DELETE apart from reads, also behind WITH", () => {
    const flags = (sql: string) => {
      const { isIud, isInsert } = analyzeSingleStatement(sql)
      return [isIud, isInsert]
    }
    expect(flags("WITH x AS (SELECT 1) INSERT INTO t SELECT * FROM x")).toEqual([true, true])
    expect(flags("WITH x AS (DELETE FROM t) SELECT 1")).toEqual([false, false])
    expect(flags("REPLACE INTO t VALUES (1)")).toEqual([true, true])
    expect(flags("UPDATE t SET x = 1")).toEqual([true, false])
    expect(flags("SELECT 1")).toEqual([false, false])
  })
})

describe("libsql-local and a request body over its limit", () => {
  it("answers 413 and closes that connection, so the client's next request goes out on a fresh one", async () => {
    // 64 MiB is the limit: the rest of this body is never read. Left on a kept-alive connection, it
    // failed the client's next request there (ECONNRESET) or held it.
    const huge = JSON.stringify({ requests: [execute(`SELECT '${"x".repeat(65 * 1024 * 1024)}'`)] })
    const refused = await post("/v2/pipeline", JSON.parse(huge))
    expect([refused.status, refused.text]).toEqual([413, "Request body larger than 67108864 bytes"])
    for (let i = 0; i < 3; i++) {
      const next = await pipeline("/v2/pipeline", { requests: [execute("SELECT 1"), { type: "close" }] })
      expect(stmtResult(next, 0).rows).toEqual([[{ type: "integer", value: "1" }]])
    }
  })
})
