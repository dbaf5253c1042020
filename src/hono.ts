// edgealchemy/hono: a request-scoped AsyncSession for Hono apps (a ReadSession for apps that only read:
// `dbReadSession()`), the Server-Timing header of its database work, and edgealchemy's errors as JSON
// HTTP answers.
//
//   type AppEnv = { Bindings: Env; Variables: SessionVariables }
//   const engines = engineCache((env: Env) => env.DATABASE_URL, (env) => createEngine(env.DATABASE_URL))
//   const app = new Hono<AppEnv>()
//   app.use(dbSession<AppEnv>({ engine: (c) => engines.get(c.env) }))  // the type argument types c.env
//   app.onError(errorHandler())
//   app.get("/users/:id", async (c) => c.json(await c.var.session.get(User, Number(c.req.param("id")))))
export {
  type DbReadSessionOptions,
  type DbSessionOptions,
  dbReadSession,
  dbSession,
  type ReadSessionVariables,
  type SessionVariables,
} from "./hono/db-session.ts"
export { engineCache } from "./hono/engine-cache.ts"
export { type ErrorHandlerOptions, errorHandler, toHttpError } from "./hono/error-handler.ts"
export { codeFor, ERROR_CODES, type ErrorBody, type ErrorStatus, HttpError } from "./hono/http-errors.ts"
export { DbTiming } from "./hono/server-timing.ts"
