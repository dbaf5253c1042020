// blog schema
//
// Revision 0ca22f918c2f, the first revision, created 2026-12-01.
// Written by autogenerate: review it (renames show as a drop and an add) before applying.
import { Boolean, DateTime, defineRevision, Integer, String, Text } from "../src/migrate.ts"

export default defineRevision({
  id: "0ca22f918c2f",
  parent: null,
  message: "blog schema",
  upgrade(op) {
    op.createTable(
      "users",
      [
        { name: "id", type: Integer, primaryKey: true, autoincrement: true },
        { name: "username", type: String(50) },
        { name: "email", type: String(100) },
        { name: "password_hash", type: String(200) },
        { name: "bio", type: Text, nullable: true },
        { name: "created_at", type: DateTime },
        { name: "is_active", type: Boolean },
      ],
      {
        uniques: [
          { name: "uq_users_username", columns: ["username"] },
          { name: "uq_users_email", columns: ["email"] },
        ],
      },
    )
    op.createTable(
      "posts",
      [
        { name: "id", type: Integer, primaryKey: true, autoincrement: true },
        { name: "title", type: String(200) },
        { name: "content", type: Text },
        { name: "published", type: Boolean },
        { name: "created_at", type: DateTime },
        { name: "updated_at", type: DateTime },
        { name: "version", type: Integer },
        { name: "user_id", type: Integer },
      ],
      {
        foreignKeys: [
          {
            name: "fk_posts_user_id_users",
            columns: ["user_id"],
            referencedTable: "users",
            referencedColumns: ["id"],
            onDelete: "CASCADE",
          },
        ],
      },
    )
    op.createIndex("ix_posts_created_at", "posts", ["created_at"])
    op.createIndex("ix_posts_user_id", "posts", ["user_id"])
    op.createTable(
      "tags",
      [
        { name: "id", type: Integer, primaryKey: true, autoincrement: true },
        { name: "name", type: String(50) },
      ],
      {
        uniques: [{ name: "uq_tags_name", columns: ["name"] }],
      },
    )
    op.createTable(
      "post_tags",
      [
        { name: "post_id", type: Integer },
        { name: "tag_id", type: Integer },
      ],
      {
        primaryKey: ["post_id", "tag_id"],
        foreignKeys: [
          {
            name: "fk_post_tags_post_id_posts",
            columns: ["post_id"],
            referencedTable: "posts",
            referencedColumns: ["id"],
            onDelete: "CASCADE",
          },
          {
            name: "fk_post_tags_tag_id_tags",
            columns: ["tag_id"],
            referencedTable: "tags",
            referencedColumns: ["id"],
            onDelete: "CASCADE",
          },
        ],
      },
    )
    op.createTable(
      "comments",
      [
        { name: "id", type: Integer, primaryKey: true, autoincrement: true },
        { name: "content", type: Text },
        { name: "created_at", type: DateTime },
        { name: "user_id", type: Integer },
        { name: "post_id", type: Integer },
      ],
      {
        foreignKeys: [
          {
            name: "fk_comments_user_id_users",
            columns: ["user_id"],
            referencedTable: "users",
            referencedColumns: ["id"],
            onDelete: "CASCADE",
          },
          {
            name: "fk_comments_post_id_posts",
            columns: ["post_id"],
            referencedTable: "posts",
            referencedColumns: ["id"],
            onDelete: "CASCADE",
          },
        ],
      },
    )
    op.createIndex("ix_comments_post_id", "comments", ["post_id"])
    op.createTable("audit_logs", [
      { name: "id", type: Integer, primaryKey: true, autoincrement: true },
      { name: "entity_type", type: String(20) },
      { name: "entity_id", type: Integer },
      { name: "action", type: String(10) },
      { name: "timestamp", type: DateTime },
    ])
  },
  downgrade(op) {
    op.dropTable("audit_logs")
    op.dropTable("comments")
    op.dropTable("post_tags")
    op.dropTable("tags")
    op.dropTable("posts")
    op.dropTable("users")
  },
})
