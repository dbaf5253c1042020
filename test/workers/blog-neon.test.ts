// The blog of BLOG_API.md end to end inside workerd, on PostgreSQL through Neon SQL over HTTP, on a fresh
// database of its own.
import { describe } from "vitest"
import { freshNeon } from "../blog/databases.ts"
import { useBlog } from "../blog/fixture.ts"
import { frontSuite } from "../blog/front-suite.ts"
import { idempotencySuite } from "../blog/idempotency-suite.ts"
import { postsSuite } from "../blog/posts-suite.ts"
import { readsSuite } from "../blog/reads-suite.ts"
import { usersSuite } from "../blog/users-suite.ts"

describe("the blog on Neon", () => {
  const blog = useBlog(freshNeon)
  usersSuite(blog)
  postsSuite(blog)
  readsSuite(blog)
  frontSuite(blog)
  idempotencySuite(blog)
})
