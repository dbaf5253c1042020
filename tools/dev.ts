// `npm run dev`: the local stack. A libSQL endpoint over a file in .data/ (no external service) and, when
// a PostgreSQL answers at PG_URL, a Neon endpoint in front of it. The blog worker joins in a later issue.
import { mkdirSync } from "node:fs"
import { startLibsqlLocal } from "./libsql-local/index.ts"
import { startNeonLocal } from "./neon-local/index.ts"
import { probeUpstream } from "./neon-local/upstream-pool.ts"

const LIBSQL_PORT = 8080
const NEON_PORT = 4444
const pgUrl = process.env.PG_URL || "postgres://postgres@127.0.0.1:5432/postgres"

mkdirSync(".data", { recursive: true })
const libsql = await startLibsqlLocal({ path: ".data/blog.db", port: LIBSQL_PORT })
console.log(`libSQL (Turso) endpoint: ${libsql.url}  over .data/blog.db`)

const unreachable = await probeUpstream(pgUrl)
if (unreachable) console.log(`Neon endpoint not started: no PostgreSQL at PG_URL (${unreachable})`)
const neon = unreachable ? undefined : await startNeonLocal({ upstream: pgUrl, port: NEON_PORT })
if (neon)
  console.log(`Neon endpoint: ${neon.url}  (SQL over HTTP at ${neon.fetchEndpoint()}) in front of PG_URL`)
console.log("Ctrl-C stops everything.")

const stop = async () => {
  await Promise.all([libsql.stop(), neon?.stop()])
  process.exit(0)
}
process.once("SIGINT", stop)
process.once("SIGTERM", stop)
