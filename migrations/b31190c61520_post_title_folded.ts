// post title folded
//
// Revision b31190c61520, after f44b87bce88d, created 2026-12-07.
// The title in lower case, as JavaScript folds it, for GET /posts?q: SQLite's lower() folds ASCII
// letters only, so "école" did not find "ÉCOLE" there. The models' validator keeps it (every title the
// ORM writes); rows written before are folded here by the database's lower() (ASCII letters only on
// SQLite) until their title is next edited, and the query falls back to lower(title) where it is NULL.
import { defineRevision, Text } from "../src/migrate.ts"

export default defineRevision({
  id: "b31190c61520",
  parent: "f44b87bce88d",
  message: "post title folded",
  upgrade(op) {
    op.addColumn("posts", { name: "title_folded", type: Text, nullable: true })
    op.execute("UPDATE posts SET title_folded = lower(title)")
  },
  downgrade(op) {
    op.dropColumn("posts", "title_folded")
  },
})
