// POST /auth/token: a bearer token (a JWT, HS256) for a username and password, valid 24 hours.
import { Hono } from "hono"
import * as v from "valibot"
import { select } from "../../src/index.ts"
import { burnPasswordCheck, verifyPassword } from "../auth/password.ts"
import { authSecret } from "../auth/require-user.ts"
import { signToken, TOKEN_LIFETIME_SECONDS } from "../auth/token.ts"
import type { BlogEnv } from "../http/app-env.ts"
import { unauthorized } from "../http/errors.ts"
import { jsonBody, storableText } from "../http/validation.ts"
import { User } from "../models/index.ts"

const credentials = v.strictObject({
  // A name no user can have (NUL, lone surrogates) is refused before it reaches the database.
  username: storableText(0, 200),
  password: v.pipe(v.string(), v.maxLength(200)),
})

export const auth = new Hono<BlogEnv>()

auth.post("/token", jsonBody(credentials), async (c) => {
  const { username, password } = c.req.valid("json")
  const secret = authSecret(c)
  const user = await c.var.session.scalar(select(User).where(User.username.eq(username)))
  if (!user) {
    await burnPasswordCheck(password)
    throw unauthorized("Wrong username or password")
  }
  // The password is checked first, so an inactive account answers as slowly as any other: a quick
  // 401 would tell that the username exists and is inactive.
  const genuine = await verifyPassword(password, user.passwordHash)
  if (!genuine || !user.isActive) throw unauthorized("Wrong username or password")
  const exp = Math.floor(Date.now() / 1000) + TOKEN_LIFETIME_SECONDS
  const token = await signToken({ sub: user.id, name: user.username, exp }, secret)
  return c.json({ token, expiresAt: new Date(exp * 1000).toISOString() })
})
