// Contract of neon-local with the real @neondatabase/serverless driver, in HTTP mode (`neon()`) and
// WebSocket mode (`Client`). Run in Node (test/node) and inside workerd (test/workers).
import { Client, neon, neonConfig } from "@neondatabase/serverless"
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest"

export interface NeonContractEnvironment {
  /** Node has no global WebSocket: `ws`. Absent inside workerd. */
  webSocketConstructor?: unknown
  label: string
}

interface Stats {
  httpRequests: number
  statements: number
  wsConnections: number
  wsRoundTrips: number
  openSockets: number
}

export function neonContract(environment: NeonContractEnvironment): void {
  const endpoint = inject("neon")
  const host = endpoint.httpUrl.replace(/^http:\/\//, "")
  const table = `contract_${environment.label}_${Date.now().toString(36)}`
  let scopeCounter = 0
  const newScope = () => `neon-contract-${environment.label}-${Date.now().toString(36)}-${++scopeCounter}`

  const stats = async (scope: string): Promise<Stats> =>
    (await fetch(`${endpoint.httpUrl}/s/${scope}/__stats`)).json()
  const http = (scope: string, connectionString = endpoint.connectionString) => {
    neonConfig.fetchEndpoint = `${endpoint.httpUrl}/s/${scope}/sql`
    return neon(connectionString)
  }
  const webSocketClient = (scope: string, connectionString = endpoint.connectionString) => {
    const client = new Client({ connectionString })
    client.neonConfig.wsProxy = (h, p) => `${host}/s/${scope}/v2?address=${h}:${p}`
    client.neonConfig.useSecureWebSocket = false
    client.neonConfig.pipelineTLS = false
    client.neonConfig.pipelineConnect = false
    client.neonConfig.coalesceWrites = false
    if (environment.webSocketConstructor) {
      client.neonConfig.webSocketConstructor = environment.webSocketConstructor as typeof WebSocket
    }
    return client
  }
  const withClient = async <T>(scope: string, use: (client: Client) => Promise<T>): Promise<T> => {
    const client = webSocketClient(scope)
    await client.connect()
    try {
      return await use(client)
    } finally {
      await client.end()
    }
  }

  describe(`neon-local with @neondatabase/serverless (${environment.label})`, () => {
    beforeAll(async () => {
      const sql = http(newScope())
      await sql.query(`CREATE TABLE ${table}_parent (id int PRIMARY KEY)`)
      await sql.query(
        `CREATE TABLE ${table} (id serial PRIMARY KEY, name text NOT NULL, email text CONSTRAINT ${table}_email_key UNIQUE, parent_id int REFERENCES ${table}_parent (id))`,
      )
      await sql.query(`INSERT INTO ${table}_parent VALUES (1)`)
    })
    afterAll(async () => {
      await http(newScope()).query(`DROP TABLE IF EXISTS ${table}, ${table}_parent`)
    })

    const typesQuery = `SELECT
      $1::int2 AS i2, $2::int4 AS i4, $3::int8 AS i8, $4::numeric AS num, $5::float8 AS f8, $6::float4 AS f4,
      $7::bool AS b, $8::text AS t, $9::varchar(10) AS v, $10::timestamptz AS tz, $11::timestamp AS ts,
      $12::date AS d, $13::json AS j, $14::jsonb AS jb, $15::bytea AS by, $16::uuid AS u, $17::text[] AS arr,
      $18::text AS n`
    const typeParams = [
      -32768,
      2147483647,
      "9223372036854775807",
      "12345678901234567890.123456789",
      0.1 + 0.2,
      1.5,
      true,
      "ünïcødé 'x' \\ $1 ?",
      "varchar",
      "2024-02-29T23:59:58.123Z",
      "2024-02-29 23:59:58.123",
      "2024-02-29",
      JSON.stringify({ a: [1, "b"] }),
      JSON.stringify({ nested: { ok: true } }),
      "\\x00ff10",
      "123e4567-e89b-12d3-a456-426614174000",
      ["a", "b,c", 'd"e'],
      null,
    ]

    const expectTypes = (row: Record<string, unknown>) => {
      expect(row.i2).toBe(-32768)
      expect(row.i4).toBe(2147483647)
      expect(row.i8).toBe("9223372036854775807")
      expect(row.num).toBe("12345678901234567890.123456789")
      expect(row.f8).toBe(0.1 + 0.2)
      expect(row.f4).toBe(1.5)
      expect(row.b).toBe(true)
      expect(row.t).toBe("ünïcødé 'x' \\ $1 ?")
      expect(row.v).toBe("varchar")
      expect((row.tz as Date).toISOString()).toBe("2024-02-29T23:59:58.123Z")
      expect(row.ts).toBeInstanceOf(Date)
      expect(row.d).toBeInstanceOf(Date)
      expect(row.j).toEqual({ a: [1, "b"] })
      expect(row.jb).toEqual({ nested: { ok: true } })
      expect([...(row.by as Uint8Array)]).toEqual([0, 255, 16])
      expect(row.u).toBe("123e4567-e89b-12d3-a456-426614174000")
      expect(row.arr).toEqual(["a", "b,c", 'd"e'])
      expect(row.n).toBeNull()
    }

    it("returns every type as the same JS value over HTTP and over WebSocket", async () => {
      const [overHttp] = (await http(newScope()).query(typesQuery, typeParams)) as Record<string, unknown>[]
      const overSocket = await withClient(
        newScope(),
        async (client) => (await client.query(typesQuery, typeParams)).rows[0],
      )
      expectTypes(overHttp as Record<string, unknown>)
      expectTypes(overSocket as Record<string, unknown>)
      expect(overSocket).toEqual(overHttp)
    })

    it("binds parameters and counts one HTTP request and no WebSocket for a one-shot query", async () => {
      const scope = newScope()
      const rows = await http(scope).query("SELECT $1::int + $2::int AS sum", [40, 2])
      expect(rows).toEqual([{ sum: 42 }])
      expect(await stats(scope)).toMatchObject({ httpRequests: 1, statements: 1, wsConnections: 0 })
    })

    it("gives every HTTP request a fresh session, as Neon does for the driver", async () => {
      const sql = http(newScope())
      const probe = `${table}_temp`
      await sql.query("SET application_name = 'left behind'")
      await sql.query("SELECT pg_advisory_lock(4242)")
      await sql.query(`CREATE TEMP TABLE ${probe} (x int)`)
      // Each a request of its own: none meets what an earlier request left on its connection.
      const [named] = (await sql.query("SHOW application_name")) as { application_name: string }[]
      expect(named?.application_name).not.toBe("left behind")
      const [lock] = (await sql.query("SELECT pg_try_advisory_lock(4242) AS free")) as { free: boolean }[]
      expect(lock?.free).toBe(true)
      const [temp] = (await sql.query(`SELECT to_regclass('pg_temp.${probe}') AS found`)) as {
        found: string | null
      }[]
      expect(temp?.found).toBeNull()
    })

    it("commits a batch transaction whole in one HTTP request", async () => {
      const scope = newScope()
      const sql = http(scope)
      const results = await sql.transaction([
        sql.query(`INSERT INTO ${table} (name) VALUES ($1)`, ["batch-1"]),
        sql.query(`INSERT INTO ${table} (name) VALUES ($1)`, ["batch-2"]),
        sql.query(`SELECT count(*)::int AS n FROM ${table} WHERE name LIKE 'batch-%'`),
      ])
      expect(results[2]).toEqual([{ n: 2 }])
      expect(await stats(scope)).toMatchObject({ httpRequests: 1, statements: 3 })
    })

    it("rolls a batch transaction back whole when one query fails", async () => {
      const sql = http(newScope())
      await expect(
        sql.transaction([
          sql.query(`INSERT INTO ${table} (name) VALUES ($1)`, ["rolled-back"]),
          sql.query(`INSERT INTO ${table} (name) VALUES (NULL)`),
        ]),
      ).rejects.toMatchObject({ code: "23502" })
      expect(await sql.query(`SELECT count(*)::int AS n FROM ${table} WHERE name = 'rolled-back'`)).toEqual([
        { n: 0 },
      ])
    })

    it("runs batches with the isolation level and read-only mode asked for", async () => {
      const sql = http(newScope())
      const [level] = await sql.transaction([sql.query("SHOW transaction_isolation")], {
        isolationLevel: "Serializable",
        readOnly: true,
        deferrable: true,
      })
      expect(level).toEqual([{ transaction_isolation: "serializable" }])
      await expect(
        sql.transaction([sql.query(`INSERT INTO ${table} (name) VALUES ('ro')`)], { readOnly: true }),
      ).rejects.toMatchObject({ code: "25006" })
    })

    it("runs interactive transactions with savepoints over WebSocket", async () => {
      await withClient(newScope(), async (client) => {
        await client.query("BEGIN")
        await client.query(`INSERT INTO ${table} (name) VALUES ('outer')`)
        await client.query("SAVEPOINT inner_work")
        await client.query(`INSERT INTO ${table} (name) VALUES ('inner')`)
        await client.query("ROLLBACK TO SAVEPOINT inner_work")
        await client.query("COMMIT")
      })
      const rows = await http(newScope()).query(
        `SELECT name FROM ${table} WHERE name IN ('outer', 'inner') ORDER BY name`,
      )
      expect(rows).toEqual([{ name: "outer" }])
    })

    it("reports unique, not-null and foreign-key violations with their details in both modes", async () => {
      const sql = http(newScope())
      await sql.query(`INSERT INTO ${table} (name, email) VALUES ('u', 'dup@example.com')`)
      const violations = [
        [
          `INSERT INTO ${table} (name, email) VALUES ('u2', 'dup@example.com')`,
          {
            code: "23505",
            constraint: `${table}_email_key`,
            detail: "Key (email)=(dup@example.com) already exists.",
          },
        ],
        [`INSERT INTO ${table} (name) VALUES (NULL)`, { code: "23502", column: "name", table }],
        [
          `INSERT INTO ${table} (name, parent_id) VALUES ('orphan', 99)`,
          { code: "23503", constraint: `${table}_parent_id_fkey` },
        ],
      ] as const
      for (const [query, expected] of violations) {
        await expect(sql.query(query)).rejects.toMatchObject(expected)
        await withClient(newScope(), (client) => expect(client.query(query)).rejects.toMatchObject(expected))
      }
    })

    it("rejects several statements in one query in both modes", async () => {
      await expect(http(newScope()).query("SELECT 1; SELECT 2")).rejects.toMatchObject({ code: "42601" })
      await withClient(newScope(), (client) =>
        expect(client.query({ text: "SELECT 1; SELECT 2", values: [] })).resolves.toBeDefined(),
      )
      await withClient(newScope(), (client) =>
        expect(client.query("SELECT $1::int; SELECT 2", [1])).rejects.toMatchObject({ code: "42601" }),
      )
    })

    it("refuses a wrong password in both modes", async () => {
      const wrong = new URL(endpoint.connectionString)
      wrong.password = "not-it"
      await expect(http(newScope(), wrong.toString()).query("SELECT 1")).rejects.toMatchObject({
        code: "28P01",
      })
      const client = webSocketClient(newScope(), wrong.toString())
      await expect(client.connect()).rejects.toMatchObject({ code: "28P01" })
    })

    it("counts a WebSocket session's round trips and closes both sides when the client ends", async () => {
      const scope = newScope()
      await withClient(scope, (client) => client.query("SELECT 1"))
      // startup, password, one extended query (Parse/Bind/Describe/Execute/Sync in one frame); the
      // Terminate that end() sends waits for nothing.
      const after = await stats(scope)
      expect(after).toMatchObject({ wsConnections: 1, wsRoundTrips: 3, statements: 1, httpRequests: 0 })
      let open = after.openSockets
      // Up to 10 s of waits: a loaded machine can take seconds; a socket left open stays open.
      for (let i = 0; i < 500 && open !== 0; i++) {
        await new Promise((resolve) => setTimeout(resolve, 20))
        open = (await stats(scope)).openSockets
      }
      expect(open).toBe(0)
    })
  })
}
