// Models of the query-review cases (tables rq_*).
import { column, Integer, model, Registry, relationship, String, Text, table } from "../../src/index.ts"

export const registry = new Registry()

export class RqUser extends model(
  "rq_users",
  {
    id: column(Integer, { primaryKey: true }),
    name: column(String(50)),
    bio: column(Text, { nullable: true }),
    nick: column(String(50), { nullable: true, serverDefault: "anon" }),
    posts: relationship<RqPost[]>("RqPost", { backPopulates: "author" }),
  },
  { registry },
) {}

export class RqPost extends model(
  "rq_posts",
  {
    id: column(Integer, { primaryKey: true }),
    title: column(String(100)),
    score: column(Integer, { nullable: true }),
    userId: column(Integer, { nullable: true, foreignKey: "rq_users.id" }),
    author: relationship<RqUser | null>("RqUser", { backPopulates: "posts" }),
  },
  { registry },
) {}

export const rqPairs = table(
  "rq_pairs",
  {
    a: column(Integer, { primaryKey: true }),
    b: column(Integer),
  },
  { metadata: registry.metadata },
)

registry.registerModels(RqUser, RqPost)
