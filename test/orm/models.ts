// The blog models of the guide, shared by the ORM tests.
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

export const registry = new Registry()

export const postTags = table(
  "orm_post_tags",
  {
    postId: column(Integer, {
      primaryKey: true,
      foreignKey: { references: "orm_posts.id", onDelete: "CASCADE" },
    }),
    tagId: column(Integer, {
      primaryKey: true,
      foreignKey: { references: "orm_tags.id", onDelete: "CASCADE" },
    }),
  },
  { metadata: registry.metadata },
)

export class User extends model(
  "orm_users",
  {
    id: column(Integer, { primaryKey: true }),
    username: column(String(50), { unique: true }),
    email: column(String(100), { unique: true }),
    bio: column(Text, { nullable: true }),
    createdAt: column(DateTime, { default: () => new Date() }),
    isActive: column(Boolean, { default: true }),
    posts: relationship<Post[]>("Post", { backPopulates: "author", cascade: ["save-update", "delete"] }),
    // Comments go with their posts (ON DELETE CASCADE): nothing for the ORM to do when a user goes.
    comments: relationship<Comment[]>("Comment", { backPopulates: "author", passiveDeletes: true }),
  },
  { registry },
) {
  get displayName(): string {
    return `@${this.username}`
  }
}

export class Post extends model(
  "orm_posts",
  {
    id: column(Integer, { primaryKey: true }),
    title: column(String(200)),
    content: column(Text),
    published: column(Boolean, { default: false }),
    version: column(Integer, { default: 1 }),
    userId: column(Integer, { foreignKey: { references: "orm_users.id", onDelete: "CASCADE" } }),
    author: relationship<User>("User", { backPopulates: "posts" }),
    comments: relationship<Comment[]>("Comment", {
      backPopulates: "post",
      cascade: ["save-update", "delete", "delete-orphan"],
    }),
    tags: relationship<Tag[]>("Tag", { secondary: postTags, backPopulates: "posts" }),
  },
  { registry, versionId: "version" },
) {}

export class Comment extends model(
  "orm_comments",
  {
    id: column(Integer, { primaryKey: true }),
    content: column(Text),
    userId: column(Integer, { foreignKey: "orm_users.id" }),
    postId: column(Integer, { foreignKey: { references: "orm_posts.id", onDelete: "CASCADE" } }),
    author: relationship<User>("User", { backPopulates: "comments" }),
    post: relationship<Post>("Post", { backPopulates: "comments" }),
  },
  { registry },
) {}

export class Tag extends model(
  "orm_tags",
  {
    id: column(Integer, { primaryKey: true }),
    name: column(String(50), { unique: true }),
    posts: relationship<Post[]>("Post", { secondary: postTags, backPopulates: "tags" }),
  },
  { registry },
) {}

export class AuditLog extends model(
  "orm_audit_log",
  {
    id: column(Integer, { primaryKey: true }),
    entityType: column(String(20)),
    entityId: column(Integer),
    action: column(String(10)),
  },
  { registry },
) {}

registry.registerModels(User, Post, Comment, Tag, AuditLog)
