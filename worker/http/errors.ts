// The blog's error answers (BLOG_API.md "Errors"), as HttpErrors the app's error handler renders.
import { HttpError } from "../../src/hono.ts"
import { IntegrityError } from "../../src/index.ts"
import { isTokenUserGone } from "../auth/token-user.ts"
import { ModelValidationError } from "../models/index.ts"

export const notFound = (message: string) => new HttpError(404, "not_found", message)
export const forbidden = (message: string) => new HttpError(403, "forbidden", message)
export const unauthorized = (message: string) => new HttpError(401, "unauthorized", message)
export const conflict = (message: string) => new HttpError(409, "conflict", message)
export const badRequest = (message: string) => new HttpError(400, "bad_request", message)
/** The answer to a valid token whose user no longer exists (or whose id another user now has). */
export const userGone = () =>
  unauthorized("The user of this token no longer exists; sign up or sign in again")
export const invalid = (message: string) => new HttpError(422, "validation_error", message)

/** Errors of the blog's own making, for the error handler's `map`; the rest are edgealchemy's. */
export function blogErrorAnswer(error: Error): HttpError | undefined {
  if (error instanceof ModelValidationError) return invalid(error.message)
  if (isTokenUserGone(error)) return userGone()
  if (error instanceof IntegrityError && error.kind === "unique") {
    const columns = error.columns
    // uq_users_username_lower: the name in another case (an index on an expression names no column).
    if ([...columns, error.constraint].some((name) => name?.includes("username"))) {
      return conflict("That username is taken")
    }
    if (columns.includes("email")) return conflict("That email is already registered")
    if (columns.includes("name")) return conflict("A tag of that name was created meanwhile; retry")
    // The key is taken but its row not visible yet (a read replica behind the primary): in progress.
    if (columns.includes("request_key") || error.constraint?.includes("request_key")) {
      return conflict("A request with this Idempotency-Key is in progress; retry it shortly")
    }
  }
  return undefined
}
