// One blog per database for a suite: a fresh database with the schema, the app, and helpers that make
// users, tokens and posts through the API itself.
import { afterAll, beforeAll, expect } from "vitest"
import { createApp } from "../../worker/app.ts"
import { engineFor } from "../../worker/env.ts"
import { ensureSchema } from "../../worker/schema.ts"
import { type BlogClient, blogClient } from "./client.ts"
import type { BlogDatabase } from "./databases.ts"
import { type TableCounts, tableCounts } from "./tables.ts"

export interface Blog {
  readonly database: BlogDatabase
  readonly api: BlogClient
  /** Signs up a user with a unique name (password "password123"); returns the user and a token. */
  member(prefix?: string): Promise<{ id: number; username: string; token: string }>
  /** Creates a post through the API; returns its JSON. */
  // biome-ignore lint/suspicious/noExplicitAny: the post JSON, asserted by the tests that read it.
  post(token: string, fields?: Record<string, unknown>): Promise<any>
  counts(): Promise<TableCounts>
  /** Asserts that `request` fails and leaves every table (the audit log included) as it was. */
  leavesNoTrace<T>(request: () => Promise<T>): Promise<T>
}

let counter = 0

/** Registers the suite's setup and teardown; the returned blog is usable inside tests. */
export function useBlog(open: () => Promise<BlogDatabase>): Blog {
  let database: BlogDatabase | undefined
  let api: BlogClient | undefined
  const app = createApp()
  beforeAll(async () => {
    database = await open()
    await ensureSchema(engineFor(database.env))
    api = blogClient(app, database.env)
  })
  afterAll(async () => {
    await database?.drop()
  })

  const blog: Blog = {
    get database() {
      if (!database) throw new Error("the blog is set up in beforeAll")
      return database
    },
    get api() {
      if (!api) throw new Error("the blog is set up in beforeAll")
      return api
    },
    async member(prefix = "user") {
      const username = `${prefix}_${++counter}_${Date.now().toString(36)}`.slice(0, 50)
      const created = await blog.api.post("/users", {
        json: { username, email: `${username}@Example.com`, password: "password123" },
      })
      expect(created.status).toBe(201)
      const login = await blog.api.post("/auth/token", { json: { username, password: "password123" } })
      expect(login.status).toBe(200)
      return { id: created.body.id, username, token: login.body.token }
    },
    async post(token, fields = {}) {
      const answer = await blog.api.post("/posts", {
        token,
        json: { title: `Post ${++counter}`, content: "Some content", published: true, ...fields },
      })
      expect(answer.status, JSON.stringify(answer.body)).toBe(201)
      return answer.body
    },
    counts: () => tableCounts(blog.database.inspect),
    async leavesNoTrace(request) {
      const before = await blog.counts()
      const result = await request()
      expect(await blog.counts()).toEqual(before)
      return result
    },
  }
  return blog
}
