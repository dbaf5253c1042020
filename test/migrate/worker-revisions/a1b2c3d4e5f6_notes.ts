// A revision as a worker bundles it: imported statically, no filesystem.
import { defineRevision, Integer, String, Text } from "../../../src/migrate.ts"

export default defineRevision({
  id: "a1b2c3d4e5f6",
  parent: null,
  message: "notes",
  upgrade(op) {
    op.createTable("notes", [
      { name: "id", type: Integer, primaryKey: true, autoincrement: true },
      { name: "title", type: String(100) },
      { name: "body", type: Text, nullable: true },
    ])
  },
  downgrade(op) {
    op.dropTable("notes")
  },
})
