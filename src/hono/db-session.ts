// `dbSession()`: a request-scoped AsyncSession as `c.var.session`; `dbReadSession()`, a ReadSession for
// apps that only read (their bundle then carries no write path). The session is made on a child of the
// app's engine (so the Server-Timing header counts this request's traffic alone), and closed before the
// response leaves (rolling back what was not committed), so no connection outlives its request.
import type { Context, Env, MiddlewareHandler } from "hono"
import { maskUrl } from "../engine/echo.ts"
import type { Engine } from "../engine/engine.ts"
import { InvalidRequestError } from "../errors.ts"
import { ReadSession } from "../orm/read-session.ts"
import { AsyncSession, type SessionOptions } from "../orm/session.ts"
import { checkSessionOptions } from "../orm/session-options.ts"
import { refuseUnknownOptions } from "../util/known-options.ts"
import { watchCommits } from "./committed-requests.ts"
import { SUCCESS_HEADERS } from "./http-errors.ts"
import { DbTiming, metricStore, reportDbTiming } from "./server-timing.ts"

/** The context variables `dbSession()` sets: `new Hono<{ Variables: SessionVariables }>()`. */
export interface SessionVariables {
  session: AsyncSession
}

/** The context variables `dbReadSession()` sets: `new Hono<{ Variables: ReadSessionVariables }>()`. */
export interface ReadSessionVariables {
  session: ReadSession
}

export interface DbReadSessionOptions<E extends Env> {
  /** The engine for this request; engines hold no connection, so cache one per URL (`engineCache`). */
  engine: (c: Context<E>) => Engine
  /**
   * Add `Server-Timing: db;desc="R round trips, S statements";dur=MS` (default true). With hono/timing,
   * `app.use(timing())` before `dbSession()` puts the `db` entry in timing()'s header, beside the app's.
   * Under another dbSession() (one on `*`, one on `/api/*`), the innermost that sets it decides for its
   * routes; the entry still counts the whole request's database work. Each option may be `undefined`,
   * meaning not given (as under `exactOptionalPropertyTypes`, which `tsc --init` turns on).
   */
  serverTiming?: boolean | undefined
}

export interface DbSessionOptions<E extends Env> extends DbReadSessionOptions<E> {
  /**
   * Commit after a handler that answered below 400. Default false: handlers commit what they mean to,
   * and whatever they left pending is dropped.
   */
  commit?: boolean | undefined
  /** Options for each request's session. */
  session?: SessionOptions | undefined
}

/**
 * `app.use(dbSession<AppEnv>({ engine: (c) => engines.get(c.env) }))` (AppEnv, the app's
 * `{ Bindings; Variables: SessionVariables }`, types `c.env`), then in a handler:
 * `const post = await c.var.session.get(Post, id)`.
 */
export function dbSession<E extends Env & { Variables: SessionVariables }>(
  options: DbSessionOptions<E>,
): MiddlewareHandler<E> {
  checkOptions("dbSession", options, ["engine", "serverTiming", "commit", "session"])
  // Checked when the app is set up, not by each request's AsyncSession.
  if (options.session !== undefined) checkSessionOptions(options.session, "dbSession(): session")
  const commit = options.commit ? (session: AsyncSession) => session.commit() : undefined
  // Made here: dbReadSession()'s bundle carries no write path.
  class RequestSession extends AsyncSession {
    protected override requireOpen(): void {
      if (this.closed) refuseIfClosedWithRequest(this)
      super.requireOpen()
    }
  }
  return sessionMiddleware(
    options,
    (engine) => new RequestSession(engine, options.session),
    AsyncSession,
    commit,
  )
}

/**
 * `dbSession()` for an app that only reads: a ReadSession as `c.var.session`, whose bundle carries none
 * of the write path. `app.use(dbReadSession({ engine: (c) => engines.get(c.env) }))`.
 */
export function dbReadSession<E extends Env & { Variables: ReadSessionVariables }>(
  options: DbReadSessionOptions<E>,
): MiddlewareHandler<E> {
  checkOptions("dbReadSession", options, ["engine", "serverTiming"])
  class RequestReadSession extends ReadSession {
    protected override requireOpen(): void {
      if (this.closed) refuseIfClosedWithRequest(this)
      super.requireOpen()
    }
  }
  return sessionMiddleware(options, (engine) => new RequestReadSession(engine), ReadSession)
}

/** The sessions these middlewares closed as their request's handlers returned. */
const closedWithRequest = new WeakSet<ReadSession>()

/**
 * A session used after its middleware closed it: by a response that streams (hono/streaming's
 * callback runs on after the handler returned its Response), or work left running past the handler.
 * Said as such, rather than as a session someone closed.
 */
function refuseIfClosedWithRequest(session: ReadSession): void {
  if (!closedWithRequest.has(session)) return
  throw new InvalidRequestError(
    "c.var.session was closed when the request's handlers returned, before the response body was sent: a response that streams (hono/streaming) and queries while it streams needs a session of its own (new AsyncSession(engine), closed as the stream ends), or reads what it sends before it starts streaming",
  )
}

/**
 * Refused when the app is set up, not at its first request: an option it does not know (`autoCommit`,
 * `commit_on_success`) was ignored, and a handler's writes dropped for want of the commit it asked for.
 */
function checkOptions(where: string, options: object, known: readonly string[]): void {
  refuseUnknownOptions(`${where}()`, options, known)
  const { engine, commit, serverTiming } = options as {
    engine?: unknown
    commit?: unknown
    serverTiming?: unknown
  }
  if (typeof engine !== "function") {
    throw new InvalidRequestError(
      `${where}(): engine is a function of the request's context that returns the engine (engine: (c) => engines.get(c.env)), got ${typeof engine}`,
    )
  }
  for (const [name, value] of [
    ["commit", commit],
    ["serverTiming", serverTiming],
  ]) {
    if (value !== undefined && typeof value !== "boolean") {
      throw new InvalidRequestError(`${where}(): ${name} is true or false, got ${JSON.stringify(value)}`)
    }
  }
}

/** The serverTiming of a dbSession() nested in another, which reports the request's one entry. */
const timingWanted = new WeakMap<Context, boolean>()

/** What the outermost middleware of a request made its session with: a nested one must not differ. */
const madeWith = new WeakMap<Context, { url: string; session: string }>()

function sessionMiddleware<S extends ReadSession, E extends Env & { Variables: { session: S } }>(
  options: DbReadSessionOptions<E>,
  open: (engine: Engine) => S,
  /** What the handlers get: an outer middleware's session must be one (not a ReadSession for writes). */
  kind: abstract new (...args: never[]) => S,
  /** Run after a handler that answered below 400 (dbSession's `commit: true`). */
  commit?: (session: S) => Promise<void>,
): MiddlewareHandler<E> {
  return async (c, next) => {
    const outer: ReadSession | undefined = c.get("session")
    if (outer) {
      // Under another dbSession() (one for `*`, one for `/api/*`): that one's session serves, and this
      // one's `commit: true` still commits it (else a 201's writes were dropped by an outer default).
      // The outer one closes it and reports its timing.
      if (!(outer instanceof kind)) {
        throw new InvalidRequestError(
          outer instanceof ReadSession
            ? "dbSession() runs under a dbReadSession(), whose c.var.session (a ReadSession) cannot write: use dbSession() for both, or mount dbReadSession() only on the routes that read"
            : "c.var.session is already set by another middleware (an auth session's?), and dbSession() would give handlers that instead of the database session: name the other variable differently",
        )
      }
      refuseOtherSession(c, options)
      // Its serverTiming, when set, is the one its routes asked for: the outer one reports by it.
      if (options.serverTiming !== undefined) timingWanted.set(c, options.serverTiming)
      await next()
      if (commit) await commitAfterSuccess(c, outer as S, commit)
      return
    }
    const engine = options.engine(c).child()
    madeWith.set(c, { url: engine.url, session: JSON.stringify(sessionOptionsOf(options)) })
    // Counted even when this one reports nothing: a dbSession() inside may ask for the entry.
    const timing = new DbTiming(engine)
    // Read now: a timing() that runs around this middleware has set its store already.
    const store = metricStore(c)
    const session = open(engine)
    // A later error's answer then says the change is saved instead of "retry" (errorHandler()): a
    // ReadSession's raw SQL may write too.
    watchCommits(c, engine)
    c.set("session", session)
    try {
      await next()
      // Hono turns a thrown error into the onError response and records it on the context. A failed
      // request's transaction is rolled back by the close below, within the driver's closeTimeoutMs:
      // a rollback() of its own waited behind the statement the handler gave up on (a silent
      // database, a Promise.race with a timeout), or on a silent socket, and held the request for good.
      if (!c.error && commit) await commitAfterSuccess(c, session, commit)
    } finally {
      closedWithRequest.add(session)
      await session.close()
      timing.stop()
      if (timingWanted.get(c) ?? options.serverTiming !== false) reportDbTiming(c, timing, store)
    }
  }
}

function sessionOptionsOf(options: object): SessionOptions {
  return (options as { session?: SessionOptions }).session ?? {}
}

/**
 * A nested middleware serves its routes the outer one's session: one that names another database, or
 * other session options, would have them silently ignored (the writes of /analytics/* going to the
 * main database). Refused, saying so; one that asks for the same serves as before.
 */
function refuseOtherSession<E extends Env>(c: Context<E>, options: DbReadSessionOptions<E>): void {
  const outer = madeWith.get(c)
  if (!outer) return
  const url = options.engine(c).url
  if (url !== outer.url) {
    throw new InvalidRequestError(
      `This dbSession() runs under another, whose session (on ${maskUrl(outer.url)}) is the c.var.session its handlers get, not one on ${maskUrl(url)}: one request has one c.var.session; open a session of your own on the other engine (new AsyncSession(engine), closed before the handler returns)`,
    )
  }
  const asked = (options as { session?: SessionOptions }).session
  if (asked !== undefined && JSON.stringify(asked) !== outer.session) {
    throw new InvalidRequestError(
      "This dbSession() runs under another, whose session is the c.var.session its handlers get: its own session options would be ignored; give the outer dbSession() the options, or the same to both",
    )
  }
}

/**
 * `commit: true`: commits after a handler that neither threw nor answered 400 or above. A failed commit
 * is thrown on to the app's error handler, which answers for it, without the handler's answer: Hono
 * would carry its headers (a cookie, a Location) into the error's.
 */
async function commitAfterSuccess<S>(c: Context, session: S, commit: (session: S) => Promise<void>) {
  if (c.error || c.res.status >= 400) return
  await commit(session).catch((error: unknown) => {
    for (const name of SUCCESS_HEADERS) c.header(name, undefined)
    throw error
  })
}
