// blog tables
//
// Revision 0ca22f918c2f, the first revision, created 2026-12-06.
// Written by autogenerate: review it (renames show as a drop and an add) before applying.
import { Boolean, DateTime, defineRevision, Integer, String, Text } from "edgealchemy/migrate"

export default defineRevision({
  id: "0ca22f918c2f",
  parent: null,
  message: "blog tables",
  upgrade(op) {
    op.createTable(
      "users",
      [
        { name: "id", type: Integer, primaryKey: true, autoincrement: true },
        { name: "username", type: String(50) },
      ],
      {
        uniques: [{ name: "uq_users_username", columns: ["username"] }],
      },
    )
    op.createTable(
      "posts",
      [
        { name: "id", type: Integer, primaryKey: true, autoincrement: true },
        { name: "title", type: String(200) },
        { name: "body", type: Text },
        { name: "published", type: Boolean },
        { name: "createdAt", type: DateTime },
        { name: "userId", type: Integer },
      ],
      {
        foreignKeys: [
          {
            name: "fk_posts_userId_users",
            columns: ["userId"],
            referencedTable: "users",
            referencedColumns: ["id"],
          },
        ],
      },
    )
    op.createTable(
      "comments",
      [
        { name: "id", type: Integer, primaryKey: true, autoincrement: true },
        { name: "body", type: Text },
        { name: "postId", type: Integer },
        { name: "userId", type: Integer },
      ],
      {
        foreignKeys: [
          {
            name: "fk_comments_postId_posts",
            columns: ["postId"],
            referencedTable: "posts",
            referencedColumns: ["id"],
          },
          {
            name: "fk_comments_userId_users",
            columns: ["userId"],
            referencedTable: "users",
            referencedColumns: ["id"],
          },
        ],
      },
    )
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
        { name: "postId", type: Integer },
        { name: "tagId", type: Integer },
      ],
      {
        primaryKey: ["postId", "tagId"],
        foreignKeys: [
          {
            name: "fk_post_tags_postId_posts",
            columns: ["postId"],
            referencedTable: "posts",
            referencedColumns: ["id"],
          },
          {
            name: "fk_post_tags_tagId_tags",
            columns: ["tagId"],
            referencedTable: "tags",
            referencedColumns: ["id"],
          },
        ],
      },
    )
  },
  downgrade(op) {
    op.dropTable("post_tags")
    op.dropTable("tags")
    op.dropTable("comments")
    op.dropTable("posts")
    op.dropTable("users")
  },
})
