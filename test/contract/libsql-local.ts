// The wire contract of libsql-local, checked with the real `@libsql/client/web` over HTTP. The same
// tests run in Node and inside workerd: they only need `fetch`, which both have.
import { type Client, createClient, LibsqlBatchError, LibsqlError } from "@libsql/client/web"
import { afterAll, beforeAll, describe, expect, it } from "vitest"

export interface LibsqlEndpointForTests {
  url: string
  authToken: string
}

export interface LibsqlContractEnvironment {
  /** "node" or "workers": both projects may run at once against one server, so names must differ. */
  runtime: string
  endpoint: LibsqlEndpointForTests
  /** A server whose idle streams expire after about 200 ms. */
  shortExpiry: LibsqlEndpointForTests
}

interface Stats {
  httpRequests: number
  statements: number
}

export function libsqlLocalContract(env: LibsqlContractEnvironment): void {
  const run = `${env.runtime}-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6)}`
  const table = (name: string) => `lsl_${env.runtime}_${name}`
  /** A scope of its own per test: its counters see only that test's traffic. */
  const scoped = (test: string, endpoint = env.endpoint) => {
    const scope = `${run}-${test}`
    const client = createClient({
      url: `${endpoint.url}/s/${scope}/`,
      authToken: endpoint.authToken,
      intMode: "bigint",
    })
    const stats = async (): Promise<Stats> => (await fetch(`${endpoint.url}/s/${scope}/__stats`)).json()
    return { client, stats }
  }
  const observer = createClient({
    url: env.endpoint.url,
    authToken: env.endpoint.authToken,
    intMode: "bigint",
  })
  const countRows = async (client: Client, tableName: string, where = "1 = 1") =>
    (await client.execute(`SELECT count(*) AS n FROM ${tableName} WHERE ${where}`)).rows[0]?.n

  describe(`libsql-local with @libsql/client/web (${env.runtime})`, () => {
    beforeAll(async () => {
      await observer.batch(
        [
          `DROP TABLE IF EXISTS ${table("child")}`,
          `DROP TABLE IF EXISTS ${table("parent")}`,
          `DROP TABLE IF EXISTS ${table("item")}`,
          `DROP TABLE IF EXISTS ${table("value")}`,
          `CREATE TABLE ${table("item")} (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, qty INTEGER)`,
          `CREATE TABLE ${table("value")} (id INTEGER PRIMARY KEY, i INTEGER, r REAL, t TEXT, b BLOB)`,
          `CREATE TABLE ${table("parent")} (id INTEGER PRIMARY KEY)`,
          `CREATE TABLE ${table("child")} (id INTEGER PRIMARY KEY, parent_id INTEGER NOT NULL REFERENCES ${table("parent")}(id))`,
        ],
        "write",
      )
    })

    afterAll(() => observer.close())

    it("binds positional and named arguments", async () => {
      const { client } = scoped("args")
      const inserted = await client.execute({
        sql: `INSERT INTO ${table("item")} (name, qty) VALUES (?, ?), (?, ?)`,
        args: ["args-a", 1n, "args-b", 2n],
      })
      expect(inserted.rowsAffected).toBe(2)
      expect(typeof inserted.lastInsertRowid).toBe("bigint")
      const named = await client.execute({
        sql: `SELECT name, qty FROM ${table("item")} WHERE name = :name OR qty = $qty ORDER BY name`,
        args: { name: "args-a", qty: 2n },
      })
      expect(named.columns).toEqual(["name", "qty"])
      expect(named.rows.map((row) => [row.name, row.qty])).toEqual([
        ["args-a", 1n],
        ["args-b", 2n],
      ])
      const numbered = await client.execute({ sql: "SELECT ?2 AS second, ?1 AS first", args: ["x", "y"] })
      expect([numbered.rows[0]?.second, numbered.rows[0]?.first]).toEqual(["y", "x"])
      // As on sqld: `?1` names the first parameter, which a name took first.
      const mixed = await client.execute({ sql: "SELECT :b, :a, ?1", args: { a: "one", ":b": "two" } })
      expect(Array.from(mixed.rows[0] ?? [])).toEqual(["two", "one", "two"])
      const missing = await failure(client.execute({ sql: "SELECT ?, ?", args: [1n] }))
      expect(missing.code).toBe("ARGS_INVALID")
    })

    it("round-trips integers beyond 2^53, reals, text, blobs and NULL exactly", async () => {
      const { client } = scoped("values")
      const bytes = Uint8Array.from({ length: 256 }, (_, i) => i)
      const big = 2n ** 53n + 1n
      await client.execute({
        sql: `INSERT INTO ${table("value")} (id, i, r, t, b) VALUES (1, ?, ?, ?, ?), (2, ?, ?, ?, ?), (3, ?, ?, ?, ?)`,
        args: [
          big,
          3.25,
          "naïve 'quoted' ✓",
          bytes,
          -(2n ** 63n),
          -0.5,
          "",
          bytes.buffer,
          null,
          null,
          null,
          null,
        ],
      })
      const result = await client.execute(`SELECT id, i, r, t, b FROM ${table("value")} ORDER BY id`)
      expect(result.columnTypes).toEqual(["INTEGER", "INTEGER", "REAL", "TEXT", "BLOB"])
      const [first, second, third] = result.rows
      expect(first?.i).toBe(big)
      expect(first?.r).toBe(3.25)
      expect(first?.t).toBe("naïve 'quoted' ✓")
      expect(first?.b).toBeInstanceOf(ArrayBuffer)
      expect(new Uint8Array(first?.b as ArrayBuffer)).toEqual(bytes)
      expect(second?.i).toBe(-(2n ** 63n))
      expect(second?.r).toBe(-0.5)
      expect(second?.t).toBe("")
      expect(new Uint8Array(second?.b as ArrayBuffer)).toEqual(bytes)
      expect([third?.i, third?.r, third?.t, third?.b]).toEqual([null, null, null, null])
      const types = await client.execute({
        sql: "SELECT typeof(?) AS a, typeof(?) AS b, typeof(?) AS c",
        args: [42n, 42, 1.5],
      })
      expect(Object.values(types.rows[0] ?? {})).toEqual(["integer", "real", "real"])
    })

    it("runs one execute as one HTTP request and one statement", async () => {
      const { client, stats } = scoped("execute")
      const result = await client.execute("SELECT 1 AS one")
      expect(result.rows[0]?.one).toBe(1n)
      expect(await stats()).toEqual({ httpRequests: 1, statements: 1 })
    })

    it("commits a write batch whole in one HTTP request", async () => {
      const { client, stats } = scoped("batch-commit")
      const results = await client.batch(
        ["batch-1", "batch-2", "batch-3"].map((name) => ({
          sql: `INSERT INTO ${table("item")} (name) VALUES (?)`,
          args: [name],
        })),
        "write",
      )
      expect(results.map((result) => result.rowsAffected)).toEqual([1, 1, 1])
      expect(await countRows(observer, table("item"), "name LIKE 'batch-%'")).toBe(3n)
      // One POST; the statements are BEGIN IMMEDIATE, the three inserts and COMMIT.
      expect(await stats()).toEqual({ httpRequests: 1, statements: 5 })
    })

    it("rolls a write batch back whole when a statement fails", async () => {
      const { client, stats } = scoped("batch-rollback")
      const error = await failure(
        client.batch(
          [
            { sql: `INSERT INTO ${table("item")} (name) VALUES (?)`, args: ["rollback-new"] },
            { sql: `INSERT INTO ${table("item")} (name) VALUES (?)`, args: ["batch-1"] },
            { sql: `INSERT INTO ${table("item")} (name) VALUES (?)`, args: ["rollback-never"] },
          ],
          "write",
        ),
      )
      expect(error).toBeInstanceOf(LibsqlBatchError)
      expect((error as LibsqlBatchError).statementIndex).toBe(1)
      expect(error.code).toBe("SQLITE_CONSTRAINT")
      expect(await countRows(observer, table("item"), "name LIKE 'rollback-%'")).toBe(0n)
      // One POST; BEGIN, the first insert, the failing insert, then ROLLBACK (the third insert and
      // COMMIT are skipped by their conditions).
      expect(await stats()).toEqual({ httpRequests: 1, statements: 4 })
    })

    it("runs an interactive transaction over the baton stream, with savepoints", async () => {
      const { client, stats } = scoped("transaction")
      const tx = await client.transaction("write")
      await tx.execute({ sql: `INSERT INTO ${table("item")} (name) VALUES (?)`, args: ["tx-outer"] })
      await tx.execute("SAVEPOINT inner_work")
      await tx.execute({ sql: `INSERT INTO ${table("item")} (name) VALUES (?)`, args: ["tx-inner"] })
      await tx.execute("ROLLBACK TO inner_work")
      const inside = await tx.execute(`SELECT name FROM ${table("item")} WHERE name LIKE 'tx-%'`)
      expect(inside.rows.map((row) => row.name)).toEqual(["tx-outer"])
      expect(await countRows(observer, table("item"), "name LIKE 'tx-%'")).toBe(0n)
      await tx.commit()
      expect(await countRows(observer, table("item"), "name = 'tx-outer'")).toBe(1n)
      expect(await countRows(observer, table("item"), "name = 'tx-inner'")).toBe(0n)
      // Six POSTs, one per call: the first execute carries BEGIN IMMEDIATE with the insert in one
      // batch, the four further executes one each, and commit sends COMMIT with `close`. Seven
      // statements: BEGIN, insert, SAVEPOINT, insert, ROLLBACK TO, select, COMMIT.
      expect(await stats()).toEqual({ httpRequests: 6, statements: 7 })
    })

    it("leaves no trace of a rolled-back transaction", async () => {
      const { client, stats } = scoped("transaction-rollback")
      const tx = await client.transaction("write")
      await tx.execute({ sql: `INSERT INTO ${table("item")} (name) VALUES (?)`, args: ["tx-discarded"] })
      await tx.rollback()
      expect(await countRows(observer, table("item"), "name = 'tx-discarded'")).toBe(0n)
      // BEGIN + insert in one POST, then ROLLBACK with `close` in a second.
      expect(await stats()).toEqual({ httpRequests: 2, statements: 3 })
    })

    it("reports unique, not-null and foreign-key violations as SQLITE_CONSTRAINT", async () => {
      const { client } = scoped("constraints")
      const unique = await failure(
        client.execute({ sql: `INSERT INTO ${table("item")} (name) VALUES (?)`, args: ["batch-1"] }),
      )
      expect(unique.code).toBe("SQLITE_CONSTRAINT")
      expect(unique.message).toContain(`SQLite error: UNIQUE constraint failed: ${table("item")}.name`)
      const notNull = await failure(client.execute(`INSERT INTO ${table("item")} (name) VALUES (NULL)`))
      expect(notNull.code).toBe("SQLITE_CONSTRAINT")
      expect(notNull.message).toContain(`NOT NULL constraint failed: ${table("item")}.name`)
      const foreignKey = await failure(
        client.execute(`INSERT INTO ${table("child")} (parent_id) VALUES (999)`),
      )
      expect(foreignKey.code).toBe("SQLITE_CONSTRAINT")
      expect(foreignKey.message).toContain("FOREIGN KEY constraint failed")
      // Over HTTP only the primary code travels.
      expect(foreignKey.extendedCode).toBeUndefined()
    })

    it("rejects several statements in one execute, and is not fooled by semicolons in text", async () => {
      const { client, stats } = scoped("many-statements")
      const error = await failure(
        client.execute(
          `INSERT INTO ${table("item")} (name) VALUES ('many-1'); INSERT INTO ${table("item")} (name) VALUES ('many-2')`,
        ),
      )
      expect(error.code).toBe("SQL_MANY_STATEMENTS")
      expect(await countRows(observer, table("item"), "name LIKE 'many-%'")).toBe(0n)
      const quoted = await client.execute("SELECT ';' AS semi /* ; */ ; -- ; trailing\n  ")
      expect(quoted.rows[0]?.semi).toBe(";")
      // Both requests reached the server; only the second statement ran.
      expect(await stats()).toEqual({ httpRequests: 2, statements: 1 })
    })

    it("expires an idle stream and rolls its transaction back", async () => {
      const check = scoped("expiry-check", env.shortExpiry).client
      await check.execute(`CREATE TABLE IF NOT EXISTS ${table("expiry")} (name TEXT)`)
      const { client, stats } = scoped("expiry", env.shortExpiry)
      const tx = await client.transaction("write")
      await tx.execute({ sql: `INSERT INTO ${table("expiry")} (name) VALUES (?)`, args: [run] })
      await new Promise((resolve) => setTimeout(resolve, 600))
      const error = await failure(tx.execute("SELECT 1"))
      expect(error.code).toBe("STREAM_EXPIRED")
      tx.close()
      expect(await countRows(check, table("expiry"), `name = '${run}'`)).toBe(0n)
      // BEGIN + insert in one POST; the SELECT refused with STREAM_EXPIRED; and the client's own
      // attempt to close the dead stream with its last baton, refused the same way.
      expect(await stats()).toEqual({ httpRequests: 3, statements: 2 })
    })

    it("refuses a wrong or missing token with HTTP 401", async () => {
      for (const authToken of ["wrong-token", undefined]) {
        const client = createClient({
          url: env.endpoint.url,
          intMode: "bigint",
          ...(authToken === undefined ? {} : { authToken }),
        })
        const error = await failure(client.execute("SELECT 1"))
        expect(error.code).toBe("SERVER_ERROR")
        expect(error.message).toContain("HTTP status 401")
        client.close()
      }
    })
  })
}

async function failure(promise: Promise<unknown>): Promise<LibsqlError> {
  try {
    await promise
  } catch (error) {
    if (error instanceof LibsqlError) return error
    throw error
  }
  throw new Error("Expected the call to fail with a LibsqlError, but it succeeded")
}
