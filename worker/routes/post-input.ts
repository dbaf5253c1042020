// The bodies of POST /posts and PATCH /posts/:id.
import * as v from "valibot"
import { storableText } from "../http/validation.ts"

/** A tag name as sent; the Tag model's validator lower-cases it and checks its characters. */
const tagList = v.pipe(v.array(v.pipe(storableText(1, 50))), v.maxLength(10, "a post has at most 10 tags"))

export const newPost = v.strictObject({
  title: storableText(1, 200),
  content: storableText(0, 60_000),
  published: v.optional(v.boolean()),
  tags: v.optional(tagList),
})

export const postChanges = v.strictObject({
  title: v.optional(storableText(1, 200)),
  content: v.optional(storableText(0, 60_000)),
  published: v.optional(v.boolean()),
  tags: v.optional(tagList),
  // The column is a 32-bit INTEGER: a version it cannot hold is no version a post ever had.
  version: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(2_147_483_647)),
})
