// A Hono app on Turso: a session per request (closed before the response leaves), its database cost in
// Server-Timing, edgealchemy's errors as JSON answers (404, 409, 422, 503).

import { dbSession, engineCache, errorHandler, type SessionVariables } from "edgealchemy/hono"
import { createEngine } from "edgealchemy/libsql"
import { Hono } from "hono"
import { User } from "./models.ts"

type Bindings = { DATABASE_URL: string; DATABASE_AUTH_TOKEN: string }
type AppEnv = { Bindings: Bindings; Variables: SessionVariables }

// Engines hold no connection: one per database serves every request of the isolate. The key is all
// the engine is made of, so a rotated token gets an engine of its own.
const engines = engineCache(
  (env: Bindings) => `${env.DATABASE_URL}\n${env.DATABASE_AUTH_TOKEN}`,
  (env) => createEngine(env.DATABASE_URL, { authToken: env.DATABASE_AUTH_TOKEN }),
)

const app = new Hono<AppEnv>()
app.use(dbSession<AppEnv>({ engine: (c) => engines.get(c.env) })) // the type argument types c.env
app.onError(errorHandler())

app.post("/users", async (c) => {
  const { username } = await c.req.json<{ username: string }>()
  const user = new User({ username })
  c.var.session.add(user)
  await c.var.session.commit() // a taken username: IntegrityError, answered 409
  return c.json({ id: user.id, username }, 201)
})

app.get("/users/:id", async (c) => {
  const user = await c.var.session.get(User, Number(c.req.param("id")))
  return user ? c.json({ id: user.id, username: user.username }) : c.json({ error: "not found" }, 404)
})

export default app
