// Neon's proxy runs a request on its own connection to the database. When that connection drops under
// it (the compute restarted, the network between them failed), the proxy answers 400 with its
// PostgreSQL client's words and no SQLSTATE: "connection closed", or "error communicating with the
// server: ..." (sql_over_http.rs: SqlOverHttpError::Postgres is a 400; tokio-postgres's Display). A
// COMMIT it had sent may have been applied: a commit answered so is an UnknownOutcomeError, never a
// DatabaseError that reads as "it failed". The fault proxy lets the request through (the database
// applies it) and gives the client Neon's answer instead of the stand-in's.
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { text } from "../../src/index.ts"
import { type FaultRig, startFaultRig } from "../reliability/fault-rig.ts"
import { commitWriteRead } from "./commit-write-read.ts"

let rig: FaultRig
beforeAll(async () => {
  rig = await startFaultRig()
})
afterAll(() => rig?.stop())

/** Neon's error body: every field; `code` the SQLSTATE when the database gave one. */
function neonLostAnswer(message: string, code = "", severity = "") {
  const fields = ["detail", "hint", "position", "internalPosition", "internalQuery", "where", "table"]
  const more = ["column", "schema", "dataType", "constraint", "file", "line", "routine"]
  const body: Record<string, unknown> = { message, code, severity }
  for (const field of [...fields, ...more]) body[field] = null
  return { status: 400, body: JSON.stringify(body) }
}

const WORDS = [
  "connection closed",
  "error communicating with the server: Connection reset by peer (os error 104)",
]

describe("Neon HTTP: the proxy's database connection dropped under the request", () => {
  let n = 0
  for (const words of WORDS) {
    it(`answered "${words.slice(0, 30)}": a commit's outcome is unknown, a read's failure is a ConnectionError`, async () => {
      const scope = `oc-lost-${++n}`
      const table = `oc_lost_${n}`
      const engine = rig.engine("neon-http", scope)
      const proxy = rig.proxyOf("neon-http")
      await engine.execute(text(`CREATE TABLE ${table} (x integer)`))
      // The atomic request of a commit, an autocommitted write, a read.
      const outcomes = await commitWriteRead(engine, table, () =>
        proxy.arm("cut", { scope, answer: neonLostAnswer(words) }),
      )
      expect(outcomes).toEqual(["unknown", "unknown", "connection"])
      // Applied all the same, as they may be when the answer is lost.
      const rows = await rig.inspect("neon-http").execute(text(`SELECT x FROM ${table} ORDER BY x`))
      expect(rows.all().map(([x]) => Number(x))).toEqual([1, 2, 3])
      expect(proxy.pending).toBe(0)
    })
  }
})

// PostgreSQL ends a backend told to go (a shutdown, pg_terminate_backend, a compute restarted) with
// FATAL 57P01, even while its COMMIT waits for the WAL to be made durable elsewhere (synchronous
// replication; Neon's safekeepers): "The transaction has already committed locally", its warning says.
// An error with a SQLSTATE came first, as a rule, but not this one, nor a connection failure (08006):
// at a commit they leave its outcome unknown.
describe("Neon HTTP: the database ended the connection under a commit", () => {
  let n = 0
  for (const [code, words] of [
    ["57P01", "terminating connection due to administrator command"],
    ["08006", "could not receive data from client: Connection reset by peer"],
  ] as const) {
    it(`answered ${code}: a commit's outcome is unknown`, async () => {
      const scope = `oc-fatal-${++n}`
      const table = `oc_fatal_${n}`
      const engine = rig.engine("neon-http", scope)
      const proxy = rig.proxyOf("neon-http")
      await engine.execute(text(`CREATE TABLE ${table} (x integer)`))
      const outcomes = await commitWriteRead(engine, table, () =>
        proxy.arm("cut", { scope, answer: neonLostAnswer(words, code, "FATAL") }),
      )
      expect(outcomes).toEqual(["unknown", "unknown", "connection"])
      const rows = await rig.inspect("neon-http").execute(text(`SELECT x FROM ${table} ORDER BY x`))
      expect(rows.all().map(([x]) => Number(x))).toEqual([1, 2, 3])
    })
  }
})
