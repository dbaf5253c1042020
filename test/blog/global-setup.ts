// Global setup of the workers project for the blog suite: a libSQL endpoint of its own over a fresh
// temporary file, so each run starts from an empty blog database that no other test shares (the blog's
// table names are the real ones: users, posts...). PostgreSQL gets a fresh database per run inside the
// suite itself (test/blog/databases.ts), through the shared Neon endpoint.
import type { TestProject } from "vitest/node"
import { startLibsqlLocal } from "../../tools/libsql-local/index.ts"
import "./provided.ts"

const TOKEN = "edgealchemy-blog-token"

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const libsql = await startLibsqlLocal({ port: 0, authToken: TOKEN })
  project.provide("blogLibsql", { url: libsql.url, authToken: TOKEN })
  return () => libsql.stop()
}
