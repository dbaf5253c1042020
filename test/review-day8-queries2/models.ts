// Models of the day-8 query review: users, their posts, tags of posts, under tables named by a prefix
// of each test file's own (`q8_<file>_users`...), as files run at once on one database.
import { column, Integer, model, Registry, relationship, String, table } from "../../src/index.ts"

export function models(prefix: string) {
  const registry = new Registry()
  const postTags = table(
    `${prefix}_post_tags`,
    {
      postId: column(Integer, { primaryKey: true, foreignKey: `${prefix}_posts.id` }),
      tagId: column(Integer, { primaryKey: true, foreignKey: `${prefix}_tags.id` }),
    },
    { metadata: registry.metadata },
  )
  class User extends model(
    `${prefix}_users`,
    {
      id: column(Integer, { primaryKey: true }),
      name: column(String(20)),
      age: column(Integer, { nullable: true }),
      posts: relationship<Post[]>("Post", { backPopulates: "author" }),
    },
    { registry },
  ) {}
  class Post extends model(
    `${prefix}_posts`,
    {
      id: column(Integer, { primaryKey: true }),
      title: column(String(50)),
      userId: column(Integer, { foreignKey: `${prefix}_users.id` }),
      author: relationship<User | null>("User", { backPopulates: "posts" }),
      tags: relationship<Tag[]>("Tag", { secondary: `${prefix}_post_tags` }),
    },
    { registry },
  ) {}
  class Tag extends model(
    `${prefix}_tags`,
    { id: column(Integer, { primaryKey: true }), label: column(String(20)) },
    { registry },
  ) {}
  return { registry, postTags, User, Post, Tag }
}

export type Models = ReturnType<typeof models>

/** Users 1-3 (ada, bob, cy), posts 1-3 (two by ada, one by cy), tags on posts 1 and 3. */
export const seed = {
  users: [
    { id: 1, name: "ada", age: 30 },
    { id: 2, name: "bob", age: null },
    { id: 3, name: "cy", age: 40 },
  ],
  posts: [
    { id: 1, title: "p1", userId: 1 },
    { id: 2, title: "p2", userId: 1 },
    { id: 3, title: "p3", userId: 3 },
  ],
  tags: [
    { id: 1, label: "x" },
    { id: 2, label: "y" },
  ],
  postTags: [
    { postId: 1, tagId: 1 },
    { postId: 3, tagId: 1 },
    { postId: 3, tagId: 2 },
  ],
}
