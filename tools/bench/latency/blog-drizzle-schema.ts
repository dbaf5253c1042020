// The blog's tables (migrations/0ca22f918c2f_blog_schema.ts) as a Drizzle 0.45 user declares them, one
// schema per dialect as Drizzle wants them. The migration's tables have no database defaults (the blog's
// models fill them in), so the Drizzle columns fill them with `$defaultFn`, Drizzle's client defaults.
import { relations } from "drizzle-orm"
import {
  boolean,
  integer as pgInteger,
  primaryKey as pgPrimaryKey,
  pgTable,
  text as pgText,
  serial,
  timestamp,
  varchar,
} from "drizzle-orm/pg-core"
import {
  integer as sqliteInteger,
  primaryKey as sqlitePrimaryKey,
  sqliteTable,
  text as sqliteText,
} from "drizzle-orm/sqlite-core"
import { utcText } from "../graph-load-drizzle-schema.ts"

const now = () => new Date()
const pgTime = (name: string) => timestamp(name, { withTimezone: true, mode: "date" })

export const pgUsers = pgTable("users", {
  id: serial("id").primaryKey(),
  username: varchar("username", { length: 50 }).notNull().unique(),
  email: varchar("email", { length: 100 }).notNull().unique(),
  passwordHash: varchar("password_hash", { length: 200 }).notNull(),
  bio: pgText("bio"),
  createdAt: pgTime("created_at").notNull().$defaultFn(now),
  isActive: boolean("is_active")
    .notNull()
    .$defaultFn(() => true),
})
export const pgPosts = pgTable("posts", {
  id: serial("id").primaryKey(),
  title: varchar("title", { length: 200 }).notNull(),
  content: pgText("content").notNull(),
  published: boolean("published")
    .notNull()
    .$defaultFn(() => false),
  createdAt: pgTime("created_at").notNull().$defaultFn(now),
  updatedAt: pgTime("updated_at").notNull().$defaultFn(now).$onUpdateFn(now),
  version: pgInteger("version")
    .notNull()
    .$defaultFn(() => 1),
  userId: pgInteger("user_id")
    .notNull()
    .references(() => pgUsers.id, { onDelete: "cascade" }),
})
export const pgTags = pgTable("tags", {
  id: serial("id").primaryKey(),
  name: varchar("name", { length: 50 }).notNull().unique(),
})
export const pgPostTags = pgTable(
  "post_tags",
  {
    postId: pgInteger("post_id")
      .notNull()
      .references(() => pgPosts.id, { onDelete: "cascade" }),
    tagId: pgInteger("tag_id")
      .notNull()
      .references(() => pgTags.id, { onDelete: "cascade" }),
  },
  (t) => [pgPrimaryKey({ columns: [t.postId, t.tagId] })],
)
export const pgComments = pgTable("comments", {
  id: serial("id").primaryKey(),
  content: pgText("content").notNull(),
  createdAt: pgTime("created_at").notNull().$defaultFn(now),
  userId: pgInteger("user_id")
    .notNull()
    .references(() => pgUsers.id, { onDelete: "cascade" }),
  postId: pgInteger("post_id")
    .notNull()
    .references(() => pgPosts.id, { onDelete: "cascade" }),
})
export const pgAuditLogs = pgTable("audit_logs", {
  id: serial("id").primaryKey(),
  entityType: varchar("entity_type", { length: 20 }).notNull(),
  entityId: pgInteger("entity_id").notNull(),
  action: varchar("action", { length: 10 }).notNull(),
  timestamp: pgTime("timestamp").notNull().$defaultFn(now),
})

export const pgBlogSchema = {
  users: pgUsers,
  posts: pgPosts,
  tags: pgTags,
  postTags: pgPostTags,
  comments: pgComments,
  auditLogs: pgAuditLogs,
  usersRelations: relations(pgUsers, ({ many }) => ({ posts: many(pgPosts), comments: many(pgComments) })),
  postsRelations: relations(pgPosts, ({ one, many }) => ({
    author: one(pgUsers, { fields: [pgPosts.userId], references: [pgUsers.id] }),
    comments: many(pgComments),
    postTags: many(pgPostTags),
  })),
  commentsRelations: relations(pgComments, ({ one }) => ({
    author: one(pgUsers, { fields: [pgComments.userId], references: [pgUsers.id] }),
    post: one(pgPosts, { fields: [pgComments.postId], references: [pgPosts.id] }),
  })),
  tagsRelations: relations(pgTags, ({ many }) => ({ postTags: many(pgPostTags) })),
  postTagsRelations: relations(pgPostTags, ({ one }) => ({
    post: one(pgPosts, { fields: [pgPostTags.postId], references: [pgPosts.id] }),
    tag: one(pgTags, { fields: [pgPostTags.tagId], references: [pgTags.id] }),
  })),
}

export const sqliteUsers = sqliteTable("users", {
  id: sqliteInteger("id").primaryKey(),
  username: sqliteText("username").notNull().unique(),
  email: sqliteText("email").notNull().unique(),
  passwordHash: sqliteText("password_hash").notNull(),
  bio: sqliteText("bio"),
  createdAt: utcText("created_at").notNull().$defaultFn(now),
  isActive: sqliteInteger("is_active", { mode: "boolean" })
    .notNull()
    .$defaultFn(() => true),
})
export const sqlitePosts = sqliteTable("posts", {
  id: sqliteInteger("id").primaryKey(),
  title: sqliteText("title").notNull(),
  content: sqliteText("content").notNull(),
  published: sqliteInteger("published", { mode: "boolean" })
    .notNull()
    .$defaultFn(() => false),
  createdAt: utcText("created_at").notNull().$defaultFn(now),
  updatedAt: utcText("updated_at").notNull().$defaultFn(now).$onUpdateFn(now),
  version: sqliteInteger("version")
    .notNull()
    .$defaultFn(() => 1),
  userId: sqliteInteger("user_id")
    .notNull()
    .references(() => sqliteUsers.id, { onDelete: "cascade" }),
})
export const sqliteTags = sqliteTable("tags", {
  id: sqliteInteger("id").primaryKey(),
  name: sqliteText("name").notNull().unique(),
})
export const sqlitePostTags = sqliteTable(
  "post_tags",
  {
    postId: sqliteInteger("post_id")
      .notNull()
      .references(() => sqlitePosts.id, { onDelete: "cascade" }),
    tagId: sqliteInteger("tag_id")
      .notNull()
      .references(() => sqliteTags.id, { onDelete: "cascade" }),
  },
  (t) => [sqlitePrimaryKey({ columns: [t.postId, t.tagId] })],
)
export const sqliteComments = sqliteTable("comments", {
  id: sqliteInteger("id").primaryKey(),
  content: sqliteText("content").notNull(),
  createdAt: utcText("created_at").notNull().$defaultFn(now),
  userId: sqliteInteger("user_id")
    .notNull()
    .references(() => sqliteUsers.id, { onDelete: "cascade" }),
  postId: sqliteInteger("post_id")
    .notNull()
    .references(() => sqlitePosts.id, { onDelete: "cascade" }),
})
export const sqliteAuditLogs = sqliteTable("audit_logs", {
  id: sqliteInteger("id").primaryKey(),
  entityType: sqliteText("entity_type").notNull(),
  entityId: sqliteInteger("entity_id").notNull(),
  action: sqliteText("action").notNull(),
  timestamp: utcText("timestamp").notNull().$defaultFn(now),
})

export const sqliteBlogSchema = {
  users: sqliteUsers,
  posts: sqlitePosts,
  tags: sqliteTags,
  postTags: sqlitePostTags,
  comments: sqliteComments,
  auditLogs: sqliteAuditLogs,
  usersRelations: relations(sqliteUsers, ({ many }) => ({
    posts: many(sqlitePosts),
    comments: many(sqliteComments),
  })),
  postsRelations: relations(sqlitePosts, ({ one, many }) => ({
    author: one(sqliteUsers, { fields: [sqlitePosts.userId], references: [sqliteUsers.id] }),
    comments: many(sqliteComments),
    postTags: many(sqlitePostTags),
  })),
  commentsRelations: relations(sqliteComments, ({ one }) => ({
    author: one(sqliteUsers, { fields: [sqliteComments.userId], references: [sqliteUsers.id] }),
    post: one(sqlitePosts, { fields: [sqliteComments.postId], references: [sqlitePosts.id] }),
  })),
  tagsRelations: relations(sqliteTags, ({ many }) => ({ postTags: many(sqlitePostTags) })),
  postTagsRelations: relations(sqlitePostTags, ({ one }) => ({
    post: one(sqlitePosts, { fields: [sqlitePostTags.postId], references: [sqlitePosts.id] }),
    tag: one(sqliteTags, { fields: [sqlitePostTags.tagId], references: [sqliteTags.id] }),
  })),
}
