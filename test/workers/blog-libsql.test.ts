// The blog of BLOG_API.md end to end inside workerd, on libSQL (Turso's Hrana over HTTP), on a fresh
// database of its own.
import { describe } from "vitest"
import { freshLibsql } from "../blog/databases.ts"
import { useBlog } from "../blog/fixture.ts"
import { frontSuite } from "../blog/front-suite.ts"
import { idempotencySuite } from "../blog/idempotency-suite.ts"
import { postsSuite } from "../blog/posts-suite.ts"
import { readsSuite } from "../blog/reads-suite.ts"
import { usersSuite } from "../blog/users-suite.ts"

describe("the blog on libSQL", () => {
  const blog = useBlog(freshLibsql)
  usersSuite(blog)
  postsSuite(blog)
  readsSuite(blog)
  frontSuite(blog)
  idempotencySuite(blog)
})
