// Models of the day-8 query review (tables q8_*): users, their posts, tags of posts.
import { column, Integer, model, Registry, relationship, String, table } from "../../src/index.ts"

export const registry = new Registry()

export const postTags = table(
  "q8_post_tags",
  {
    postId: column(Integer, { primaryKey: true, foreignKey: "q8_posts.id" }),
    tagId: column(Integer, { primaryKey: true, foreignKey: "q8_tags.id" }),
  },
  { metadata: registry.metadata },
)

export class User extends model(
  "q8_users",
  {
    id: column(Integer, { primaryKey: true }),
    name: column(String(20)),
    age: column(Integer, { nullable: true }),
    posts: relationship<Post[]>("Post", { backPopulates: "author" }),
  },
  { registry },
) {}

export class Post extends model(
  "q8_posts",
  {
    id: column(Integer, { primaryKey: true }),
    title: column(String(50)),
    userId: column(Integer, { foreignKey: "q8_users.id" }),
    author: relationship<User | null>("User", { backPopulates: "posts" }),
    tags: relationship<Tag[]>("Tag", { secondary: "q8_post_tags" }),
  },
  { registry },
) {}

export class Tag extends model(
  "q8_tags",
  { id: column(Integer, { primaryKey: true }), label: column(String(20)) },
  { registry },
) {}

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
