// GET /tags/:name/posts: a page of the published posts carrying a tag.
import { Hono } from "hono"
import * as v from "valibot"
import { select } from "../../src/index.ts"
import type { BlogEnv } from "../http/app-env.ts"
import { notFound } from "../http/errors.ts"
import { postPageJson } from "../http/serializers.ts"
import { pageQuery, queryParams } from "../http/validation.ts"
import { isTagName, Tag, tagName } from "../models/index.ts"
import { pageOfPosts, publishedPosts, taggedWith } from "../queries/posts.ts"

export const tags = new Hono<BlogEnv>()

tags.get("/:name/posts", queryParams(v.object(pageQuery)), async (c) => {
  const name = tagName(c.req.param("name"))
  // A name no tag can have (NUL, too long once lower-cased...) names no tag: no query needed.
  if (!isTagName(name)) throw notFound(`No tag ${JSON.stringify(name)}`)
  const session = c.var.session
  const page = await pageOfPosts(session, publishedPosts(taggedWith(name)), c.req.valid("query"))
  // An empty page may mean no such tag: only then is a second query worth it.
  if (page.total === 0 && !(await session.scalar(select(Tag.id).where(Tag.c.name.eq(name))))) {
    throw notFound(`No tag ${JSON.stringify(name)}`)
  }
  return c.json(postPageJson(page))
})
