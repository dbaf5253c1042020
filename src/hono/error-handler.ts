// `app.onError(errorHandler())`: edgealchemy's errors as HTTP answers. A duplicate unique key or a stale
// version is the client's conflict (409); a value its column cannot hold is invalid input (422), but one
// the database holds that the model cannot read is the app's (500); data more than one request to the
// database carries is 413 (the client can send less; a retry as is fails the same way); an unreachable
// database or a lock not available now is 503 with `Retry-After: 1`, but one that refuses the app's
// credentials is a 500 (no retry helps until the secret is fixed); anything unexpected, a
// NotLoadedError included (a missing eager load is a bug of the app, not of the request), is a 500 whose
// message is logged, never shown: messages of internal errors carry SQL and parameters. An answer too
// large to read (a ProgrammingError, "return fewer rows") is such a 500: the app's query must read less, and nothing the
// client does changes that. A commit whose answer was lost is also 503, but without Retry-After and not
// "retry": it may have been applied, and a blind retry could apply it twice. A commit that was applied but
// whose answer held a value the models cannot read is a 500, logged, that says the change was saved, as
// is any failure after the request's dbSession() committed. Every 5xx is logged.
import type { Context, ErrorHandler } from "hono"
import { HTTPException } from "hono/http-exception"
import {
  CommittedButUnreadableError,
  ConnectionError,
  DataError,
  IntegrityError,
  NoResultFound,
  OperationalError,
  RequestTooLargeError,
  StaleDataError,
  UnknownOutcomeError,
} from "../errors.ts"
import { hasCommitted } from "./committed-requests.ts"
import { codeFor, type ErrorStatus, HttpError, SUCCESS_HEADERS } from "./http-errors.ts"

export interface ErrorHandlerOptions {
  /**
   * App-specific errors first: return an HttpError to answer with, or undefined to fall through. After
   * the request's session committed, its 4xx and 503 give way to 500 `applied`, as the defaults do.
   */
  map?: (error: Error) => HttpError | undefined
  /** Where internal errors go (default console.error). */
  log?: (message: string, error: Error) => void
}

export function errorHandler(options: ErrorHandlerOptions = {}): ErrorHandler {
  const log = options.log ?? ((message, error) => console.error(message, error))
  return async (error: Error, c: Context) => {
    // Also from the context's own response: Hono copies its headers into the answer returned here when a
    // middleware (cors(), etag()) made it before the handler ran.
    for (const name of SUCCESS_HEADERS) c.header(name, undefined)
    const known = (await notFromTheBody(c, error)) ? undefined : toHttpError(error)
    // The app's map answers by the error's class, as toHttpError does: after a commit, neither may say
    // "retry" or "correct and resend".
    const answer = afterCommit(c, error, options.map?.(error) ?? known)
    if (answer) {
      // A 5xx is the operator's to know of: an unreachable database (503), a commit whose outcome is
      // unknown (503, to reconcile by hand), one written but unreadable (500, the app's to fix).
      if (answer.status >= 500) {
        log(`${c.req.method} ${c.req.path} failed: ${error.name}: ${error.message}`, error)
      }
      return withCarriedHeaders(
        withoutSuccessHeaders(c.json(answer.body(), answer.status, { ...answer.headers })),
        error,
      )
    }
    log(`${c.req.method} ${c.req.path} failed: ${error.name}: ${error.message}`, error)
    return withoutSuccessHeaders(
      c.json(new HttpError(500, "internal_error", "Internal server error").body(), 500),
    )
  }
}

/**
 * The answer to a failure after this request committed (a read after the commit lost its connection, a
 * second commit hit a duplicate): by the failure alone it would say "retry" (503 with Retry-After) or
 * "change it and send again" (409), and the client would write the first commit twice. It says the
 * change is saved instead. An app's own HttpError or HTTPException is its choice, and an unknown
 * outcome already says to check first.
 */
function afterCommit(c: Context, error: Error, answer: HttpError | undefined): HttpError | undefined {
  if (!hasCommitted(c) || error instanceof HttpError || error instanceof HTTPException) return answer
  if (answer?.code === "outcome_unknown" || answer?.code === "applied") return answer
  return new HttpError(
    500,
    "applied",
    "The request failed after saving its changes; check before sending it again, which would save them twice",
  )
}

/**
 * A JSON SyntaxError that is not the request body's: the app's own `JSON.parse` of text it stored (a
 * bug: 500, logged), which toHttpError alone would answer 400 "the request body is not valid JSON". The
 * body Hono read (`c.req.json()`, `c.req.text()`) is parsed again to tell; one read past Hono
 * (`c.req.raw.json()`) cannot be, and stays the client's, as before.
 */
async function notFromTheBody(c: Context, error: Error): Promise<boolean> {
  if (!(error instanceof SyntaxError)) return false
  const text = c.req.bodyCache.text
  if (text === undefined) return !c.req.raw.bodyUsed
  try {
    JSON.parse(await text)
    return true
  } catch {
    return false
  }
}

/** An error answer keeps none of the headers set for the answer the handler meant to give. */
function withoutSuccessHeaders(response: Response): Response {
  for (const name of SUCCESS_HEADERS) response.headers.delete(name)
  return response
}

/**
 * An HTTPException may carry a response whose headers matter (basicAuth's `WWW-Authenticate`, a
 * `Retry-After`): the JSON answer keeps them.
 */
function withCarriedHeaders(response: Response, error: Error): Response {
  if (!(error instanceof HTTPException) || !error.res) return response
  for (const [name, value] of error.res.headers) {
    if (name !== "content-type" && name !== "content-length") response.headers.set(name, value)
  }
  return response
}

/**
 * How unreadable() (../sql/value-checks.ts) ends every DataError of a value read from the database. Not
 * imported from there: an export costs the read workers bytes; test/review-day6-lead/hono-unreadable
 * fails if the two part.
 */
const UNREADABLE = "read from the database; map the column with the type it holds"

/** The HTTP answer to a known error; undefined for the ones that are bugs (logged, 500). */
export function toHttpError(error: Error): HttpError | undefined {
  if (error instanceof HttpError) return error
  if (error instanceof HTTPException) {
    const status = error.status as ErrorStatus
    return new HttpError(status, codeFor(status), error.message || "Request refused")
  }
  if (error instanceof IntegrityError) return integrityAnswer(error)
  if (error instanceof StaleDataError) {
    return new HttpError(409, "conflict", "The resource changed since it was read; reload it and retry")
  }
  if (error instanceof RequestTooLargeError) {
    // Nothing was written; the same request would be refused again.
    return new HttpError(413, "payload_too_large", "The request carries more data than can be stored at once")
  }
  // A value the database holds that the model cannot read is the app's mapping, not the request: a
  // 500, logged, which a 422 would hide from whoever can fix it.
  if (error instanceof DataError && !error.message.endsWith(UNREADABLE)) {
    // The request carried a value its column cannot hold (too long, not valid for the type). The
    // database's own message would show SQL and parameters, so the answer is generic.
    return new HttpError(
      422,
      "validation_error",
      "A value does not fit its field (too long, or not valid for its type)",
    )
  }
  if (error instanceof CommittedButUnreadableError) {
    // Not "retry": the change is written, and sent again it would be written twice.
    return new HttpError(
      500,
      "applied",
      "The change was saved, but the answer could not be built; do not send it again",
    )
  }
  if (error instanceof NoResultFound) return new HttpError(404, "not_found", "No such resource")
  // `await c.req.json()` of a body that is not JSON.
  if (error instanceof SyntaxError && /JSON/.test(error.message)) {
    return new HttpError(400, "bad_request", "The request body is not valid JSON")
  }
  if (error instanceof UnknownOutcomeError) {
    return new HttpError(
      503,
      "outcome_unknown",
      "The change may have been applied; check before retrying, or retry with the same Idempotency-Key",
    )
  }
  // The database refused the app's credentials: an operator's to fix, no retry helps (a logged 500).
  if (error instanceof ConnectionError && credentialsRefused(error)) return undefined
  if (error instanceof ConnectionError || isTransient(error)) {
    return new HttpError(503, "unavailable", "The database is unavailable; retry shortly", {
      "Retry-After": "1",
    })
  }
  return undefined
}

/**
 * A refusal of the credentials: PostgreSQL's class 28 (a wrong password: 28P01), an HTTP 401 or 403
 * (libSQL's answer to a wrong or rotated auth token). The drivers report it as a ConnectionError, as a
 * database out of reach, but "retry shortly" would send every client back to the same refusal.
 */
function credentialsRefused(error: ConnectionError): boolean {
  const code = (error.cause as { code?: unknown } | undefined)?.code
  return (typeof code === "string" && code.startsWith("28")) || /HTTP status 40[13]\b/.test(error.message)
}

function integrityAnswer(error: IntegrityError): HttpError | undefined {
  const what = error.columns.length > 0 ? error.columns.join(", ") : error.constraint
  switch (error.kind) {
    case "unique":
      return new HttpError(409, "conflict", `A record with this ${what ?? "key"} already exists`)
    case "foreign_key":
      return new HttpError(409, "conflict", "A related record does not exist (any more)")
    default:
      // NOT NULL and CHECK failures mean the app let bad data through: a bug, logged as such.
      return undefined
  }
}

/**
 * Locks and serialization failures: the request may succeed if retried. PostgreSQL's by SQLSTATE
 * (40001 serialization, 40P01 deadlock, 55P03 a lock not available now: NOWAIT or lock_timeout, 55006
 * an object in use); SQLite's by its words (SQLITE_BUSY, "database is locked").
 */
function isTransient(error: Error): boolean {
  if (!(error instanceof OperationalError)) return false
  const code = (error.cause as { code?: unknown } | undefined)?.code
  return (
    /^(40001|40P01|55P03|55006)$/.test(String(code)) || /busy|locked|serializ|deadlock/i.test(error.message)
  )
}
