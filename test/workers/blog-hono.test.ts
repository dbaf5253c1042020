// edgealchemy/hono inside workerd: the request-scoped session (rolled back on error, committed only when
// configured, closed with the request), the Server-Timing header counted per request on a shared
// engine, and edgealchemy's errors as HTTP answers. On the blog's models, on a fresh PostgreSQL database
// (through the Neon endpoint).
import { Hono } from "hono"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { dbSession, errorHandler, type SessionVariables } from "../../src/hono.ts"
import { type AsyncSession, InvalidRequestError, select, update } from "../../src/index.ts"
import { engineFor } from "../../worker/env.ts"
import { Post, User } from "../../worker/models/index.ts"
import { ensureSchema } from "../../worker/schema.ts"
import { type BlogDatabase, freshNeon } from "../blog/databases.ts"

type Env = { Variables: SessionVariables }

let database: BlogDatabase
beforeAll(async () => {
  // A database of its own (the blog suites count rows on theirs).
  database = await freshNeon()
  await ensureSchema(engineFor(database.env))
})
afterAll(() => database.drop())

let counter = 0
const newUser = () => {
  const name = `hono_${++counter}_${Date.now().toString(36)}`
  return new User({ username: name, email: `${name}@example.com`, passwordHash: "x" })
}

function appWith(options: { commit?: boolean; logged?: string[] } = {}) {
  const app = new Hono<Env>()
  app.use(dbSession<Env>({ engine: () => engineFor(database.env), commit: options.commit ?? false }))
  app.onError(errorHandler({ log: (message) => options.logged?.push(message) }))
  return app
}

async function usernames(): Promise<string[]> {
  return (await database.inspect.execute(select(User.username))).all().map(([name]) => name)
}

const timingOf = (response: Response) =>
  /(\d+) round trips, (\d+) statements/
    .exec(response.headers.get("server-timing") ?? "")
    ?.slice(1)
    .map(Number)

describe("edgealchemy/hono", () => {
  it("counts each request's own round trips, though concurrent requests share one engine", async () => {
    const app = appWith()
    app.get("/queries/:n", async (c) => {
      for (let i = 0; i < Number(c.req.param("n")); i++) await c.var.session.execute(select(User.id).limit(1))
      return c.json({})
    })
    const answers = await Promise.all([1, 3, 2, 0].map((n) => app.request(`/queries/${n}`)))
    expect(answers.map(timingOf)).toEqual([
      [1, 1],
      [3, 3],
      [2, 2],
      [0, 0],
    ])
  })

  it("commits nothing by itself: what a handler leaves pending is dropped", async () => {
    const app = appWith()
    const user = newUser()
    app.post("/", (c) => {
      c.var.session.add(user)
      return c.json({}, 201)
    })
    expect((await app.request("/", { method: "POST" })).status).toBe(201)
    expect(await usernames()).not.toContain(user.username)
  })

  it("with commit: true, commits after a success and rolls back after an error", async () => {
    const app = appWith({ commit: true })
    const [kept, dropped, refused] = [newUser(), newUser(), newUser()]
    app.post("/ok", (c) => {
      c.var.session.add(kept)
      return c.json({}, 201)
    })
    app.post("/throws", (c) => {
      c.var.session.add(dropped)
      throw new Error("boom")
    })
    app.post("/refuses", (c) => {
      c.var.session.add(refused)
      return c.json({ error: { code: "bad_request", message: "no" } }, 400)
    })
    const ok = await app.request("/ok", { method: "POST" })
    // One request: the user's INSERT and its audit entry's (the blog's listener).
    expect([ok.status, timingOf(ok)]).toEqual([201, [1, 2]])
    expect((await app.request("/throws", { method: "POST" })).status).toBe(500)
    expect((await app.request("/refuses", { method: "POST" })).status).toBe(400)
    const names = await usernames()
    expect(names).toContain(kept.username)
    expect(names).not.toContain(dropped.username)
    expect(names).not.toContain(refused.username)
  })

  it("closes the session with the request", async () => {
    const app = appWith()
    let kept: AsyncSession | undefined
    app.get("/", (c) => {
      kept = c.var.session
      return c.json({})
    })
    await app.request("/")
    await expect(kept?.execute(select(User.id))).rejects.toThrow(InvalidRequestError)
  })

  it("answers NotLoadedError with a 500 whose message is logged, not shown", async () => {
    const logged: string[] = []
    const app = appWith({ logged })
    app.get("/", async (c) => {
      const post = await c.var.session.scalar(select(Post).limit(1))
      return c.json({ author: post?.author.username ?? newUser().posts[0]?.author.username })
    })
    const seed = appWith({ commit: true })
    seed.post("/", (c) => {
      const author = newUser()
      c.var.session.add(new Post({ title: "t", content: "c", author }))
      return c.json({}, 201)
    })
    await seed.request("/", { method: "POST" })
    const answer = await app.request("/")
    expect(answer.status).toBe(500)
    expect(await answer.json()).toEqual({
      error: { code: "internal_error", message: "Internal server error" },
    })
    expect(logged.join("\n")).toMatch(/NotLoadedError: Post\.author is not loaded/)
  })

  it("answers a stale version (StaleDataError) and a duplicate key (IntegrityError) with 409", async () => {
    const app = appWith({ commit: true })
    const author = newUser()
    const setup = appWith({ commit: true })
    let postId = 0
    setup.post("/", async (c) => {
      const post = new Post({ title: "v1", content: "c", author })
      c.var.session.add(post)
      await c.var.session.commit()
      postId = post.id
      return c.json({}, 201)
    })
    await setup.request("/", { method: "POST" })
    app.patch("/", async (c) => {
      const post = (await c.var.session.get(Post, postId)) as Post
      // Someone else saves the post meanwhile.
      await database.inspect.execute(update(Post).values({ version: 7 }).where(Post.id.eq(postId)))
      post.title = "mine"
      await c.var.session.commit()
      return c.json({})
    })
    app.post("/twin", (c) => {
      c.var.session.add(new User({ username: author.username, email: "twin@example.com", passwordHash: "x" }))
      return c.json({}, 201)
    })
    const stale = await app.request("/", { method: "PATCH" })
    expect(stale.status).toBe(409)
    expect(((await stale.json()) as { error: { code: string } }).error.code).toBe("conflict")
    const twin = await app.request("/twin", { method: "POST" })
    expect(twin.status).toBe(409)
    expect(await twin.json()).toEqual({
      error: { code: "conflict", message: "A record with this username already exists" },
    })
  })
})
