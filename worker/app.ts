// The blog's Hono app: Server-Timing through hono/timing (the app's metrics and the database's `db`
// entry in one header), a request-scoped database session, a 64 KB body limit, the routes of
// BLOG_API.md by resource with every error as `{"error": {"code", "message"}}`, and the HTML front
// under /ui.
import { Hono } from "hono"
import { bodyLimit } from "hono/body-limit"
import { timing } from "hono/timing"
import { dbSession, errorHandler, HttpError } from "../src/hono.ts"
import { engineFor } from "./env.ts"
import { FRONT_BASE } from "./front/pages.tsx"
import { front } from "./front/routes.tsx"
import type { BlogEnv } from "./http/app-env.ts"
import { blogErrorAnswer } from "./http/errors.ts"
import { audit } from "./routes/audit.ts"
import { auth } from "./routes/auth.ts"
import { comments } from "./routes/comments.ts"
import { posts } from "./routes/posts.ts"
import { stats } from "./routes/stats.ts"
import { tags } from "./routes/tags.ts"
import { users } from "./routes/users.ts"

export const MAX_BODY_BYTES = 64 * 1024

export function createApp(): Hono<BlogEnv> {
  const app = new Hono<BlogEnv>()
  // Before dbSession(): its `db` entry then joins this header, beside `total` and the routes' metrics.
  app.use(timing())
  app.use(dbSession<BlogEnv>({ engine: (c) => engineFor(c.env) }))
  app.use(
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: (c) =>
        c.json(new HttpError(413, "payload_too_large", "Request bodies are limited to 64 KB").body(), 413),
    }),
  )
  // A browser asking for the root gets the HTML front; API clients keep the JSON index.
  app.get("/", (c) => {
    c.header("Vary", "Accept")
    if (prefersHtml(c.req.header("Accept"))) return c.redirect(FRONT_BASE, 303)
    return c.json({
      name: "edgealchemy blog",
      api: "https://github.com/edgealchemy (BLOG_API.md)",
      health: "/health",
      html: FRONT_BASE,
    })
  })
  app.route("/", stats)
  app.route("/users", users)
  app.route("/auth", auth)
  app.route("/posts", posts)
  app.route("/posts", comments)
  app.route("/tags", tags)
  app.route("/audit", audit)
  app.route(FRONT_BASE, front)
  app.notFound((c) =>
    c.json(new HttpError(404, "not_found", `No route for ${c.req.method} ${c.req.path}`).body(), 404),
  )
  app.onError(errorHandler({ map: blogErrorAnswer }))
  return app
}

// Browsers put text/html first in Accept; curl, fetch() and API clients send a wildcard or JSON.
function prefersHtml(accept: string | undefined): boolean {
  return /^\s*text\/html\b/i.test(accept ?? "")
}
