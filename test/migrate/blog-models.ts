// The blog schema autogenerate starts from: ORM models (users, posts, comments, tags, audit log) and
// a Core association table, all in one registry's MetaData. Types, defaults, enums (CHECK), unique
// columns, indexes, cascading foreign keys and a composite key are all here on purpose.
import {
  Boolean,
  column,
  DateTime,
  Enum,
  func,
  Integer,
  index,
  Json,
  model,
  Numeric,
  Registry,
  relationship,
  String,
  Text,
  table,
} from "../../src/index.ts"

export const registry = new Registry()

export const postTags = table(
  "post_tags",
  {
    postId: column(Integer, {
      primaryKey: true,
      name: "post_id",
      foreignKey: { references: "posts.id", onDelete: "CASCADE" },
    }),
    tagId: column(Integer, {
      primaryKey: true,
      name: "tag_id",
      foreignKey: { references: "tags.id", onDelete: "CASCADE" },
    }),
  },
  { metadata: registry.metadata },
)

export class User extends model(
  "users",
  {
    id: column(Integer, { primaryKey: true }),
    username: column(String(50), { unique: true, index: true }),
    email: column(String(100), { unique: true }),
    bio: column(Text, { nullable: true }),
    createdAt: column(DateTime, { name: "created_at", serverDefault: func.now() }),
    isActive: column(Boolean, { name: "is_active", serverDefault: true }),
    posts: relationship<Post[]>("Post", { backPopulates: "author" }),
  },
  { registry },
) {}

export class Post extends model(
  "posts",
  {
    id: column(Integer, { primaryKey: true }),
    title: column(String(200)),
    content: column(Text),
    status: column(Enum("draft", "published"), { serverDefault: "draft" }),
    rating: column(Numeric(4, 2), { nullable: true }),
    userId: column(Integer, { name: "user_id", foreignKey: { references: "users.id", onDelete: "CASCADE" } }),
    author: relationship<User>("User", { backPopulates: "posts" }),
  },
  { registry, indexes: [index("ix_posts_user_status", ["userId", "status"])] },
) {}

export class Comment extends model(
  "comments",
  {
    id: column(Integer, { primaryKey: true }),
    content: column(Text),
    postId: column(Integer, { name: "post_id", foreignKey: { references: "posts.id", onDelete: "CASCADE" } }),
    userId: column(Integer, { name: "user_id", nullable: true, foreignKey: "users.id" }),
  },
  { registry },
) {}

export class Tag extends model(
  "tags",
  {
    id: column(Integer, { primaryKey: true }),
    name: column(String(50), { unique: true }),
  },
  { registry },
) {}

export class AuditLog extends model(
  "audit_log",
  {
    id: column(Integer, { primaryKey: true }),
    entityType: column(String(20), { name: "entity_type" }),
    entityId: column(Integer, { name: "entity_id" }),
    payload: column(Json(), { nullable: true }),
    at: column(DateTime, { serverDefault: func.now() }),
  },
  { registry },
) {}

registry.registerModels(User, Post, Comment, Tag, AuditLog)
