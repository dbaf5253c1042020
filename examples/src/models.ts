// src/models.ts: a small blog. Models join the default registry; its MetaData, exported as `metadata`,
// is what `createAll` creates and what `npx edgealchemy migrate` compares with the database.
import {
  Boolean,
  column,
  DateTime,
  defaultRegistry,
  Integer,
  model,
  registerModels,
  relationship,
  String,
  Text,
  table,
} from "edgealchemy"

export const metadata = defaultRegistry.metadata

export class User extends model("users", {
  id: column(Integer, { primaryKey: true }),
  username: column(String(50), { unique: true }),
  bio: column(Text, { nullable: true }),
  posts: relationship<Post[]>("Post", { backPopulates: "author" }),
}) {}

export class Post extends model("posts", {
  id: column(Integer, { primaryKey: true }),
  title: column(String(200)),
  body: column(Text),
  published: column(Boolean, { default: false }),
  createdAt: column(DateTime, { default: () => new Date() }),
  userId: column(Integer, { foreignKey: "users.id" }),
  author: relationship<User>("User", { backPopulates: "posts" }),
  comments: relationship<Comment[]>("Comment", { backPopulates: "post" }),
  tags: relationship<Tag[]>("Tag", { secondary: "post_tags" }),
}) {}

export class Comment extends model("comments", {
  id: column(Integer, { primaryKey: true }),
  body: column(Text),
  postId: column(Integer, { foreignKey: "posts.id" }),
  userId: column(Integer, { foreignKey: "users.id" }),
  post: relationship<Post>("Post", { backPopulates: "comments" }),
  author: relationship<User>("User"),
}) {}

export class Tag extends model("tags", {
  id: column(Integer, { primaryKey: true }),
  name: column(String(50), { unique: true }),
}) {}

export const postTags = table(
  "post_tags",
  {
    postId: column(Integer, { primaryKey: true, foreignKey: "posts.id" }),
    tagId: column(Integer, { primaryKey: true, foreignKey: "tags.id" }),
  },
  { metadata },
)

// Relationships name their targets; make every model known before the first query.
registerModels(User, Post, Comment, Tag)
