// user bio
//
// Revision 3f9a2c1b7d4e, after 0ca22f918c2f, created 2026-12-06.
// Written by autogenerate: review it (renames show as a drop and an add) before applying.
import { defineRevision, Text } from "edgealchemy/migrate"

export default defineRevision({
  id: "3f9a2c1b7d4e",
  parent: "0ca22f918c2f",
  message: "user bio",
  upgrade(op) {
    op.addColumn("users", { name: "bio", type: Text, nullable: true })
  },
  downgrade(op) {
    op.dropColumn("users", "bio")
  },
})
