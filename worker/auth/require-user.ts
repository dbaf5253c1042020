// Bearer authentication: `requireUser` refuses a request without a valid token (401); `optionalUser`
// lets anonymous requests through but still refuses a token that is present and bad.
import type { Context, MiddlewareHandler } from "hono"
import { and, IntegrityError, select } from "../../src/index.ts"
import type { BlogEnv } from "../http/app-env.ts"
import { unauthorized, userGone } from "../http/errors.ts"
import { User } from "../models/index.ts"
import { verifyToken } from "./token.ts"

export const requireUser: MiddlewareHandler<BlogEnv> = async (c, next) => {
  if (!c.req.header("Authorization")) throw unauthorized("This needs a bearer token: POST /auth/token")
  await authenticate(c)
  await next()
  // Tokens are checked without a query, so a token can outlive its user. A write naming that user
  // then fails its foreign key: the token is for nobody (401), not a conflict. Asked only then. (On
  // SQLite, where another user may have the id by now, the write's own check says so: ./token-user.ts.)
  if (isMissingReference(c.error) && !(await userExists(c))) c.res = c.json(userGone().body(), 401)
}

export const optionalUser: MiddlewareHandler<BlogEnv> = async (c, next) => {
  if (c.req.header("Authorization")) await authenticate(c)
  await next()
}

async function authenticate(c: Context<BlogEnv>): Promise<void> {
  // The scheme is case-insensitive (RFC 9110 11.1): `bearer` is as good as `Bearer`.
  const match = /^Bearer +([A-Za-z0-9_.-]{1,2048})$/i.exec(c.req.header("Authorization") ?? "")
  if (!match) throw unauthorized("Malformed Authorization header: expected 'Bearer <token>'")
  const claims = await verifyToken(match[1] as string, authSecret(c))
  if (!claims) throw unauthorized("Invalid or expired token")
  c.set("user", claims)
}

export function authSecret(c: Context<BlogEnv>): string {
  const secret = c.env.AUTH_SECRET
  if (!secret)
    throw new Error("AUTH_SECRET is not set: put it in .dev.vars, or `wrangler secret put AUTH_SECRET`")
  return secret
}

/** A write that named a row another request deleted meanwhile (a foreign key failed). */
export function isMissingReference(error: unknown): boolean {
  return error instanceof IntegrityError && error.kind === "foreign_key"
}

/**
 * Whether the token's user still exists, as the token names it (id and username: on SQLite another
 * user may have the id by now); on a connection of its own, apart from the failed session.
 */
async function userExists(c: Context<BlogEnv>): Promise<boolean> {
  const found = await c.var.session.engine.execute(select(User.id).where(tokenUserIs(c)))
  return found.first() !== undefined
}

/** The condition on User that names the token's user: its id and its username. */
export function tokenUserIs(c: Context<BlogEnv>) {
  const user = currentUser(c)
  return and(User.id.eq(user.sub), User.username.eq(user.name))
}

/** The signed-in user of a route behind `requireUser`. */
export function currentUser(c: Context<BlogEnv>) {
  const user = c.get("user")
  if (!user) throw unauthorized("This needs a bearer token: POST /auth/token")
  return user
}
