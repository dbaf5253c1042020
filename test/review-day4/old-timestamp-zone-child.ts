// Run by ./old-timestamp-zone.test.ts in a child process started with its TZ (`node --import tsx`):
// reads wall times another program wrote into a `timestamp without time zone` column through a
// DateTime column, and prints them (ISO) as one JSON line. Settings come from the environment (RV4_*).
import ws from "ws"
import { column, createEngine, DateTime, Integer, model, Registry, select, text } from "../../src/index.ts"
import { neon } from "../../src/neon.ts"

const env = process.env as Record<string, string>
const tableName = env.RV4_TABLE as string
const base = (env.RV4_NEON_HTTP as string).replace(/^http:\/\//, "")
const engine = createEngine(env.RV4_NEON_URL as string, {
  driver: neon({
    fetchEndpoint: `${env.RV4_NEON_HTTP}/sql`,
    wsProxy: (host, port) => `${base}/v2?address=${host}:${port}`,
    useSecureWebSocket: false,
    pipelineConnect: false,
    coalesceWrites: false,
    mode: env.RV4_TRANSPORT === "neon-websocket" ? "websocket" : "http",
    webSocketConstructor: ws,
  }),
})
const registry = new Registry()
class Moment extends model(
  tableName,
  { id: column(Integer, { primaryKey: true }), at: column(DateTime) },
  { registry },
) {}
registry.registerModels(Moment)

await engine.execute(text(`DROP TABLE IF EXISTS ${tableName}`))
await engine.execute(
  text(`CREATE TABLE ${tableName} (id integer PRIMARY KEY, at timestamp without time zone NOT NULL)`),
)
await engine.execute(
  text(`INSERT INTO ${tableName} (id, at) VALUES (1, '1900-01-01 00:00:00'), (2, '2018-06-01 12:00:00')`),
)
const rows = await engine.execute(select(Moment.c.at).orderBy(Moment.c.id))
await engine.execute(text(`DROP TABLE ${tableName}`))
process.stdout.write(`${JSON.stringify(rows.rows.map(([at]) => (at as Date).toISOString()))}\n`)
