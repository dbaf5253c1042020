// `npm run dev` / `npm run dev:neon`: the blog on http://127.0.0.1:8787 under `wrangler dev`, with no
// external service. `npm run dev` serves it from a local libSQL (Turso) endpoint over .data/blog.db;
// `npm run dev:neon` from its own database (edgealchemy_blog) on the PostgreSQL server at PG_URL,
// through the local Neon endpoint. Either way the blog's migrations are applied, a demo user with posts
// is seeded once, and Ctrl-C stops everything.
import { mkdirSync } from "node:fs"
import { type Bindings, engineFor } from "../worker/env.ts"
import { ensureSchema } from "../worker/schema.ts"
import { ensureDevVars } from "./dev/dev-vars.ts"
import { DEFAULT_PG_URL, type DevDatabase, startNeonDatabase } from "./dev/neon-database.ts"
import { DEMO, seedDemo } from "./dev/seed.ts"
import { BLOG_URL, startWranglerDev, stopWrangler, waitForBlog } from "./dev/wrangler.ts"
import { startLibsqlLocal } from "./libsql-local/index.ts"

const LIBSQL_PORT = 8080
const NEON_PORT = 4444
const useNeon = process.argv.includes("--neon")

async function startLibsql(): Promise<DevDatabase> {
  mkdirSync(".data", { recursive: true })
  const libsql = await startLibsqlLocal({ path: ".data/blog.db", port: LIBSQL_PORT })
  return {
    vars: { DATABASE_URL: libsql.url },
    describe: `libSQL (Turso) endpoint ${libsql.url} over .data/blog.db`,
    stop: () => libsql.stop(),
  }
}

async function startNeon(): Promise<DevDatabase> {
  return startNeonDatabase(process.env.PG_URL || DEFAULT_PG_URL, NEON_PORT)
}

const secrets = ensureDevVars()
const database = await (useNeon ? startNeon() : startLibsql()).catch((error: unknown) => {
  const busy = String(error).includes("EADDRINUSE")
  console.error(
    busy
      ? `Port ${useNeon ? NEON_PORT : LIBSQL_PORT} is in use: is another npm run dev running?`
      : error instanceof Error
        ? error.message
        : error,
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
