// POST /users, GET /users/:id, GET /users/:id/posts.
import { Hono } from "hono"
import * as v from "valibot"
import { func, select } from "../../src/index.ts"
import { hashPassword, verifyPassword } from "../auth/password.ts"
import type { BlogEnv } from "../http/app-env.ts"
import { notFound } from "../http/errors.ts"
import { commitOnce } from "../http/idempotency.ts"
import { postPageJson, userJson } from "../http/serializers.ts"
import { idParam, jsonBody, pageQuery, queryParams, storableText } from "../http/validation.ts"
import { Post, User } from "../models/index.ts"
import { pageOfPosts, publishedPosts } from "../queries/posts.ts"

const signup = v.strictObject({
  username: v.pipe(
    v.string(),
    v.regex(/^[A-Za-z0-9_]{3,50}$/, "must be 3-50 letters, digits or underscores"),
  ),
  // The model's validator checks the `@` and lower-cases it (../models/validators.ts).
  email: storableText(3, 100),
  password: storableText(8, 200),
  bio: v.optional(v.nullable(storableText(0, 5000))),
})

export const users = new Hono<BlogEnv>()

users.post("/", jsonBody(signup), async (c) => {
  const body = c.req.valid("json")
  const session = c.var.session
  const user = new User({
    username: body.username,
    email: body.email,
    passwordHash: await hashPassword(body.password),
    bio: body.bio ?? null,
  })
  session.add(user)
  // One request: the INSERT, its audit entry (and the Idempotency-Key, when given), COMMIT. A taken
  // username or email fails it whole (409), unless it is a retry of this very request.
  const replayed = await commitOnce(c, {
    created: user,
    content: { username: body.username, email: body.email, bio: body.bio ?? null },
    answer: async (id) => {
      const created = await session.get(User, id)
      // Only the account this key made: SQLite gave a deleted user's id to the next sign-up before
      // sqliteAutoincrement (revision 91831570c695), and the check costs nothing.
      return created?.username === body.username ? userJson(created) : undefined
    },
    // A retry with another password is another request: its account would not be the one it asked for.
    sameSecrets: async (id) => {
      const created = await session.get(User, id)
      // Another account (or none) under this id: answer() says the key's account is gone.
      if (created?.username !== body.username) return true
      return verifyPassword(body.password, created.passwordHash)
    },
  })
  return replayed ?? c.json(userJson(user), 201)
})

users.get("/:id", async (c) => {
  const id = idParam(c.req.param("id"), "user")
  const postCount = select(func.count(Post.id))
    .where(Post.userId.eq(User.id), Post.published.eq(true))
    .scalarSubquery()
  const row = (await c.var.session.execute(select(User, postCount).where(User.id.eq(id)))).first()
  if (!row) throw notFound(`No user ${id}`)
  const [user, count] = row
  return c.json({ ...userJson(user), postCount: Number(count ?? 0) })
})

users.get("/:id/posts", queryParams(v.object(pageQuery)), async (c) => {
  const id = idParam(c.req.param("id"), "user")
  const session = c.var.session
  const page = await pageOfPosts(session, publishedPosts(Post.userId.eq(id)), c.req.valid("query"))
  // An empty page may mean no such user: only then is a second query worth it.
  if (page.total === 0 && !(await session.get(User, id))) throw notFound(`No user ${id}`)
  return c.json(postPageJson(page))
})
