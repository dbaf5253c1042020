// The HTML front, under /ui: the list of published posts (`?page&pageSize&tag`, newest first) and a
// post with its comments, server-rendered with hono/jsx. Each page costs one database round trip, as
// its JSON twin does (the same queries), and reports it in Server-Timing beside the app's `render`.
// Errors are HTML pages here; the JSON API keeps its JSON errors.
import { type Context, Hono } from "hono"
import type { JSX } from "hono/jsx/jsx-runtime"
import { endTime, startTime } from "hono/timing"
import { trimTrailingSlash } from "hono/trailing-slash"
import type { ContentfulStatusCode } from "hono/utils/http-status"
import * as v from "valibot"
import { toHttpError } from "../../src/hono.ts"
import type { BlogEnv } from "../http/app-env.ts"
import { blogErrorAnswer, notFound } from "../http/errors.ts"
import { idParam, pageQuery, queryParams, storableText } from "../http/validation.ts"
import { pageOfPosts, postWithEverything, publishedPosts, taggedWith } from "../queries/posts.ts"
import { ErrorPage, PostListPage, PostPage } from "./pages.tsx"

const listQuery = v.object({ ...pageQuery, tag: v.optional(storableText(1, 50)) })

export const front = new Hono<BlogEnv>()

// `/ui/` and `/ui/posts/1/` redirect to the page without the slash instead of answering 404.
front.use(trimTrailingSlash())

front.get("/", queryParams(listQuery), async (c) => {
  const { tag, ...paging } = c.req.valid("query")
  const name = tag?.trim().toLowerCase()
  const query = publishedPosts(...(name ? [taggedWith(name)] : []))
  // The page, its total, and each post's author, tags and comment count: one request.
  const page = await pageOfPosts(c.var.session, query, paging)
  return render(c, <PostListPage page={page} tag={name} />)
})

front.get("/posts/:id", async (c) => {
  const id = idParam(c.req.param("id"), "post")
  // The post, its author, tags, and comments with their authors: one request.
  const post = await c.var.session.scalar(postWithEverything(id))
  // The front signs nobody in: drafts do not exist here.
  if (!post?.published) throw notFound(`No post ${id}`)
  return render(c, <PostPage post={post} />)
})

front.get("*", (c) => {
  throw notFound(`No page ${c.req.path}`)
})

front.onError((error, c) => {
  const answer = blogErrorAnswer(error) ?? toHttpError(error)
  if (!answer) console.error(`${c.req.method} ${c.req.path} failed: ${error.name}: ${error.message}`, error)
  const status = answer?.status ?? 500
  const message = answer?.message ?? "Something went wrong on our side; try again later."
  return render(c, <ErrorPage status={status} message={message} />, status)
})

/** The page as HTML, its rendering time reported as the app's own `render` metric (hono/timing). */
async function render(c: Context<BlogEnv>, page: JSX.Element, status: ContentfulStatusCode = 200) {
  startTime(c, "render", "HTML rendering")
  const html = `<!doctype html>${await page.toString()}`
  endTime(c, "render")
  return c.html(html, status)
}
