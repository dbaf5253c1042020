// Run by ./timestamp-zone.test.ts in a child process whose TZ is not UTC (`node --import tsx`): writes
// and reads DateTime values through a `timestamp without time zone` column (SQLite: a text column)
// and prints what it read, as one JSON line. Settings come from the environment (KN_*).
import ws from "ws"
import {
  AsyncSession,
  column,
  createEngine,
  DateTime,
  type Engine,
  Integer,
  model,
  Registry,
  select,
  text,
} from "../../src/index.ts"
import { libsql } from "../../src/libsql.ts"
import { neon } from "../../src/neon.ts"

const env = process.env as Record<string, string>
const tableName = env.KN_TABLE as string

function engineOf(): Engine {
  if (env.KN_TRANSPORT === "libsql-http") {
    return createEngine(env.KN_LIBSQL_URL as string, {
      driver: libsql({ authToken: env.KN_LIBSQL_TOKEN as string }),
    })
  }
  const base = (env.KN_NEON_HTTP as string).replace(/^http:\/\//, "")
  return createEngine(env.KN_NEON_URL as string, {
    driver: neon({
      fetchEndpoint: `${env.KN_NEON_HTTP}/sql`,
      wsProxy: (host, port) => `${base}/v2?address=${host}:${port}`,
      useSecureWebSocket: false,
      pipelineConnect: false,
      coalesceWrites: false,
      mode: env.KN_TRANSPORT === "neon-websocket" ? "websocket" : "http",
      webSocketConstructor: ws,
    }),
  })
}

const registry = new Registry()
class Event extends model(
  tableName,
  { id: column(Integer, { primaryKey: true }), at: column(DateTime) },
  { registry },
) {}
registry.registerModels(Event)

const engine = engineOf()
const postgres = env.KN_TRANSPORT !== "libsql-http"
await engine.execute(text(`DROP TABLE IF EXISTS ${tableName}`))
await engine.execute(
  text(
    `CREATE TABLE ${tableName} (id integer PRIMARY KEY, at ${postgres ? "timestamp without time zone" : "text"} NOT NULL)`,
  ),
)
const written = new Date("2026-07-04T12:34:56.789Z")
const out: Record<string, unknown> = {
  zone: Intl.DateTimeFormat().resolvedOptions().timeZone,
  offset: new Date(2026, 0, 2).getTimezoneOffset(),
}
{
  await using session = new AsyncSession(engine)
  const event = new Event({ id: 1, at: written })
  session.add(event)
  await session.commit()
  // The commit's RETURNING row, read back into the object.
  out.returned = event.at.toISOString()
}
// Written by another program: a wall time, and one in New York's spring-forward gap.
await engine.execute(
  text(`INSERT INTO ${tableName} (id, at) VALUES (2, '2026-01-02 03:04:05'), (3, '2026-03-08 02:30:00.25')`),
)
{
  await using session = new AsyncSession(engine)
  out.got = (await session.get(Event, 1))?.at.toISOString()
  const events = (await session.scalars(select(Event).orderBy(Event.id))).all()
  out.queried = events.map((event) => event.at.toISOString())
}
const rows = await engine.execute(select(Event.c.at).orderBy(Event.c.id))
out.column = rows.rows.map(([at]) => (at as Date).toISOString())
await engine.execute(text(`DROP TABLE ${tableName}`))
process.stdout.write(`${JSON.stringify(out)}\n`)
