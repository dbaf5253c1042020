// The blog worker of shared/BLOG_API.md. Its routes arrive with the ORM; until then it only reports
// that it runs, so `wrangler dev` and the deployment path can be exercised from day one.
import { Hono } from "hono"

const app = new Hono()

app.get("/", (c) => c.json({ name: "edgealchemy blog", status: "the blog routes arrive with the ORM" }))
app.notFound((c) => c.json({ error: { code: "not_found", message: `No route for ${c.req.path}` } }, 404))

export default app
