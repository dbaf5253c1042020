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
      api: 'README.md, "Run it: the blog on Workers" (routes in worker/routes/)',
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
  app.notFound((c) => {
    // A resource that is there for other methods: 405 with the methods it has (RFC 9110 15.5.6).
    const allowed = allowedMethods(app, c.req.path)
    if (allowed.length === 0) {
      return c.json(new HttpError(404, "not_found", `No route for ${c.req.method} ${c.req.path}`).body(), 404)
    }
    const error = new HttpError(405, "method_not_allowed", `${c.req.path} takes ${allowed.join(", ")}`)
    return c.json(error.body(), 405, { Allow: allowed.join(", ") })
  })
  app.onError(errorHandler({ map: blogErrorAnswer }))
  return app
}

/** The methods the app's routes answer on `path` (HEAD with GET, as Hono answers it); none if no route. */
function allowedMethods(app: Hono<BlogEnv>, path: string): string[] {
  const methods = new Set<string>()
  for (const route of app.routes) {
    if (route.method !== "ALL" && routePattern(route.path).test(path)) methods.add(route.method)
  }
  if (methods.has("GET")) methods.add("HEAD")
  return [...methods].sort()
}

/** A Hono route path (`/posts/:id`, `/ui/*`) as a regular expression over request paths. */
function routePattern(path: string): RegExp {
  const segments = path.split("/").map((segment) => {
    if (segment === "*") return ".*"
    if (segment.startsWith(":")) return "[^/]+"
    return segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")
  })
  return new RegExp(`^${segments.join("/")}$`)
}

// Browsers put text/html first in Accept; curl, fetch() and API clients send a wildcard or JSON.
function prefersHtml(accept: string | undefined): boolean {
  return /^\s*text\/html\b/i.test(accept ?? "")
}
