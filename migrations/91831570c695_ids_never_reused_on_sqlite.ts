// ids never reused on sqlite
//
// Revision 91831570c695, after 8b47bb32eb4a, created 2026-12-07.
// Written by autogenerate, checked by hand. On SQLite a deleted row's id went to the next insert (an
// INTEGER PRIMARY KEY without AUTOINCREMENT takes max(rowid) + 1): a token, a URL, the audit log or an
// idempotent replay holding a deleted user's, post's or comment's id came to name a newer row. Each
// alterColumn rebuilds its table on SQLite (users also rebuilds posts, comments and post_tags, which
// reference it), keeping every row, id, index (uq_users_username_lower too) and foreign key; from then
// on sqlite_sequence keeps the highest id given. Ids deleted from a table's end before this revision
// are not known to it: the next row takes the highest id held + 1, once. PostgreSQL runs nothing: its
// identity columns never give a value twice. The downgrade rebuilds them without AUTOINCREMENT.
import { defineRevision } from "../src/migrate.ts"

export default defineRevision({
  id: "91831570c695",
  parent: "8b47bb32eb4a",
  message: "ids never reused on sqlite",
  upgrade(op) {
    op.alterColumn("users", "id", { sqliteAutoincrement: true })
    op.alterColumn("posts", "id", { sqliteAutoincrement: true })
    op.alterColumn("comments", "id", { sqliteAutoincrement: true })
  },
  downgrade(op) {
    op.alterColumn("comments", "id", { sqliteAutoincrement: false })
    op.alterColumn("posts", "id", { sqliteAutoincrement: false })
    op.alterColumn("users", "id", { sqliteAutoincrement: false })
  },
})
