// An answer that is not what the protocol says, after the database did the work: a 200 whose JSON has
// the wrong shape (a middlebox, a proxy of another version), a body that stalls after its headers, a
// body cut off halfway. Neon's proxy and libSQL's server answer 200 only once the work is done, so a
// commit so answered may well have been applied: it is an UnknownOutcomeError, never a plain failure;
// a read so answered is a ConnectionError. Neon HTTP reported a batch answered with the wrong shape as
// a DatabaseError ("Neon internal error: unexpected result format"), and libSQL HTTP every such answer
// as an OperationalError (HRANA_PROTO_ERROR): "it failed", though the rows were stored.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest"
import { AsyncSession, createAll, createEngine, dropAll, type Engine, text } from "../../src/index.ts"
import { libsql } from "../../src/libsql.ts"
import { neon } from "../../src/neon.ts"
import { kindOf } from "../outcomes/commit-write-read.ts"
import { type Mangle, type ManglingProxy, startManglingProxy } from "./mangling-proxy.ts"
import { hangModels } from "./models.ts"

const { Note, registry, tableName } = hangModels("d7h_shape")

let proxies: Record<"neon-http" | "libsql-http", ManglingProxy>
beforeAll(async () => {
  proxies = {
    "neon-http": await startManglingProxy(inject("neon").httpUrl),
    "libsql-http": await startManglingProxy(inject("libsql").url),
  }
})
afterAll(async () => {
  await proxies?.["neon-http"].stop()
  await proxies?.["libsql-http"].stop()
})

type Transport = keyof typeof proxies

/**
 * An engine through the proxy, or (`proxy` undefined) straight to the stand-in. Only a stalled answer
 * needs requestTimeoutMs (it ends the wait); elsewhere a limit would cut requests that wait for the shared
 * stand-ins' locks while other test files write.
 */
function engineOf(transport: Transport, proxy: ManglingProxy | undefined, requestTimeoutMs?: number): Engine {
  const options = { closeTimeoutMs: 300, ...(requestTimeoutMs ? { requestTimeoutMs } : {}) }
  if (transport === "neon-http") {
    const endpoint = proxy?.url ?? inject("neon").httpUrl
    return createEngine(inject("neon").connectionString, {
      driver: neon({ fetchEndpoint: `${endpoint}/sql`, ...options }),
    })
  }
  const base = proxy?.url ?? inject("libsql").url
  return createEngine(`${base}/`, { driver: libsql({ authToken: inject("libsql").authToken, ...options }) })
}

async function freshTables(engine: Engine): Promise<void> {
  await using connection = engine.connect()
  await dropAll(registry.metadata, connection)
  await createAll(registry.metadata, connection)
}

/**
 * The outcome of a session's commit, an atomic batch of two statements (a transaction of its own), an
 * autocommitted write, and a read.
 */
async function outcomes(engine: Engine, proxy: ManglingProxy, table: string, mangle: Mangle) {
  const sends: [string, () => Promise<unknown>][] = [
    [
      "INSERT",
      async () => {
        await using session = new AsyncSession(engine)
        session.add(new Note({ id: 1, body: "a" }))
        session.add(new Note({ id: 2, body: "b" }))
        await session.commit()
      },
    ],
    [
      "INSERT",
      async () => {
        await using connection = engine.connect()
        await connection.batch([
          text(`INSERT INTO ${table} (id, body) VALUES (3, 'c')`),
          text(`INSERT INTO ${table} (id, body) VALUES (4, 'd')`),
        ])
      },
    ],
    ["INSERT", () => engine.execute(text(`INSERT INTO ${table} (id, body) VALUES (5, 'e')`))],
    ["SELECT", () => engine.execute(text(`SELECT id FROM ${table}`))],
  ]
  const kinds: string[] = []
  for (const [when, send] of sends) {
    proxy.arm(mangle, when)
    kinds.push(
      kindOf(
        await send().then(
          () => "ok",
          (error: unknown) => error,
        ),
      ),
    )
  }
  return kinds
}

const MANGLES: [string, Mangle][] = [
  ["a 200 of an empty object", { kind: "rewrite", rewrite: () => "{}" }],
  ["a 200 of null", { kind: "rewrite", rewrite: () => "null" }],
  ["a 200 of truncated JSON", { kind: "rewrite", rewrite: (body) => body.slice(0, -3) }],
  ["a body cut off halfway", { kind: "half" }],
  ["a body that stalls after its headers", { kind: "stall" }],
]

for (const transport of ["neon-http", "libsql-http"] as const) {
  describe(`an answer not as the protocol says, on ${transport}`, () => {
    for (const [name, mangle] of MANGLES) {
      it(`${name}: a commit's outcome is unknown, a read's failure a ConnectionError`, async () => {
        const proxy = proxies[transport]
        const engine = engineOf(transport, proxy, mangle.kind === "stall" ? 1_000 : undefined)
        const direct = engineOf(transport, undefined)
        await freshTables(direct)
        const before = proxy.mangled
        expect(await outcomes(engine, proxy, tableName, mangle)).toEqual([
          "unknown",
          "unknown",
          "unknown",
          "connection",
        ])
        expect(proxy.mangled - before).toBe(4)
        // Each was applied (a write the client gave up on may still be finishing at the server).
        const ids = async () =>
          (await direct.execute(text(`SELECT id FROM ${tableName} ORDER BY id`)))
            .all()
            .map(([id]) => Number(id))
        for (let waited = 0; (await ids()).length < 5 && waited < 6_000; waited += 50)
          await new Promise((resolve) => setTimeout(resolve, 50))
        expect(await ids()).toEqual([1, 2, 3, 4, 5])
        // Nothing is left open at the server (a stalled answer's connection included).
        for (let waited = 0; proxy.open() > 0 && waited < 6_000; waited += 50)
          await new Promise((resolve) => setTimeout(resolve, 50))
        expect(proxy.open()).toBe(0)
      })
    }
  })
}
