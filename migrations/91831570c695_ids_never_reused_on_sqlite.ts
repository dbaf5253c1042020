// ids never reused on sqlite
//
// Revision 91831570c695, after 8b47bb32eb4a, created 2026-12-07.
// Written by autogenerate, checked by hand. On SQLite a deleted row's id went to the next insert (an
// INTEGER PRIMARY KEY without AUTOINCREMENT takes max(rowid) + 1): a token, a URL, the audit log or an
// idempotent replay holding a deleted user's, post's or comment's id came to name a newer row. Each
// alterColumn rebuilds its table on SQLite (users also rebuilds posts, comments and post_tags, which
// reference it), keeping every row, id, index (uq_users_username_lower too) and foreign key; from then
// on sqlite_sequence keeps the highest id given. Ids deleted from a table's end before this revision
// are not known to SQLite: the next row would take the highest id held + 1, once. For users, whose
// tokens live 24 hours, that once matters (a token of a user deleted just before would act as the next
// sign-up, now that writes no longer check the token's name): the audit log holds every user the ORM
// created, and a placeholder row with the highest such id is inserted and deleted, which moves SQLite's
// sequence past it (on PostgreSQL it moves nothing, and its identity is past it already). PostgreSQL
// runs nothing else: its identity columns never give a value twice. The downgrade rebuilds the tables
// without AUTOINCREMENT.
import { defineRevision } from "../src/migrate.ts"

export default defineRevision({
  id: "91831570c695",
  parent: "8b47bb32eb4a",
  message: "ids never reused on sqlite",
  upgrade(op) {
    op.alterColumn("users", "id", { sqliteAutoincrement: true })
    op.execute(
      "INSERT INTO users (id, username, email, password_hash, created_at, is_active) " +
        "SELECT newest.id, '-', '-', '-', CURRENT_TIMESTAMP, false " +
        "FROM (SELECT max(entity_id) AS id FROM audit_logs WHERE entity_type = 'User') AS newest " +
        "WHERE newest.id > (SELECT coalesce(max(id), 0) FROM users)",
    )
    op.execute("DELETE FROM users WHERE username = '-'")
    op.alterColumn("posts", "id", { sqliteAutoincrement: true })
    op.alterColumn("comments", "id", { sqliteAutoincrement: true })
  },
  downgrade(op) {
    op.alterColumn("comments", "id", { sqliteAutoincrement: false })
    op.alterColumn("posts", "id", { sqliteAutoincrement: false })
    op.alterColumn("users", "id", { sqliteAutoincrement: false })
  },
})
