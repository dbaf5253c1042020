// neon-local's SQL over HTTP held to Neon's proxy (proxy/src/serverless/sql_over_http.rs, json.rs,
// mod.rs) where the driver's own tests do not reach: the batch headers, the row formats a request may
// ask for, the preflight a browser sends, and Neon's words for a request it cannot run. Through the
// driver where it can say it, by fetch() where it cannot. Run in Node (test/node) and inside workerd
// (test/workers).
import { neon, neonConfig } from "@neondatabase/serverless"
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest"

export function neonSqlOverHttpContract(environment: { label: string }): void {
  const endpoint = inject("neon")
  const table = `sc_${environment.label}_${Date.now().toString(36)}`
  const sqlUrl = `${endpoint.httpUrl}/s/sc-${environment.label}-${Date.now().toString(36)}/sql`
  const sql = () => {
    neonConfig.fetchEndpoint = sqlUrl
    return neon(endpoint.connectionString)
  }
  const post = (body: unknown, headers: Record<string, string> = {}) =>
    fetch(sqlUrl, {
      method: "POST",
      headers: { "Neon-Connection-String": endpoint.connectionString, ...headers },
      body: typeof body === "string" ? body : JSON.stringify(body),
    })
  const messageOf = async (response: Response) => ({
    status: response.status,
    message: ((await response.json()) as { message: unknown }).message,
  })

  describe(`neon-local's SQL over HTTP, as Neon's proxy answers it (${environment.label})`, () => {
    beforeAll(async () => {
      await sql().query(`CREATE TABLE ${table} (id int PRIMARY KEY)`)
    })
    afterAll(async () => {
      await sql().query(`DROP TABLE IF EXISTS ${table}`)
    })

    it("refuses an isolation level Neon does not know, and runs nothing of the batch", async () => {
      const db = sql()
      // Neon's names are PascalCase; a lower-case one is refused, not run at the default level.
      const unknownLevel = "serializable" as unknown as "Serializable"
      await expect(
        db.transaction([db.query(`INSERT INTO ${table} VALUES (1)`)], { isolationLevel: unknownLevel }),
      ).rejects.toThrow("invalid isolation level")
      expect(await db.query(`SELECT count(*)::int AS n FROM ${table}`)).toEqual([{ n: 0 }])
      const single = await post({ query: "SELECT 1" }, { "Neon-Batch-Isolation-Level": "Snapshot" })
      expect(await messageOf(single)).toEqual({ status: 400, message: "invalid isolation level" })
    })

    it("echoes a batch's transaction settings in the response headers", async () => {
      const response = await post(
        { queries: [{ query: "SHOW transaction_isolation" }] },
        {
          "Neon-Batch-Isolation-Level": "RepeatableRead",
          "Neon-Batch-Read-Only": "true",
          "Neon-Batch-Deferrable": "true",
          "Neon-Raw-Text-Output": "true",
        },
      )
      expect(response.status).toBe(200)
      expect(response.headers.get("neon-batch-isolation-level")).toBe("RepeatableRead")
      expect(response.headers.get("neon-batch-read-only")).toBe("true")
      expect(response.headers.get("neon-batch-deferrable")).toBe("true")
      const { results } = (await response.json()) as { results: { rows: unknown[] }[] }
      expect(results[0]?.rows).toEqual([{ transaction_isolation: "repeatable read" }])
    })

    it("shapes each query of a batch by its own arrayMode, over Neon-Array-Mode", async () => {
      const response = await post(
        { queries: [{ query: "SELECT 1 AS a", arrayMode: true }, { query: "SELECT 2 AS b" }] },
        { "Neon-Array-Mode": "false", "Neon-Raw-Text-Output": "true" },
      )
      const { results } = (await response.json()) as { results: { rows: unknown[]; rowAsArray: boolean }[] }
      expect(results.map(({ rows, rowAsArray }) => ({ rows, rowAsArray }))).toEqual([
        { rows: [["1"]], rowAsArray: true },
        { rows: [{ b: "2" }], rowAsArray: false },
      ])
    })

    it("gives JSON values where the request does not ask for raw text, as Neon's json.rs does", async () => {
      const query = `SELECT 7::int2 AS i2, 8::int4 AS i4, 9::int8 AS i8, 1.5::numeric AS num, 0.25::float8 AS f8,
        'NaN'::float4 AS nan, true AS b, '{"a":[1,null]}'::jsonb AS jb, '"x"'::json AS j, 'text' AS t,
        ARRAY[1, NULL]::int[] AS ints, ARRAY['a"b', NULL, 'NULL', 'c,d']::text[] AS texts,
        ARRAY[[true], [false]] AS nested, '[2:3]={5,6}'::int2[] AS bounded, ARRAY['{"k":1}']::jsonb[] AS docs,
        '1 2'::int2vector AS vec, NULL::int AS none`
      const typed = await post({ query })
      expect(((await typed.json()) as { rows: unknown[] }).rows).toEqual([
        {
          i2: 7,
          i4: 8,
          i8: "9",
          num: "1.5",
          f8: 0.25,
          nan: "NaN",
          b: true,
          jb: { a: [1, null] },
          j: "x",
          t: "text",
          ints: [1, null],
          texts: ['a"b', null, "NULL", "c,d"],
          nested: [[true], [false]],
          bounded: [5, 6],
          docs: [{ k: 1 }],
          vec: [], // written without braces, so Neon's array parser finds no element
          none: null,
        },
      ])
      const raw = await post(
        { query: "SELECT 8::int4 AS i4, ARRAY[1]::int[] AS ints" },
        { "Neon-Raw-Text-Output": "true" },
      )
      expect(((await raw.json()) as { rows: unknown[] }).rows).toEqual([{ i4: "8", ints: "{1}" }])
    })

    it("answers a browser's preflight, and every answer to any origin, as Neon does", async () => {
      const preflight = await fetch(sqlUrl, { method: "OPTIONS" })
      expect(preflight.status).toBe(200)
      expect(preflight.headers.get("access-control-allow-origin")).toBe("*")
      expect(preflight.headers.get("allow")).toBe("OPTIONS, POST")
      expect(preflight.headers.get("access-control-max-age")).toBe("86400")
      expect(preflight.headers.get("access-control-allow-headers")?.split(", ")).toEqual([
        "Authorization",
        "Neon-Connection-String",
        "Neon-Raw-Text-Output",
        "Neon-Array-Mode",
        "Neon-Pool-Opt-In",
        "Neon-Batch-Read-Only",
        "Neon-Batch-Isolation-Level",
      ])
      for (const body of [{ query: "SELECT 1" }, { query: "SELECT nope" }]) {
        expect((await post(body)).headers.get("access-control-allow-origin")).toBe("*")
      }
    })

    it("words a request it cannot run as Neon does", async () => {
      const { connectionString } = endpoint
      const withConnection = (value: string | undefined) =>
        post({ query: "SELECT 1" }, value === undefined ? {} : { "Neon-Connection-String": value }).then(
          messageOf,
        )
      const noHeader = await fetch(sqlUrl, { method: "POST", body: JSON.stringify({ query: "SELECT 1" }) })
      expect(await messageOf(noHeader)).toEqual({
        status: 400,
        message: "invalid header: neon-connection-string",
      })
      expect(await withConnection("not a url")).toEqual({
        status: 400,
        message: "invalid connection string: relative URL without a base",
      })
      expect(await withConnection(connectionString.replace(/^postgres(ql)?:/, "mysql:"))).toEqual({
        status: 400,
        message: "incorrect scheme",
      })
      const noDatabase = new URL(connectionString)
      expect(
        await withConnection(
          `${noDatabase.protocol}//${noDatabase.username}:${noDatabase.password}@${noDatabase.host}`,
        ),
      ).toEqual({
        status: 400,
        message: "missing database name",
      })
      expect(await messageOf(await post("{"))).toMatchObject({
        status: 400,
        message: expect.stringMatching(/^could not parse the HTTP request body: /),
      })
      expect(await messageOf(await post({ queries: [{ sql: "SELECT 1" }] }))).toEqual({
        status: 400,
        message:
          "could not parse the HTTP request body: data did not match any variant of untagged enum Payload",
      })
    })

    it("hands PostgreSQL a hand-written request's JSON parameters as Neon's json_to_pg_text does", async () => {
      const response = await post(
        {
          query:
            "SELECT $1::text AS arr, $2::text AS obj, $3::text AS flag, $4::int[] AS ints, $5::text[] AS texts",
          params: [
            [1, 'a"b', null, { k: 1 }, true],
            { k: [1] },
            true,
            [
              [1, 2],
              [3, null],
            ],
            ["a\nb"],
          ],
        },
        { "Neon-Raw-Text-Output": "true" },
      )
      expect(((await response.json()) as { rows: unknown[] }).rows).toEqual([
        {
          arr: '{1,"a\\"b",NULL,"{\\"k\\":1}",true}',
          obj: '{"k":[1]}',
          flag: "true",
          ints: "{{1,2},{3,NULL}}",
          // JSON's escape for the newline, read by PostgreSQL's array parser as a plain "n".
          texts: "{anb}",
        },
      ])
    })

    it("measures the 10 MiB answer limit in PostgreSQL's bytes, as Neon does, not in JSON characters", async () => {
      const db = sql()
      const mib = 1024 * 1024
      // 6 MiB of quotes: 12 MiB once JSON escapes them, still 6 MiB as PostgreSQL sends them.
      const [quotes] = (await db.query(
        `SELECT length(repeat('"', ${6 * mib})) AS n, repeat('"', ${6 * mib}) AS q`,
      )) as {
        n: number
      }[]
      expect(quotes?.n).toBe(6 * mib)
      // 4 Mi euro signs: 4 Mi characters in JSON, 12 MiB in UTF-8.
      await expect(db.query(`SELECT repeat('€', ${4 * mib}) AS euros`)).rejects.toThrow(
        `response is too large (max is ${10 * mib} bytes)`,
      )
    })

    it("names an empty query's command '' as Neon does", async () => {
      const db = sql()
      const result = await db.query("-- nothing to run", [], { fullResults: true })
      expect({ command: result.command, rowCount: result.rowCount, rows: result.rows }).toEqual({
        command: "",
        rowCount: null,
        rows: [],
      })
    })

    it("runs a body that is both a query and a batch as the query, as Neon's parser does", async () => {
      const response = await post(
        { query: "SELECT 'single' AS shape", queries: [{ query: "SELECT 'batch' AS shape" }] },
        { "Neon-Raw-Text-Output": "true" },
      )
      expect(((await response.json()) as { rows: unknown[] }).rows).toEqual([{ shape: "single" }])
    })
  })
}
