// `npm run dev`, then `curl http://127.0.0.1:8787/`: the blog's JSON index pointed its reader at
// "https://github.com/edgealchemy (BLOG_API.md)", a page and a file that do not exist. It now names the
// README section that lists the routes, and the folder that holds them.
import { existsSync, readFileSync } from "node:fs"
import { join, resolve } from "node:path"
import { expect, inject, it } from "vitest"
import { createApp } from "../../worker/app.ts"

const ROOT = resolve(import.meta.dirname, "../..")

it("names the README section with the routes, which exists", async () => {
  const { url, authToken } = inject("libsql")
  const env = { DATABASE_URL: url, DATABASE_AUTH_TOKEN: authToken, AUTH_SECRET: "r8nc-secret" }
  const answer = await createApp().request("/", { headers: { Accept: "application/json" } }, env)
  expect(answer.status).toBe(200)
  const { api } = (await answer.json()) as { api: string }
  expect(api).toBe('README.md, "Run it: the blog on Workers" (routes in worker/routes/)')
  expect(readFileSync(join(ROOT, "README.md"), "utf8")).toContain("## Run it: the blog on Workers")
  expect(existsSync(join(ROOT, "worker/routes"))).toBe(true)
})
