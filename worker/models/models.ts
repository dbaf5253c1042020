// The blog's models: the guide's "Practical Example" (User, Post, Comment) with tags through `post_tags`
// and the audit log of "Event Listeners". Behaviour lives beside them: ./validators.ts, ./audit.ts.
import {
  Boolean,
  column,
  DateTime,
  Integer,
  model,
  Registry,
  relationship,
  String,
  Text,
  table,
} from "../../src/index.ts"

/** The blog's own registry: its metadata is exactly the blog's schema. */
export const registry = new Registry()

const now = () => new Date()

export const postTags = table(
  "post_tags",
  {
    postId: column(Integer, {
      name: "post_id",
      primaryKey: true,
      foreignKey: { references: "posts.id", onDelete: "CASCADE" },
    }),
    tagId: column(Integer, {
      name: "tag_id",
      primaryKey: true,
      foreignKey: { references: "tags.id", onDelete: "CASCADE" },
    }),
  },
  { metadata: registry.metadata },
)

export class User extends model(
  "users",
  {
    id: column(Integer, { primaryKey: true }),
    username: column(String(50), { unique: true }),
    email: column(String(100), { unique: true }),
    passwordHash: column(String(200), { name: "password_hash" }),
    bio: column(Text, { nullable: true }),
    createdAt: column(DateTime, { name: "created_at", default: now }),
    isActive: column(Boolean, { name: "is_active", default: true }),
    posts: relationship<Post[]>("Post", { backPopulates: "author" }),
    comments: relationship<Comment[]>("Comment", { backPopulates: "author", passiveDeletes: true }),
  },
  // Ids leave the database (tokens, URLs, the audit log, idempotent replays): on SQLite a deleted row's
  // id must not go to the next row (PostgreSQL never reuses one).
  { registry, sqliteAutoincrement: true },
) {}

export class Post extends model(
  "posts",
  {
    id: column(Integer, { primaryKey: true }),
    title: column(String(200)),
    /** The title folded for search (GET /posts?q), set with the title by ./validators.ts. */
    titleFolded: column(Text, { name: "title_folded", nullable: true }),
    content: column(Text),
    published: column(Boolean, { default: false }),
    createdAt: column(DateTime, { name: "created_at", default: now, index: true }),
    updatedAt: column(DateTime, { name: "updated_at", default: now }),
    version: column(Integer, { default: 1 }),
    userId: column(Integer, {
      name: "user_id",
      index: true,
      foreignKey: { references: "users.id", onDelete: "CASCADE" },
    }),
    author: relationship<User>("User", { backPopulates: "posts" }),
    // The database deletes comments and tag links with their post (ON DELETE CASCADE): deleting a post
    // needs no query to find them.
    comments: relationship<Comment[]>("Comment", { backPopulates: "post", passiveDeletes: true }),
    tags: relationship<Tag[]>("Tag", { secondary: postTags, backPopulates: "posts", passiveDeletes: true }),
  },
  { registry, versionId: "version", sqliteAutoincrement: true },
) {}

export class Comment extends model(
  "comments",
  {
    id: column(Integer, { primaryKey: true }),
    content: column(Text),
    createdAt: column(DateTime, { name: "created_at", default: now }),
    userId: column(Integer, {
      name: "user_id",
      foreignKey: { references: "users.id", onDelete: "CASCADE" },
    }),
    postId: column(Integer, {
      name: "post_id",
      index: true,
      foreignKey: { references: "posts.id", onDelete: "CASCADE" },
    }),
    author: relationship<User>("User", { backPopulates: "comments" }),
    post: relationship<Post>("Post", { backPopulates: "comments" }),
  },
  { registry, sqliteAutoincrement: true },
) {}

export class Tag extends model(
  "tags",
  {
    id: column(Integer, { primaryKey: true }),
    name: column(String(50), { unique: true }),
    posts: relationship<Post[]>("Post", { secondary: postTags, backPopulates: "tags" }),
  },
  { registry },
) {}

export class AuditLog extends model(
  "audit_logs",
  {
    id: column(Integer, { primaryKey: true }),
    entityType: column(String(20), { name: "entity_type" }),
    entityId: column(Integer, { name: "entity_id" }),
    action: column(String(10)),
    timestamp: column(DateTime, { default: now }),
  },
  { registry, indexes: [] },
) {}

registry.registerModels(User, Post, Comment, Tag, AuditLog)
