// `npm run dev` / `npm run dev:neon`: the blog on http://127.0.0.1:8787 under `wrangler dev`, with no
// external service. `npm run dev` serves it from a local libSQL (Turso) endpoint over .data/blog.db;
// `npm run dev:neon` from the PostgreSQL at PG_URL through the local Neon endpoint. Either way the blog's
// migrations are applied, a demo user with posts is seeded once, and Ctrl-C stops everything.
import { mkdirSync } from "node:fs"
import { type Bindings, engineFor } from "../worker/env.ts"
import { ensureSchema } from "../worker/schema.ts"
import { ensureDevVars } from "./dev/dev-vars.ts"
import { DEMO, seedDemo } from "./dev/seed.ts"
import { BLOG_URL, startWranglerDev, stopWrangler, waitForBlog } from "./dev/wrangler.ts"
import { startLibsqlLocal } from "./libsql-local/index.ts"
import { startNeonLocal } from "./neon-local/index.ts"
import { probeUpstream } from "./neon-local/upstream-pool.ts"

const LIBSQL_PORT = 8080
const NEON_PORT = 4444
const useNeon = process.argv.includes("--neon")

interface Database {
  /** The worker variables that point it at this database. */
  vars: { DATABASE_URL: string; NEON_FETCH_ENDPOINT?: string }
  describe: string
  stop(): Promise<void>
}

async function startLibsql(): Promise<Database> {
  mkdirSync(".data", { recursive: true })
  const libsql = await startLibsqlLocal({ path: ".data/blog.db", port: LIBSQL_PORT })
  return {
    vars: { DATABASE_URL: libsql.url },
    describe: `libSQL (Turso) endpoint ${libsql.url} over .data/blog.db`,
    stop: () => libsql.stop(),
  }
}

async function startNeon(): Promise<Database> {
  const pgUrl = process.env.PG_URL || "postgres://postgres@127.0.0.1:5432/postgres"
  const unreachable = await probeUpstream(pgUrl)
  if (unreachable) {
    console.error(`No PostgreSQL at PG_URL (${pgUrl}): ${unreachable}`)
    console.error("Point PG_URL at one: PG_URL=postgres://user:password@host:5432/db npm run dev:neon")
    process.exit(1)
  }
  const neon = await startNeonLocal({ upstream: pgUrl, port: NEON_PORT })
  return {
    vars: { DATABASE_URL: pgUrl, NEON_FETCH_ENDPOINT: neon.fetchEndpoint() },
    describe: `Neon endpoint ${neon.url} (SQL over HTTP at ${neon.fetchEndpoint()}) in front of ${pgUrl.replace(/:[^:@/]*@/, ":***@")}`,
    stop: () => neon.stop(),
  }
}

const secrets = ensureDevVars()
const database = await (useNeon ? startNeon() : startLibsql()).catch((error: unknown) => {
  const busy = String(error).includes("EADDRINUSE")
  console.error(
    busy ? `Port ${useNeon ? NEON_PORT : LIBSQL_PORT} is in use: is another npm run dev running?` : error,
  )
  process.exit(1)
})
console.log(`Database: ${database.describe}`)
const env: Bindings = { ...secrets, ...database.vars }
await ensureSchema(engineFor(env))
const seeded = await seedDemo(env)
console.log(seeded === "seeded" ? "Seeded the demo user and posts." : "Demo data present; not seeded again.")

const wrangler = startWranglerDev(database.vars)
let stopping = false
const stop = async (code = 0) => {
  if (stopping) return
  stopping = true
  console.log("\nStopping the blog and its database endpoint...")
  await stopWrangler(wrangler)
  await database.stop()
  console.log("Stopped.")
  process.exit(code)
}
process.on("SIGINT", () => void stop())
process.on("SIGTERM", () => void stop())
wrangler.once("exit", (code) => {
  if (!stopping) {
    console.error(`wrangler dev exited (code ${code}).`)
    void stop(code ?? 1)
  }
})

const firstRequestMs = await waitForBlog(wrangler)
console.log(`
The blog is up: ${BLOG_URL}  (first request ${firstRequestMs.toFixed(0)} ms)
  ${BLOG_URL}/posts           published posts
  ${BLOG_URL}/health          which database answers
  demo login: POST ${BLOG_URL}/auth/token {"username": "${DEMO.username}", "password": "${DEMO.password}"}
Database: ${database.describe}
Ctrl-C stops everything.`)
