// Whether a request that failed may still have been applied by the database. A client cannot see
// what happened to a request whose answer it lost: the database may have run it or not. It can only
// tell the failures that certainly came before anything ran: the database answered with an error,
// the connection was refused or the name did not resolve, the server refused the request (HTTP 4xx),
// or the transport knew the request was never sent (it marks those with `unsent`).

const marked = new WeakSet<object>()

/** Marks an error as raised before the request was sent; returns it, to be thrown. */
export function unsent<E>(error: E): E {
  if (typeof error === "object" && error !== null) marked.add(error)
  return error
}

/** Codes of failures that happen before a connection exists (Node's errno codes, undici's). */
const NOT_CONNECTED = /^(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ENETUNREACH|EHOSTUNREACH|UND_ERR_CONNECT_TIMEOUT)$/
/** A SQLSTATE (no class starts with E, unlike errno codes such as EPIPE) or a SQLite result code. */
const DATABASE_ANSWER = /^((?!E)[0-9A-Z]{5}|SQLITE_\w+)$/
/** Raised by a client before it sends: pg's dead client, libSQL's closed stream. */
const CLIENT_REFUSED = /not queryable|^ClosedError$/

export function mayHaveApplied(error: unknown): boolean {
  for (let at = error, depth = 0; typeof at === "object" && at !== null && depth < 8; depth++) {
    if (marked.has(at)) return false
    const { code, status, name, message } = at as Record<string, unknown>
    if (typeof code === "string" && (NOT_CONNECTED.test(code) || DATABASE_ANSWER.test(code))) return false
    if (typeof status === "number" && status >= 400 && status < 500) return false
    if (typeof name === "string" && (CLIENT_REFUSED.test(name) || name === "ResponseError")) return false
    if (typeof message === "string" && (CLIENT_REFUSED.test(message) || /HTTP status 4\d\d/.test(message)))
      return false
    // Neon's HTTP errors keep the fetch failure as `sourceError`, others as `cause`.
    const { cause, sourceError } = at as { cause?: unknown; sourceError?: unknown }
    at = cause ?? sourceError
  }
  return true
}
