// The graph-load benchmark's tables as Drizzle (0.45) schemas, one per dialect as Drizzle wants them,
// mirroring the edgealchemy models in ./graph-load-models.ts (which create the tables). Posts reach
// their tags through the association table, as Drizzle's relational queries model many-to-many.
import { relations } from "drizzle-orm"
import {
  boolean,
  integer as pgInteger,
  primaryKey as pgPrimaryKey,
  pgTable,
  text as pgText,
  timestamp,
  varchar,
} from "drizzle-orm/pg-core"
import {
  customType,
  integer as sqliteInteger,
  primaryKey as sqlitePrimaryKey,
  sqliteTable,
  text as sqliteText,
} from "drizzle-orm/sqlite-core"

const pgTimestamp = (name: string) => timestamp(name, { withTimezone: true, mode: "date" })

export const pgUsers = pgTable("gl_users", {
  id: pgInteger("id").primaryKey(),
  username: varchar("username", { length: 50 }).notNull(),
  email: varchar("email", { length: 100 }).notNull(),
  bio: pgText("bio"),
  createdAt: pgTimestamp("created_at").notNull(),
})
export const pgPosts = pgTable("gl_posts", {
  id: pgInteger("id").primaryKey(),
  title: varchar("title", { length: 200 }).notNull(),
  content: pgText("content").notNull(),
  published: boolean("published").notNull(),
  userId: pgInteger("user_id").notNull(),
  createdAt: pgTimestamp("created_at").notNull(),
})
export const pgComments = pgTable("gl_comments", {
  id: pgInteger("id").primaryKey(),
  content: pgText("content").notNull(),
  userId: pgInteger("user_id").notNull(),
  postId: pgInteger("post_id").notNull(),
  createdAt: pgTimestamp("created_at").notNull(),
})
export const pgTags = pgTable("gl_tags", {
  id: pgInteger("id").primaryKey(),
  name: varchar("name", { length: 50 }).notNull(),
})
export const pgPostTags = pgTable(
  "gl_post_tags",
  { postId: pgInteger("post_id").notNull(), tagId: pgInteger("tag_id").notNull() },
  (t) => [pgPrimaryKey({ columns: [t.postId, t.tagId] })],
)

export const pgSchema = {
  users: pgUsers,
  posts: pgPosts,
  comments: pgComments,
  tags: pgTags,
  postTags: pgPostTags,
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

/**
 * edgealchemy stores SQLite timestamps as sortable UTC text (`2026-01-01 10:00:00.000`); Drizzle's
 * SQLite timestamp modes are epoch integers, so a Drizzle user of these tables writes this custom type.
 */
export const utcText = customType<{ data: Date; driverData: string }>({
  dataType: () => "datetime",
  toDriver: (value) => value.toISOString().replace("T", " ").replace("Z", ""),
  fromDriver: (value) => new Date(`${value.replace(" ", "T")}Z`),
})

export const sqliteUsers = sqliteTable("gl_users", {
  id: sqliteInteger("id").primaryKey(),
  username: sqliteText("username").notNull(),
  email: sqliteText("email").notNull(),
  bio: sqliteText("bio"),
  createdAt: utcText("created_at").notNull(),
})
export const sqlitePosts = sqliteTable("gl_posts", {
  id: sqliteInteger("id").primaryKey(),
  title: sqliteText("title").notNull(),
  content: sqliteText("content").notNull(),
  published: sqliteInteger("published", { mode: "boolean" }).notNull(),
  userId: sqliteInteger("user_id").notNull(),
  createdAt: utcText("created_at").notNull(),
})
export const sqliteComments = sqliteTable("gl_comments", {
  id: sqliteInteger("id").primaryKey(),
  content: sqliteText("content").notNull(),
  userId: sqliteInteger("user_id").notNull(),
  postId: sqliteInteger("post_id").notNull(),
  createdAt: utcText("created_at").notNull(),
})
export const sqliteTags = sqliteTable("gl_tags", {
  id: sqliteInteger("id").primaryKey(),
  name: sqliteText("name").notNull(),
})
export const sqlitePostTags = sqliteTable(
  "gl_post_tags",
  { postId: sqliteInteger("post_id").notNull(), tagId: sqliteInteger("tag_id").notNull() },
  (t) => [sqlitePrimaryKey({ columns: [t.postId, t.tagId] })],
)

export const sqliteSchema = {
  users: sqliteUsers,
  posts: sqlitePosts,
  comments: sqliteComments,
  tags: sqliteTags,
  postTags: sqlitePostTags,
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
