// usernames unique in any case
//
// Revision 8b47bb32eb4a, after b31190c61520, created 2026-12-07.
// "Alice" and "alice" were two accounts, shown alike beside their posts: one could pass for the other.
// Usernames are ASCII letters, digits and underscores, which lower() folds alike on both databases, so
// a unique index on lower(username) makes them one name (a sign-up in another case is 409). A database
// that already holds two names differing in case only fails this revision (the index cannot be built):
// rename one of them first. Models cannot declare an index on an expression: migrate check leaves it be.
import { defineRevision } from "../src/migrate.ts"

export default defineRevision({
  id: "8b47bb32eb4a",
  parent: "b31190c61520",
  message: "usernames unique in any case",
  upgrade(op) {
    op.execute("CREATE UNIQUE INDEX uq_users_username_lower ON users (lower(username))")
  },
  downgrade(op) {
    op.execute("DROP INDEX uq_users_username_lower")
  },
})
