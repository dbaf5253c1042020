// The requests whose session has committed: an error after a commit must not tell the client to send
// the request again, since what it committed is saved and would be written twice. dbSession() marks a
// request, errorHandler() asks. Held weakly by the request's context: nothing outlives its request.
import type { Context } from "hono"

const committed = new WeakSet<Context>()

export function markCommitted(c: Context): void {
  committed.add(c)
}

export function hasCommitted(c: Context): boolean {
  return committed.has(c)
}
