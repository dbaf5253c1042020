// `tsc --init` (TypeScript 5.9 and later) turns on exactOptionalPropertyTypes, under which an option typed
// `requestTimeoutMs?: number` refuses `requestTimeoutMs: env.TIMEOUT` when that value is
// `number | undefined`: a newcomer's createEngine(url, { fetchEndpoint: env.NEON_FETCH_ENDPOINT }) or
// session.execute(query, { readOnly: url.searchParams.has("ro") || undefined }) failed to compile (TS2379),
// though the library takes undefined as not given. The Neon driver's options and a query's options now
// say so in their types (the project's own tsconfig has exactOptionalPropertyTypes on, so this file is
// the type test), and they run as if left out, on Neon over HTTP and over its WebSocket; so do
// dbSession()'s (commit: env.AUTO_COMMIT === "1" || undefined), the libSQL driver's, a session's and a transaction's
// (begin({ readOnly: maybe }), a batch's), on Neon and on libSQL: not read-only, not another isolation.
import { Hono } from "hono"
import { describe, expect, inject, it } from "vitest"
import ws from "ws"
import { dbSession, type SessionVariables } from "../../src/hono.ts"
import {
  AsyncSession,
  column,
  Integer,
  type IsolationLevel,
  inspect,
  model,
  ReadSession,
  Registry,
  type SessionOptions,
  select,
} from "../../src/index.ts"
import { createEngine as createLibsqlEngine } from "../../src/libsql.ts"
import { createEngine } from "../../src/neon.ts"
import { stateOf } from "../../src/orm/state.ts"
import { libsqlHttpFixture } from "../engine/transports.ts"
import { freshSchema } from "../orm/fresh-schema.ts"

const registry = new Registry()
class Dial extends model("r10nc_dials", { id: column(Integer, { primaryKey: true }) }, { registry }) {}

/** A value read from an environment or a request: possibly missing. */
const unset = <T>(): T | undefined => undefined

describe("options given as undefined, on Neon", () => {
  const endpoint = inject("neon")
  const engine = (mode: "http" | "websocket") =>
    createEngine(endpoint.connectionString, {
      fetchEndpoint: `${endpoint.httpUrl}/sql`,
      wsProxy: (host, port) => `${endpoint.httpUrl.replace(/^http:\/\//, "")}/v2?address=${host}:${port}`,
      useSecureWebSocket: false,
      webSocketConstructor: ws,
      pipelineConnect: unset<false>(),
      coalesceWrites: unset<boolean>(),
      webSocket: unset<boolean>(),
      mode: mode === "http" ? unset<"http">() : mode,
      closeTimeoutMs: unset<number>(),
      requestTimeoutMs: unset<number>(),
      echo: unset<boolean>(),
    })
  freshSchema(engine("http"), registry.metadata)
  const libsqlEngine = libsqlHttpFixture().engine(`r10nc-undefined-tx-${Date.now().toString(36)}`)
  freshSchema(libsqlEngine, registry.metadata)

  for (const mode of ["http", "websocket"] as const) {
    it(`are taken by the driver as not given (${mode})`, async () => {
      await using session = new ReadSession(engine(mode))
      await session.begin()
      expect((await session.execute(select(Dial.id))).all()).toEqual([])
      await session.rollback()
    })
  }

  it("are taken by a query as not given", async () => {
    await using session = new ReadSession(engine("http"))
    const result = await session.execute(select(Dial), {
      params: unset<unknown[]>(),
      populateExisting: unset<boolean>(),
      readOnly: unset<boolean>(),
    })
    expect(result.all()).toEqual([])
    const page = await session.paginate(select(Dial), { page: 1, pageSize: 5, readOnly: unset<boolean>() })
    expect(page.total).toBe(0)
  })

  it("are taken by dbSession() as not given", async () => {
    const app = new Hono<{ Variables: SessionVariables }>()
    app.use(
      dbSession({
        engine: () => engine("http"),
        commit: unset<boolean>(),
        serverTiming: unset<boolean>(),
        session: unset<SessionOptions>(),
      }),
    )
    app.get("/", async (c) => c.json((await c.var.session.scalars(select(Dial))).all()))
    const answer = await app.request("/")
    expect(answer.status).toBe(200)
    expect(await answer.json()).toEqual([])
    expect(answer.headers.get("Server-Timing")).toContain("db;")
  })

  it("are taken by a session as not given: it autoflushes, and keeps objects loaded at commit", async () => {
    await using session = new AsyncSession(libsqlEngine, {
      autoflush: unset<boolean>(),
      expireOnCommit: unset<boolean>(),
    })
    const dial = new Dial()
    session.add(dial)
    expect(await session.scalars(select(Dial).where(Dial.id.eq(-1)))).toBeDefined()
    expect(dial.id).toBeTypeOf("number") // autoflushed by the query
    await session.commit()
    expect(inspect(dial).state).toBe("persistent")
    expect(stateOf(dial).expired).toBeFalsy()
  })

  it("are taken by the libSQL driver as not given", async () => {
    const endpoint = inject("libsql")
    const token: string | undefined = endpoint.authToken // env.DATABASE_AUTH_TOKEN, possibly unset
    const made = createLibsqlEngine(`${endpoint.url}/s/r10nc-undefined-libsql/`, {
      authToken: token,
      closeTimeoutMs: unset<number>(),
      requestTimeoutMs: unset<number>(),
    })
    await using session = new ReadSession(made)
    expect((await session.execute(select(Dial.id).where(Dial.id.eq(-1)))).all()).toEqual([])
  })

  it("are taken by a transaction and a batch as not given", async () => {
    const unsetOptions = {
      isolationLevel: unset<IsolationLevel>(),
      readOnly: unset<boolean>(),
      deferrable: unset<boolean>(),
    }
    for (const made of [engine("websocket"), libsqlEngine]) {
      await using session = new AsyncSession(made)
      await session.begin(unsetOptions)
      session.add(new Dial())
      await session.commit() // written: the transaction was not read-only
      await using connection = made.connect()
      const [dials] = await connection.batch([select(Dial.id)], unsetOptions)
      expect(dials?.all().length).toBeGreaterThan(0)
    }
    await using http = engine("http").connect()
    const [rows] = await http.batch([select(Dial.id)], { readOnly: unset<boolean>() })
    expect(rows?.all().length).toBeGreaterThan(0)
  })
})
