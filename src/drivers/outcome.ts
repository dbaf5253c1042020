// Whether a request that failed may still have been applied by the database. A client cannot see
// what happened to a request whose answer it lost: the database may have run it or not. It can only
// tell the failures that certainly came before anything ran: the database answered with an error
// (a SQLSTATE, a SQLite code, a Hrana error), the connection was refused or the name did not resolve,
// the server refused the request (HTTP 4xx), the client refused to send (pg's dead client, libSQL's
// closed stream), or the transport knew the request was never sent (it marks those with `unsent`).

const marked = new WeakSet<object>()

/** Marks an error as raised before the request was sent; returns it, to be thrown. */
export function unsent<E>(error: E): E {
  if (error instanceof Object) marked.add(error)
  return error
}

/**
 * Codes, names and messages of failures that certainly came first (no SQLSTATE class starts with E).
 * Not a SQLSTATE of a connection the server ended (57P01-57P05: shut down, terminated; class 08):
 * PostgreSQL sends 57P01 even to a COMMIT it applied and was waiting to make durable elsewhere
 * (synchronous replication, Neon's safekeepers). A connection refused with 08001 or 08004 came first,
 * but the transports mark their connects `unsent` already. fetch's own refusals too: a port it blocks
 * ("bad port"), a URL it cannot parse (undici: "Failed to parse URL", workerd: "Invalid URL"). A TLS
 * handshake that failed, before any request went out: https:// to a port that speaks plain HTTP (OpenSSL's
 * "wrong version number", Node's ERR_SSL_WRONG_VERSION_NUMBER).
 */
const CAME_FIRST =
  /^(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|UND_ERR_CONNECT_TIMEOUT|ERR_INVALID_URL|SQLITE_\w+|(?!E|57P|08)[0-9A-Z]{5}|ClosedError|ResponseError|bad port|4\d\d)$|not queryable|HTTP status 4\d\d|Failed to parse URL|Invalid URL|wrong version number/

export function mayHaveApplied(error: unknown): boolean {
  for (let at = error, depth = 0; at instanceof Object && depth < 8; depth++) {
    if (marked.has(at)) return false
    const { code, name, message, status, cause, sourceError } = at as Record<string, unknown>
    // An HTTP status of 4xx (libSQL's HttpServerError) too: the server refused the request.
    if ([code, name, message, status].some((text) => CAME_FIRST.test(text as string))) return false
    // Neon's HTTP errors keep the fetch failure as `sourceError`, others as `cause`.
    at = cause ?? sourceError
  }
  return true
}
